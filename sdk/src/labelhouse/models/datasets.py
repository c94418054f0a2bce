"""Datasets, their task attributes, labelsets and collaborators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import Model
from .enums import Category, Role, TaskType
from .users import Owner, User


class TaskAttributeCategory(Model):
    """One label category (``task_attributes.categories[*]``); extra keys are kept."""

    id: int
    name: str
    color: list[int] | None = None
    has_instances: bool | None = None
    attributes: list[dict[str, Any]] | None = None


class TaskAttributes(Model):
    """The label-editor configuration of a dataset; extra keys are kept."""

    format_version: str | float | None = None
    categories: list[TaskAttributeCategory] | None = None
    image_attributes: list[dict[str, Any]] | None = None


class LabelStats(Model):
    """Number of samples per label status (of the ground-truth labelset)."""

    REVIEWED: int | None = None
    REVIEWING_IN_PROGRESS: int | None = None
    LABELED: int | None = None
    LABELING_IN_PROGRESS: int | None = None
    REJECTED: int | None = None
    PRELABELED: int | None = None
    SKIPPED: int | None = None
    VERIFIED: int | None = None
    UNLABELED: int | None = None
    TOTAL: int | None = None


class Labelset(Model):
    """A named set of labels in a dataset (``ground-truth`` always exists)."""

    name: str
    description: str = ""
    is_groundtruth: bool | None = None
    created_at: datetime | None = None


class Dataset(Model):
    """A dataset. ``full_name`` is the ``dataset_identifier`` (``owner/name``) the client methods take."""

    name: str
    full_name: str
    description: str = ""
    category: Category = Category.OTHER
    public: bool = False
    archived: bool = False
    owner: Owner
    created_at: datetime | None = None
    task_type: TaskType
    task_attributes: TaskAttributes | None = None
    data_type: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    label_stats: LabelStats | None = None
    labelsets: list[Labelset] | None = None
    samples_count: int | str | None = None
    collaborators_count: int | None = None
    cloned_from: str | None = None
    role: str | None = None
    readme: str | None = None
    labeling_inactivity_timeout_seconds: int | None = None
    enable_ratings: bool = False
    enable_skip_labeling: bool = True
    enable_skip_reviewing: bool = False
    enable_save_button: bool = False
    enable_label_status_verified: bool = False
    enable_same_dimensions_track_constraint: bool = False
    enable_3d_region_of_interest: bool = False
    enable_3d_cuboid_rotation: bool | None = None
    enable_confirm_on_submit: bool | None = None
    enable_interpolation: bool = True
    use_timestamps_for_interpolation: bool = False
    enable_object_linking: bool = False
    enable_object_link_category_restrictions: bool | None = None
    enable_extrapolation: bool | None = None
    noncollaborator_can_label: bool | None = None
    noncollaborator_can_review: bool | None = None
    insights_urls: dict[str, str] | None = None
    region_of_interest: dict[str, Any] | None = None

    @property
    def owner_name(self) -> str:
        return self.full_name.split("/", 1)[0]


class Collaborator(Model):
    """A user's role on a dataset."""

    user: User
    role: Role
