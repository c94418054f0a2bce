"""Datasets, their task attributes, labelsets and collaborators."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional, Union

from pydantic import Field

from ._base import Model
from .enums import Category, Role, TaskType
from .users import Owner, User


class TaskAttributeCategory(Model):
    """One label category (``task_attributes.categories[*]``); extra keys are kept."""

    id: int
    name: str
    color: Optional[list[int]] = None
    has_instances: Optional[bool] = None
    attributes: Optional[list[dict[str, Any]]] = None


class TaskAttributes(Model):
    """The label-editor configuration of a dataset; extra keys are kept."""

    format_version: Optional[Union[str, float]] = None
    categories: Optional[list[TaskAttributeCategory]] = None
    image_attributes: Optional[list[dict[str, Any]]] = None


class LabelStats(Model):
    """Number of samples per label status (of the ground-truth labelset)."""

    REVIEWED: Optional[int] = None
    REVIEWING_IN_PROGRESS: Optional[int] = None
    LABELED: Optional[int] = None
    LABELING_IN_PROGRESS: Optional[int] = None
    REJECTED: Optional[int] = None
    PRELABELED: Optional[int] = None
    SKIPPED: Optional[int] = None
    VERIFIED: Optional[int] = None
    UNLABELED: Optional[int] = None
    TOTAL: Optional[int] = None


class Labelset(Model):
    """A named set of labels in a dataset (``ground-truth`` always exists)."""

    name: str
    description: str = ""
    is_groundtruth: Optional[bool] = None
    created_at: Optional[datetime] = None


class Dataset(Model):
    """A dataset. ``full_name`` is the ``dataset_identifier`` (``owner/name``) the client methods take."""

    name: str
    full_name: str
    description: str = ""
    category: Category = Category.OTHER
    public: bool = False
    archived: bool = False
    owner: Owner
    created_at: Optional[datetime] = None
    task_type: TaskType
    task_attributes: Optional[TaskAttributes] = None
    data_type: Optional[str] = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    label_stats: Optional[LabelStats] = None
    labelsets: Optional[list[Labelset]] = None
    samples_count: Optional[Union[int, str]] = None
    collaborators_count: Optional[int] = None
    cloned_from: Optional[str] = None
    role: Optional[str] = None
    readme: Optional[str] = None
    labeling_inactivity_timeout_seconds: Optional[int] = None
    enable_ratings: bool = False
    enable_skip_labeling: bool = True
    enable_skip_reviewing: bool = False
    enable_save_button: bool = False
    enable_label_status_verified: bool = False
    enable_same_dimensions_track_constraint: bool = False
    enable_3d_region_of_interest: bool = False
    enable_3d_cuboid_rotation: Optional[bool] = None
    enable_confirm_on_submit: Optional[bool] = None
    enable_interpolation: bool = True
    use_timestamps_for_interpolation: bool = False
    enable_object_linking: bool = False
    enable_object_link_category_restrictions: Optional[bool] = None
    enable_extrapolation: Optional[bool] = None
    noncollaborator_can_label: Optional[bool] = None
    noncollaborator_can_review: Optional[bool] = None
    insights_urls: Optional[dict[str, str]] = None
    region_of_interest: Optional[dict[str, Any]] = None

    @property
    def owner_name(self) -> str:
        return self.full_name.split("/", 1)[0]


class Collaborator(Model):
    """A user's role on a dataset."""

    user: User
    role: Role
