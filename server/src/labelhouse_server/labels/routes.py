"""Label routes (Segments API rows 22-25). Addressed by sample uuid and labelset name; the caller needs at least
the labeler role on the sample's dataset, and the reviewer role to set REVIEWED/REJECTED/VERIFIED."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..deps import DB, CurrentUser
from ..http import empty_response, json_response, parse_json, route
from ..samples.deps import SampleLabel, SampleRead, sample_access
from . import service

router = APIRouter(tags=["labels"])

LABEL_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object",
    "properties": {"label_status": {"type": "string", "enum": ["PRELABELED", "LABELED", "REVIEWED", "REJECTED",
                                                                "SKIPPED", "VERIFIED", "LABELING_IN_PROGRESS",
                                                                "REVIEWING_IN_PROGRESS"]},
                   "attributes": {"type": "object"}, "score": {"type": "number"}}}}}}}


@route(router, "/labels/{sample_uuid}/{labelset}/", ["GET"], summary="Get a label (404 when unlabeled)")
def get_label(labelset: str, sacc: SampleRead, session: DB) -> Response:
    return json_response(orjson.dumps(service.get_label(session, sacc, labelset)))


# The writes resolve the sample and check access in the SAME worker-thread hop as the service call (no separate
# sync dependency, which would cost a hop of its own); nothing touches the database on the event loop.
@route(router, "/labels/{sample_uuid}/{labelset}/", ["PUT"], summary="Create or replace a label "
                                                                    "(201 created, 200 replaced)",
       openapi_extra=LABEL_BODY_DOC)
async def put_label(labelset: str, sample_uuid: str, request: Request, user: CurrentUser, session: DB) -> Response:
    body = parse_json(await request.body())

    def work() -> tuple[bytes, bool]:
        sacc = sample_access(session, user, sample_uuid, "label")
        label, created = service.put_label(session, sacc, labelset, body)
        return orjson.dumps(label), created

    content, created = await run_in_threadpool(work)
    return json_response(content, status_code=201 if created else 200)


@route(router, "/labels/{sample_uuid}/{labelset}/", ["PATCH"], summary="Update a label (only the fields given)",
       openapi_extra=LABEL_BODY_DOC)
async def patch_label(labelset: str, sample_uuid: str, request: Request, user: CurrentUser, session: DB) -> Response:
    body = parse_json(await request.body())

    def work() -> bytes:
        sacc = sample_access(session, user, sample_uuid, "label")
        return orjson.dumps(service.patch_label(session, sacc, labelset, body))

    return json_response(await run_in_threadpool(work))


@route(router, "/labels/{sample_uuid}/{labelset}/", ["DELETE"], status_code=204, summary="Delete a label")
def delete_label(labelset: str, sacc: SampleLabel, session: DB) -> Response:
    service.delete_label(session, sacc, labelset)
    return empty_response()
