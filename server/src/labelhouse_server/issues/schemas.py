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


class IssueCommentCreate(BaseModel):
    text: str = Field(min_length=1, max_length=10_000, description="The comment (1 to 10,000 characters)",
                      examples=["fixed in the latest labels"])


class IssueCommentPublic(BaseModel):
    """The Segments ``IssueComment``: an item of an issue's ``comments``."""

    text: str
    created_by: str = Field(description="Username of the author")
    created_at: str = Field(description=TIME)
