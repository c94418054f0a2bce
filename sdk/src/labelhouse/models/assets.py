"""Uploaded assets (``upload_asset``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ._base import Model


class PresignedPostFields(Model):
    """Where and how to POST the file: ``url`` plus the form ``fields`` to send with it."""

    url: str
    fields: dict[str, str]


class File(Model):
    """An uploaded asset; use ``url`` in sample or label attributes."""

    uuid: str
    filename: str
    url: str
    created_at: datetime | None = None
    presigned_post_fields: PresignedPostFields | None = Field(default=None, alias="presignedPostFields")
