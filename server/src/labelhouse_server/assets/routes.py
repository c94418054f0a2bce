"""Asset routes: ``POST /assets/`` (Segments row 39: the presigned-POST handshake) and, for the local store,
the upload target ``POST /uploads/`` that the official SDK posts the multipart form to (no auth header: the
signed policy authorises it)."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..contract import WRITE_ERRORS
from ..deps import DB, CurrentUser, run_write
from ..errors import Forbidden, Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType
from ..http import empty_response, json_response, parse_json, route
from ..limits import FORM_OVERHEAD
from ..routing import Routes
from ..storage import StoreError
from . import service
from .schemas import AssetPublic
from .upload_form import read_upload_form

router = Routes(tags=["assets"])


ASSET_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["filename"], "properties": {"filename": {"type": "string"}}}}}}}


@route(router, "/assets/", ["POST"], model=AssetPublic, errors=(*WRITE_ERRORS, 415),
       status_code=201, summary="Start an upload: file record + presigned POST",
       openapi_extra=ASSET_BODY_DOC)
async def create_asset(request: Request, user: CurrentUser, session: DB) -> Response:
    body = parse_json(await request.body())

    def work() -> dict:
        return service.create_asset(session, user, body, request.app.state.store, request.app.state.settings)

    # ``run_write``: on the event loop only when the write lock is free (SQLite), else in a worker thread.
    return json_response(await run_write(request, session, work), status_code=201)


@route(router, "/uploads/", ["POST"], errors=(400, 403, 404, 413, 415),
       status_code=204, summary="Upload target for the local store (S3-style form)")
async def upload(request: Request, session: DB) -> Response:
    from ..storage.local import LocalStore

    store = request.app.state.store
    if not isinstance(store, LocalStore):
        raise NotFound()
    limit = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise PayloadTooLarge(f"file: uploads are limited to {limit} bytes.", field="file")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType("Upload must be multipart/form-data (an S3-style POST form).", field="body")

    def verify(fields: dict[str, str]) -> dict:
        try:
            return store.verify_post(fields)
        except StoreError as exc:
            raise Forbidden(f"You do not have permission to upload here: {exc}.") from None

    # The signature is checked when the file part starts, before any of the file is kept (upload_form.py).
    form = await read_upload_form(request, verify)
    try:
        policy, size = form.policy, form.size
        assert policy is not None and form.file is not None
        if size == 0:
            raise Invalid("file: the uploaded file is empty.", field="file")
        head = form.file.read(64)
        form.file.seek(0)
        if not service.content_matches(policy["key"], head):
            raise UnsupportedMediaType(f"file: the content is not a valid {policy['content_type']} file.",
                                       field="file")
        await run_in_threadpool(store.put, policy["key"], form.file, policy["content_type"])
        # The record update takes the write lock: in a worker thread, never waiting on the event loop.
        await run_in_threadpool(service.mark_uploaded, session, policy["key"], size)
    finally:
        form.close()
    return empty_response()
