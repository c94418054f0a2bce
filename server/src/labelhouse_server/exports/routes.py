"""``GET /export-chunks/{key}?skip=N``: the rest of an export chunk from byte ``skip`` on, without auth like
every export file URL (the key holds an unguessable token). Only asked for when a client resumes a stream at a
line inside a chunk; chunk starts are served by the object store's own URLs."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Query, Request
from starlette.responses import StreamingResponse

from ..errors import NotFound
from ..routing import Routes
from ..storage.base import StoreError, validate_key
from .streams import CONTENT_TYPE, KEY_PREFIX

router = Routes(tags=["labelbox"])


@router.get("/export-chunks/{key:path}", summary="Part of a Labelbox export chunk (no auth: capability URL)",
            response_class=StreamingResponse)
def export_chunk(key: str, request: Request, skip: int = Query(0, ge=0)) -> StreamingResponse:
    store = request.app.state.store
    try:
        full_key = validate_key(KEY_PREFIX + key)
        size = store.size(full_key)
    except StoreError:
        raise NotFound("Export file not found.") from None
    if size is None or skip > size:
        raise NotFound("Export file not found.")
    fh = store.open(full_key)

    def body() -> Iterator[bytes]:
        try:
            remaining = skip
            while remaining:  # object streams need not be seekable (S3)
                got = fh.read(min(remaining, 1024 * 1024))
                if not got:
                    return
                remaining -= len(got)
            yield from iter(lambda: fh.read(1024 * 1024), b"")
        finally:
            fh.close()

    return StreamingResponse(body(), media_type=CONTENT_TYPE, headers={"Content-Length": str(size - skip)})
