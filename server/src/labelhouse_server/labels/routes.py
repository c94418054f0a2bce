"""Label routes (Segments API rows 22-25). Addressed by sample uuid and labelset name; the caller needs at least
the labeler role on the sample's dataset, and the reviewer role to set REVIEWED/REJECTED/VERIFIED."""

from __future__ import annotations

import orjson
from fastapi import Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from ..access import SampleLabel, sample_access, sample_access_by_key
from ..contract import WRITE_ERRORS
from ..db.sql import PlainWork
from ..deps import DB, api_key_from, authenticate, request_session, run_plain_write, run_write
from ..fastlane import Handler, without_session
from ..http import empty_response, json_response, parse_json, route
from ..routing import Routes
from . import history, service
from .schemas import LabelPublic

router = Routes(tags=["labels"])

LABEL_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object",
    "properties": {"label_status": {"type": "string", "enum": ["PRELABELED", "LABELED", "REVIEWED", "REJECTED",
                                                                "SKIPPED", "VERIFIED", "LABELING_IN_PROGRESS",
                                                                "REVIEWING_IN_PROGRESS"]},
                   "attributes": {"type": "object"}, "score": {"type": "number"}}}}}}}


# Handlers shared by the fast lane (``fastlane.py``) and the FastAPI routes below.

# Async on purpose (reads only, read-only transaction): cheaper than the hops of a sync route and dependency.
async def get_label_handler(request: Request, session: Session, sample_uuid: str, labelset: str) -> Response:
    sacc = sample_access(session, authenticate(request, session), sample_uuid, "read")
    return json_response(orjson.dumps(service.get_label(session, sacc, labelset)))


# The writes authenticate, resolve the sample, check access and write in ONE unit of work (the
# ``CurrentUser``/``SampleLabel`` dependencies would each cost a thread hop of their own), in the same order as
# those dependencies would (401, then 404/403, then the body); ``run_write`` runs it on the event loop when that
# cannot wait (SQLite, write slot free), else in a worker thread.
async def put_label_handler(request: Request, session: Session, sample_uuid: str, labelset: str) -> Response:
    raw = await request.body()

    def work() -> tuple[bytes, bool]:
        sacc = sample_access(session, authenticate(request, session), sample_uuid, "label")
        label, created = service.put_label(session, sacc, labelset, parse_json(raw))
        return orjson.dumps(label), created

    content, created = await run_write(request, session, work)
    return json_response(content, status_code=201 if created else 200)


# The fast lane's PUT: on SQLite with an API key, no Session at all (``db.sql.PlainWork``): the key and the
# sample's access in one statement, read on every request as before (a revoked key is refused at once, by every
# process), then ``service.put_label`` as above. Otherwise (the web app's cookie, PostgreSQL) ``put_label_handler``
# in a request session. Same answers either way (tests/server/api/test_fast_lane.py).
@without_session
async def put_label_fast(request: Request, _session: None, sample_uuid: str, labelset: str) -> Response:
    api_key = api_key_from(request)
    if api_key is None or not request.app.state.inline_writes:
        with request_session(request) as session:
            return await put_label_handler(request, session, sample_uuid, labelset)
    raw = await request.body()

    def work(unit: PlainWork) -> tuple[bytes, bool]:
        sacc = sample_access_by_key(unit, api_key, sample_uuid, "label")
        request.state.account_id = sacc.user.id
        label, created = service.put_label(unit, sacc, labelset, parse_json(raw))
        return orjson.dumps(label), created

    content, created = await run_plain_write(request, work)
    return json_response(content, status_code=201 if created else 200)


FAST_LANE: list[tuple[str, str, Handler]] = [
    ("GET", "/labels/{sample_uuid}/{labelset}/", get_label_handler),
    ("PUT", "/labels/{sample_uuid}/{labelset}/", put_label_fast)]


@route(router, "/labels/{sample_uuid}/{labelset}/", ["GET"], model=LabelPublic,
       summary="Get a label (404 when unlabeled)")
async def get_label(labelset: str, sample_uuid: str, request: Request, session: DB) -> Response:
    return await get_label_handler(request, session, sample_uuid, labelset)


@route(router, "/labels/{sample_uuid}/{labelset}/", ["PUT"], model=LabelPublic, errors=WRITE_ERRORS,
       summary="Create or replace a label (201 created, 200 replaced)",
       responses={201: {"model": LabelPublic, "description": "Created"}},
       openapi_extra=LABEL_BODY_DOC)
async def put_label(labelset: str, sample_uuid: str, request: Request, session: DB) -> Response:
    return await put_label_handler(request, session, sample_uuid, labelset)


@route(router, "/labels/{sample_uuid}/{labelset}/", ["PATCH"], model=LabelPublic, errors=WRITE_ERRORS,
       summary="Update a label (only the fields given)",
       openapi_extra=LABEL_BODY_DOC)
async def patch_label(labelset: str, sample_uuid: str, request: Request, session: DB) -> Response:
    raw = await request.body()

    def work() -> bytes:
        sacc = sample_access(session, authenticate(request, session), sample_uuid, "label")
        return orjson.dumps(service.patch_label(session, sacc, labelset, parse_json(raw)))

    return json_response(await run_write(request, session, work))


@route(router, "/labels/{sample_uuid}/{labelset}/", ["DELETE"], errors=WRITE_ERRORS,
       status_code=204, summary="Delete a label")
def delete_label(labelset: str, sacc: SampleLabel, session: DB) -> Response:
    service.delete_label(session, sacc, labelset)
    return empty_response()


# ------------------------------------------------------------------------------------------------ history
HISTORY_DOC = {"responses": {"200": {"description": "Revisions, newest first", "content": {"application/json": {
    "schema": {"type": "array", "items": {"type": "object", "properties": {
        "revision": {"type": "integer"},
        "action": {"type": "string", "enum": list(history.ACTIONS)},
        "label_status": {"type": "string", "nullable": True},
        "attributes": {"type": "object", "nullable": True},
        "score": {"type": "number", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": "string"}}}}}}}}}


@route(router, "/labels/{sample_uuid}/{labelset}/history/", ["GET"],
       summary="A label's revisions, newest first (also after the label was deleted)", openapi_extra=HISTORY_DOC)
async def get_label_history(
    labelset: str, sample_uuid: str, request: Request, session: DB,
    page: str | None = Query(None, description="1-based page (default 1)"),
    per_page: str | None = Query(None, description=f"Page size, 1-{history.MAX_PER_PAGE} "
                                                   f"(default {history.DEFAULT_PER_PAGE})"),
) -> Response:
    sacc = sample_access(session, authenticate(request, session), sample_uuid, "read")
    number, size = history.parse_page(page, per_page)
    return json_response(orjson.dumps(history.history_page(
        session, dataset_id=sacc.dataset_id, sample_id=sacc.sample_id, labelset=labelset, page=number,
        per_page=size)))


@route(router, "/labels/{sample_uuid}/{labelset}/history/{revision}/restore/", ["POST"], model=LabelPublic,
       errors=WRITE_ERRORS,
       summary="Put an earlier revision back as the label (recorded as a new revision 'restored')")
async def restore_label(labelset: str, sample_uuid: str, revision: str, request: Request, session: DB) -> Response:
    def work() -> bytes:
        sacc = sample_access(session, authenticate(request, session), sample_uuid, "label")
        number = int(revision) if revision.isdigit() else 0  # not a number: no such revision (404)
        return orjson.dumps(service.restore_label(session, sacc, labelset, number))

    return json_response(await run_write(request, session, work))
