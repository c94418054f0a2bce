"""Release request parsing and the public (Segments-compatible) response shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..db import Release
from ..errors import Invalid
from ..users.schemas import TIME

MAX_NAME = 150


def parse_release_create(body: Any) -> tuple[str, str]:
    if not isinstance(body, dict):
        raise Invalid("Request body must be a JSON object with 'name' and 'description'.", field="body")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Invalid("name: a non-empty string is required.", field="name")
    if len(name) > MAX_NAME or "/" in name:
        raise Invalid(f"name: at most {MAX_NAME} characters and no '/'.", field="name")
    description = body.get("description")
    if description is None:
        description = ""
    if not isinstance(description, str):
        raise Invalid("description: must be a string.", field="description")
    return name, description


def release_public(release: Release) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if release.status == "SUCCEEDED" and release.url:
        attributes = {"url": release.url}
    return {
        "uuid": release.uuid,
        "name": release.name,
        "description": release.description or "",
        "release_type": release.release_type or "JSON",
        "attributes": attributes,
        "status": release.status,
        "status_info": release.status_info or "",
        "created_at": release.created_at,
        "samples_count": release.samples_count or 0,
    }


# ---- response models --------------------------------------------------------------------------------------------
class ReleaseAttributes(BaseModel):
    url: str | None = Field(default=None, description="The release file, once the release SUCCEEDED")


class ReleasePublic(BaseModel):
    uuid: str
    name: str
    description: str
    release_type: str
    attributes: ReleaseAttributes
    status: str = Field(description="PENDING, SUCCEEDED or FAILED")
    status_info: str
    created_at: str = Field(description=TIME)
    samples_count: int
