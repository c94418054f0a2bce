"""Issues raised on samples."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from pydantic import Field

from ._base import Model
from .enums import IssueStatus


class IssueComment(Model):
    created_at: Optional[datetime] = None
    created_by: Optional[str] = None
    text: str


class Issue(Model):
    """An issue on a sample; ``anchor`` (a dict) optionally points at a location, track or frame."""

    uuid: str
    description: str
    status: IssueStatus
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    created_by: Optional[str] = None
    updated_by: Optional[str] = None
    comments: list[IssueComment] = Field(default_factory=list)
    anchor: Optional[dict[str, Any]] = None
    sample_uuid: str
    sample_name: Optional[str] = None
