"""Queue request and answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class QueueRequest(BaseModel):
    mode: Literal["label", "review"] = Field(description="Which queue: samples to label, or labeled ones to review.")
    labelset: str = Field(default="ground-truth", max_length=150)
    exclude: list[str] = Field(default_factory=list, max_length=100,
                               description="Sample uuids not to hand out (e.g. the one the user is leaving).")


class QueuePublic(BaseModel):
    """The reserved sample, or null when the queue is empty for this user."""

    sample_uuid: str | None
    reserved_until: str | None = None
