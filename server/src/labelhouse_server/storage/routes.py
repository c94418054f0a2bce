"""The local store's public face: ``GET /files/{key}`` serves stored objects without authentication (asset and
release URLs are meant to be fetched by plain HTTP clients, as with a public S3 bucket). Absent for S3."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import FileResponse, Response

from ..contract import responses
from ..errors import NotFound
from ..routing import Routes
from .base import StoreError, content_type_for, validate_key

router = Routes(tags=["storage"])


@router.api_route("/files/{key:path}", methods=["HEAD"], include_in_schema=False)
@router.api_route("/files/{key:path}", methods=["GET"], summary="Download a stored object (local store)",
                  response_model=None, responses={
                      200: {"description": "The object's bytes", "content": {"application/octet-stream": {}}},
                      **responses(200, None, (404,))})
def get_file(key: str, request: Request) -> Response:
    from .local import LocalStore

    store = request.app.state.store
    if not isinstance(store, LocalStore):
        raise NotFound()
    try:
        validate_key(key)
    except StoreError:
        raise NotFound() from None
    if any(part.startswith(".") for part in key.split("/")):
        raise NotFound()  # in-progress uploads (.upload-*.part) are never visible
    path = store.path(key)
    if not path.is_file():
        raise NotFound("File not found.")
    return FileResponse(path, media_type=content_type_for(key),
                        # nosniff: browsers must not guess another type (an uploaded "image" run as HTML)
                        headers={"Cache-Control": "public, max-age=31536000, immutable",
                                 "X-Content-Type-Options": "nosniff"})
