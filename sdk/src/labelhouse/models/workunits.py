"""Workunits: who labeled or reviewed what, and for how long."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ._base import Model


class Workunit(Model):
    uuid: str | None = None
    created_at: datetime | None = None
    created_by: str
    work_type: str
    next_label_status: str | None = None
    time: int
    inactive_time: int = 0
    sample_uuid: str
    sample_name: str | None = None
    label_rating: int | None = None
    session_time_metrics: dict[str, Any] | None = None
