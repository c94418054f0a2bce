"""Label routes (Segments API rows 22-25). Addressed by sample uuid and labelset name; the caller needs at least
the labeler role on the sample's dataset, and the reviewer role to set REVIEWED/REJECTED/VERIFIED."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..deps import DB
from ..http import empty_response, json_response, parse_json, route
from ..samples.deps import SampleLabel, SampleRead
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


@route(router, "/labels/{sample_uuid}/{labelset}/", ["PUT"], summary="Create or replace a label "
                                                                    "(201 created, 200 replaced)",
       openapi_extra=LABEL_BODY_DOC)
async def put_label(labelset: str, request: Request, sacc: SampleLabel, session: DB) -> Response:
    body = parse_json(await request.body())
    label, created = await run_in_threadpool(service.put_label, session, sacc, labelset, body)
    return json_response(orjson.dumps(label), status_code=201 if created else 200)


@route(router, "/labels/{sample_uuid}/{labelset}/", ["PATCH"], summary="Update a label (only the fields given)",
       openapi_extra=LABEL_BODY_DOC)
async def patch_label(labelset: str, request: Request, sacc: SampleLabel, session: DB) -> Response:
    body = parse_json(await request.body())
    label = await run_in_threadpool(service.patch_label, session, sacc, labelset, body)
    return json_response(orjson.dumps(label))


@route(router, "/labels/{sample_uuid}/{labelset}/", ["DELETE"], status_code=204, summary="Delete a label")
def delete_label(labelset: str, sacc: SampleLabel, session: DB) -> Response:
    service.delete_label(session, sacc, labelset)
    return empty_response()
