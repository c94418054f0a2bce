"""Releases (frozen exports of a dataset)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ._base import Model
from .enums import ReleaseStatus


class URL(Model):
    url: str | None = None
    signed_url: str | None = None


class Release(Model):
    """A release. ``attributes.url`` is the release file once ``status`` is SUCCEEDED."""

    uuid: str
    name: str
    description: str = ""
    release_type: Literal["JSON"] = "JSON"
    attributes: URL = URL()
    status: ReleaseStatus
    status_info: str | None = None
    created_at: datetime | None = None
    samples_count: int = 0
