"""Label history and release diffs (issue 15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from ._base import Model
from .enums import LabelStatus


class LabelRevision(Model):
    """One revision of a label: ``attributes`` and ``label_status`` are None for a deletion."""

    revision: int
    action: Literal["created", "updated", "deleted", "restored"]
    label_status: LabelStatus | None = None
    attributes: dict[str, Any] | None = None
    score: float | None = None
    created_at: datetime
    created_by: str = ""


class DiffCounts(Model):
    added: int
    removed: int
    changed: int


class ReleaseDiff(Model):
    """What changed between two releases: counts of samples and of labels added, removed and changed."""

    from_release: str = Field(alias="from")
    to_release: str = Field(alias="to")
    samples: DiffCounts
    labels: DiffCounts


class AnnotationChanges(Model):
    added: list[Any] = Field(default_factory=list)
    removed: list[Any] = Field(default_factory=list)
    changed: list[Any] = Field(default_factory=list)


class ReleaseDiffChange(Model):
    """One sample or label added, removed or changed; ``annotations`` (annotation ids) for changed labels."""

    kind: Literal["sample", "label"]
    change: Literal["added", "removed", "changed"]
    sample_uuid: str
    labelset: str | None = None
    annotations: AnnotationChanges | None = None
