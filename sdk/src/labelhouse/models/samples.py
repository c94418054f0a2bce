"""Samples and labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional, Union

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
    attributes: Optional[dict[str, Any]] = None
    created_at: Optional[datetime] = None
    created_by: Optional[str] = None
    updated_at: Optional[datetime] = None
    updated_by: Optional[str] = None
    score: Optional[float] = None
    rating: Optional[float] = None
    reviewed_at: Optional[datetime] = None
    reviewed_by: Optional[str] = None


class LabelSummary(Model):
    """What ``get_samples(labelset=...)`` embeds per sample unless ``include_full_label`` is set."""

    label_status: LabelStatus
    score: Optional[float] = None
    updated_at: Optional[datetime] = None
    created_by: Optional[str] = None
    reviewed_by: Optional[str] = None


class Sample(Model):
    """A sample (an image, a sequence, a point cloud, a text ...). ``attributes`` depends on the task type."""

    uuid: str
    name: str
    attributes: Optional[dict[str, Any]] = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: Optional[datetime] = None
    created_by: Optional[str] = None
    priority: float = 0
    readme: str = ""
    assigned_labeler: Optional[str] = None
    assigned_reviewer: Optional[str] = None
    embedding: Optional[list[float]] = None
    label: Optional[Union[Label, LabelSummary]] = None
    issues: Optional[list[Issue]] = None
    dataset_full_name: Optional[str] = None


class DeleteSamplesResponse(Model):
    deleted_count: int
