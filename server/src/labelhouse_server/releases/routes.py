"""Release routes (Segments rows 34-37). Creating answers at once with a PENDING release; a job builds the file."""

from __future__ import annotations

from fastapi import Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..contract import WRITE_ERRORS
from ..datasets.deps import DatasetManage, DatasetRead
from ..deps import DB
from ..http import empty_response, json_response, parse_json, route
from ..routing import Routes
from . import diff, service
from .schemas import ReleasePublic, parse_release_create, release_public

router = Routes(tags=["releases"])

RELEASE_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["name"],
    "properties": {"name": {"type": "string"}, "description": {"type": "string"}}}}}}}


@route(router, "/datasets/{owner}/{dataset}/releases/", ["GET"], model=list[ReleasePublic],
       summary="List releases (newest first)")
def get_releases(acc: DatasetRead, session: DB) -> Response:
    return json_response([release_public(r) for r in service.list_releases(session, acc)])


@route(router, "/datasets/{owner}/{dataset}/releases/{name}/", ["GET"], model=ReleasePublic,
       summary="Get a release")
def get_release(name: str, acc: DatasetRead, session: DB) -> Response:
    return json_response(release_public(service.get_release(session, acc, name)))


@route(router, "/datasets/{owner}/{dataset}/releases/", ["POST"], model=ReleasePublic, errors=WRITE_ERRORS,
       status_code=201,
       summary="Create a release (snapshot now, file built in the background)", openapi_extra=RELEASE_BODY_DOC)
async def add_release(request: Request, acc: DatasetManage, session: DB) -> Response:
    name, description = parse_release_create(parse_json(await request.body()))
    release = await run_in_threadpool(service.create_release, session, acc, name, description,
                                      request.app.state.settings, request.app.state.job_runner.notify)
    return json_response(release_public(release), status_code=201)


@route(router, "/datasets/{owner}/{dataset}/releases/{name}/", ["DELETE"], errors=WRITE_ERRORS,
       status_code=204,
       summary="Delete a release (also while it is being built)")
def delete_release(request: Request, name: str, acc: DatasetManage, session: DB) -> Response:
    service.delete_release(session, acc, name, request.app.state.job_runner.notify)
    return empty_response()


DIFF_COUNTS = {"type": "object", "properties": {k: {"type": "integer"} for k in ("added", "removed", "changed")}}
DIFF_DOC = {"responses": {"200": {"description": "Counts of what changed", "content": {"application/json": {
    "schema": {"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"},
                                                "samples": DIFF_COUNTS, "labels": DIFF_COUNTS}}}}}}}
CHANGES_DOC = {"responses": {"200": {"description": "Changes by sample name, then labelset", "content": {
    "application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["sample", "label"]},
        "change": {"type": "string", "enum": ["added", "removed", "changed"]},
        "sample_uuid": {"type": "string"}, "labelset": {"type": "string"},
        "annotations": {"type": "object", "properties": {
            k: {"type": "array", "items": {}} for k in ("added", "removed", "changed")}}}}}}}}}}


@route(router, "/datasets/{owner}/{dataset}/releases/{name}/diff/{other}/", ["GET"],
       summary="What changed from release `name` to release `other` (both SUCCEEDED, else 409)",
       openapi_extra=DIFF_DOC)
def get_release_diff(name: str, other: str, acc: DatasetRead, session: DB) -> Response:
    return json_response(diff.diff_summary(session, acc, name, other))


@route(router, "/datasets/{owner}/{dataset}/releases/{name}/diff/{other}/changes/", ["GET"],
       summary="Each sample and label added, removed or changed, by sample name then labelset",
       openapi_extra=CHANGES_DOC)
def get_release_diff_changes(
    name: str, other: str, acc: DatasetRead, session: DB,
    page: str | None = Query(None, description="1-based page (default 1)"),
    per_page: str | None = Query(None, description=f"Page size, 1-{diff.MAX_PER_PAGE} "
                                                   f"(default {diff.DEFAULT_PER_PAGE})"),
) -> Response:
    number, size = diff.parse_page(page, per_page)
    return json_response(diff.diff_changes(session, acc, name, other, number, size))
