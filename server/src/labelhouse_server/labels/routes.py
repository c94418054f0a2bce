"""Label routes (Segments API rows 22-25). Addressed by sample uuid and labelset name; the caller needs at least
the labeler role on the sample's dataset, and the reviewer role to set REVIEWED/REJECTED/VERIFIED."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..deps import DB, CurrentUser, authenticate
from ..http import empty_response, json_response, parse_json, route
from ..samples.deps import SampleLabel, sample_access
from . import service

router = APIRouter(tags=["labels"])

LABEL_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object",
    "properties": {"label_status": {"type": "string", "enum": ["PRELABELED", "LABELED", "REVIEWED", "REJECTED",
                                                                "SKIPPED", "VERIFIED", "LABELING_IN_PROGRESS",
                                                                "REVIEWING_IN_PROGRESS"]},
                   "attributes": {"type": "object"}, "score": {"type": "number"}}}}}}}


# Async on purpose (reads only, read-only transaction): cheaper than the hops of a sync route and dependency.
@route(router, "/labels/{sample_uuid}/{labelset}/", ["GET"], summary="Get a label (404 when unlabeled)")
async def get_label(labelset: str, sample_uuid: str, user: CurrentUser, session: DB) -> Response:
    sacc = sample_access(session, user, sample_uuid, "read")
    return json_response(orjson.dumps(service.get_label(session, sacc, labelset)))


# The writes authenticate, resolve the sample, check access and write in ONE worker-thread hop (the
# ``CurrentUser``/``SampleLabel`` dependencies would each cost a hop of their own), in the same order as those
# dependencies would (401, then 404/403, then the body). Nothing touches the database on the event loop.
@route(router, "/labels/{sample_uuid}/{labelset}/", ["PUT"], summary="Create or replace a label "
                                                                    "(201 created, 200 replaced)",
       openapi_extra=LABEL_BODY_DOC)
async def put_label(labelset: str, sample_uuid: str, request: Request, session: DB) -> Response:
    raw = await request.body()

    def work() -> tuple[bytes, bool]:
        sacc = sample_access(session, authenticate(request, session), sample_uuid, "label")
        label, created = service.put_label(session, sacc, labelset, parse_json(raw))
        return orjson.dumps(label), created

    content, created = await run_in_threadpool(work)
    return json_response(content, status_code=201 if created else 200)


@route(router, "/labels/{sample_uuid}/{labelset}/", ["PATCH"], summary="Update a label (only the fields given)",
       openapi_extra=LABEL_BODY_DOC)
async def patch_label(labelset: str, sample_uuid: str, request: Request, session: DB) -> Response:
    raw = await request.body()

    def work() -> bytes:
        sacc = sample_access(session, authenticate(request, session), sample_uuid, "label")
        return orjson.dumps(service.patch_label(session, sacc, labelset, parse_json(raw)))

    return json_response(await run_in_threadpool(work))


@route(router, "/labels/{sample_uuid}/{labelset}/", ["DELETE"], status_code=204, summary="Delete a label")
def delete_label(labelset: str, sacc: SampleLabel, session: DB) -> Response:
    service.delete_label(session, sacc, labelset)
    return empty_response()
