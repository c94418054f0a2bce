"""``uploadFile`` (GraphQL multipart request, trap 11; the declared ``contentLength`` is ignored)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from ...catalog import files
from ..context import ctx
from ..errors import InvalidInput

mutation = ObjectType("Mutation")


@mutation.field("uploadFile")
def resolve_upload_file(_: Any, info: Any, file: Any, contentLength: Any = None,
                        sign: Any = None) -> dict[str, Any]:
    c = ctx(info)
    stream = getattr(file, "file", None)
    if stream is None:
        raise InvalidInput("'file' must be a file part of a multipart request (GraphQL multipart request spec).")
    url, name = files.store_upload(c.store, stream, getattr(file, "filename", None),
                                   getattr(file, "content_type", None), c.settings.max_upload_bytes)
    return {"url": url, "filename": name}


BINDABLES = [mutation]
