"""Workunits: who labeled or reviewed what, and for how long."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from ._base import Model


class Workunit(Model):
    uuid: Optional[str] = None
    created_at: Optional[datetime] = None
    created_by: str
    work_type: str
    next_label_status: Optional[str] = None
    time: int
    inactive_time: int = 0
    sample_uuid: str
    sample_name: Optional[str] = None
    label_rating: Optional[int] = None
    session_time_metrics: Optional[dict[str, Any]] = None
