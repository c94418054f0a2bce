"""Release routes (Segments rows 34-37). Creating answers at once with a PENDING release; a job builds the file."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..contract import WRITE_ERRORS
from ..datasets.deps import DatasetManage, DatasetRead
from ..deps import DB
from ..http import empty_response, json_response, parse_json, route
from . import service
from .schemas import ReleasePublic, parse_release_create, release_public

router = APIRouter(tags=["releases"])

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
    service.delete_release(session, acc, name, request.app.state.store)
    return empty_response()
