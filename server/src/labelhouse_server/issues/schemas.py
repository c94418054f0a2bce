"""Wire shape of issues (the Segments ``Issue`` model), rendered by ``service._public``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..users.schemas import TIME


class IssuePublic(BaseModel):
    uuid: str
    description: str
    status: str = Field(description="OPEN or CLOSED")
    anchor: Any = Field(description="Where on the sample (location, track or frame), or null")
    comments: list[Any]
    created_at: str = Field(description=TIME)
    updated_at: str | None = Field(description=TIME)
    created_by: str
    updated_by: str
    sample_uuid: str
    sample_name: str
