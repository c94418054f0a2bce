"""Wire shape of a new asset: its file record and where to upload the content (``service.create_asset``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..users.schemas import TIME


class PresignedPost(BaseModel):
    url: str = Field(description="POST the file here as multipart/form-data ...")
    fields: dict[str, str] = Field(description="... with these form fields first, then the `file` part")


class AssetPublic(BaseModel):
    uuid: str
    filename: str
    url: str = Field(description="Where the file is served once uploaded")
    created_at: str = Field(description=TIME)
    presignedPostFields: PresignedPost
