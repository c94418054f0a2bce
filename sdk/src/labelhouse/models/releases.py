"""Releases (frozen exports of a dataset)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from ._base import Model
from .enums import ReleaseStatus


class URL(Model):
    url: Optional[str] = None
    signed_url: Optional[str] = None


class Release(Model):
    """A release. ``attributes.url`` is the release file once ``status`` is SUCCEEDED."""

    uuid: str
    name: str
    description: str = ""
    release_type: Literal["JSON"] = "JSON"
    attributes: URL = URL()
    status: ReleaseStatus
    status_info: Optional[str] = None
    created_at: Optional[datetime] = None
    samples_count: int = 0
