"""Wire shape of workunits (the Segments ``Workunit`` model), rendered by ``service.list_workunits``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..users.schemas import TIME


class SessionTimeMetrics(BaseModel):
    time: float
    inactive_time: float


class WorkunitPublic(BaseModel):
    uuid: str
    created_at: str = Field(description=TIME)
    created_by: str
    work_type: str
    time: float
    inactive_time: float
    sample_uuid: str | None
    sample_name: str | None
    labelset: str | None
    next_label_status: str | None
    label_rating: float | None
    session_time_metrics: SessionTimeMetrics | None = Field(
        default=None, description="With include_session_time_metrics=true")
