"""Samples and labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import Model
from .enums import LabelStatus, TaskType
from .issues import Issue


class Label(Model):
    """A label of one sample in one labelset. ``attributes`` is the label JSON exactly as stored."""

    sample_uuid: str
    label_type: TaskType
    label_status: LabelStatus
    labelset: str
    attributes: dict[str, Any] | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    score: float | None = None
    rating: float | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None


class LabelSummary(Model):
    """What ``get_samples(labelset=...)`` embeds per sample unless ``include_full_label`` is set."""

    label_status: LabelStatus
    score: float | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    reviewed_by: str | None = None


class Sample(Model):
    """A sample (an image, a sequence, a point cloud, a text ...). ``attributes`` depends on the task type."""

    uuid: str
    name: str
    attributes: dict[str, Any] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    created_by: str | None = None
    priority: float = 0
    readme: str = ""
    assigned_labeler: str | None = None
    assigned_reviewer: str | None = None
    embedding: list[float] | None = None
    label: Label | LabelSummary | None = None
    issues: list[Issue] | None = None
    dataset_full_name: str | None = None


class DeleteSamplesResponse(Model):
    deleted_count: int
