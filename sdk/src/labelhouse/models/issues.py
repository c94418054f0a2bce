"""Issues raised on samples."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import Model
from .enums import IssueStatus


class IssueComment(Model):
    created_at: datetime | None = None
    created_by: str | None = None
    text: str


class Issue(Model):
    """An issue on a sample; ``anchor`` (a dict) optionally points at a location, track or frame."""

    uuid: str
    description: str
    status: IssueStatus
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None
    comments: list[IssueComment] = Field(default_factory=list)
    anchor: dict[str, Any] | None = None
    sample_uuid: str
    sample_name: str | None = None
