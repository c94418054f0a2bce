"""Sample routes (Segments API rows 15-21). Thin: parse, check permission (named dependencies), call the service.

The bulk endpoints read the raw body and answer with pre-rendered JSON bytes: no request/response models on the
hot path (gzip bodies are already inflated by the plumbing middleware)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..access import SampleManage, sample_access, sample_access_by_key
from ..contract import WRITE_ERRORS
from ..datasets.deps import DatasetManage, DatasetRead
from ..datasets.permissions import dataset_access
from ..db.sql import Reader, plain_reads
from ..deps import DB, api_key_from, authenticate, request_session
from ..fastlane import Handler, without_session
from ..http import empty_response, json_response, parse_json, route
from ..limits import check_filters, check_page
from ..routing import Routes
from . import service
from .query import Listed, SampleQuery, list_samples, listed, listed_by_key
from .schemas import SamplePublic, SamplesDeleted

router = Routes(tags=["samples"])

SAMPLE_BODY_DOC: dict[str, Any] = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["name", "attributes"],
    "properties": {"name": {"type": "string"}, "attributes": {"type": "object"}, "metadata": {"type": "object"},
                   "priority": {"type": "number"}, "assigned_labeler": {"type": "string", "nullable": True},
                   "assigned_reviewer": {"type": "string", "nullable": True}, "readme": {"type": "string"},
                   "embedding": {"type": "array", "items": {"type": "number"}}}}}}}}
BULK_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "array", "items": SAMPLE_BODY_DOC["requestBody"]["content"]["application/json"]["schema"]}}}}}
DELETE_BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"uuids": {"type": "array", "items": {"type": "string"}}}}}}}}


def _dumps(content: Any) -> bytes:
    return orjson.dumps(content)


@route(router, "/datasets/{owner}/{dataset}/samples/", ["GET"], model=list[SamplePublic],
       summary="List samples (filters, sort, pages)")
def get_samples(
    request: Request, acc: DatasetRead, session: DB,
    per_page: str = Query("1000", description="Page size, 1-1000"),
    page: str = Query("1", description="1-based page; past the last page the list is empty"),
    after: str | None = Query(None, description="Continue after the page whose `Link: <...>; rel=\"next\"` header "
                                                "gave this token (instead of `page`)"),
    labelset: str | None = Query(None, description="Include each sample's label in this labelset"),
    include_full_label: str | None = Query(None, description="1: full labels instead of summaries"),
    name__contains: str | None = Query(None, description="Substring of the sample name (case-sensitive)"),
    filters: str | None = Query(None, description="Metadata filters `key:value,key:value`"),
    label_status: str | None = Query(None, description="Comma-separated statuses; UNLABELED = no label"),
    sort: str | None = Query(None, description="name, created_at, priority, updated_at, gt_label__updated_at; "
                                               "prefix `-` for descending"),
) -> Response:
    return _listing(request, session, listed(acc))


# The listing's query parameters (documented on ``get_samples``), read from the request by ``_listing``: the last
# value of a repeated parameter, as FastAPI's ``Query`` reads a ``str`` parameter.
_LISTING_PARAMS = ("per_page", "page", "after", "labelset", "include_full_label", "name__contains", "filters",
                   "label_status", "sort")


def _listing(request: Request, session: Reader, dataset: Listed) -> Response:
    params = request.query_params
    query = SampleQuery.from_params({name: params.get(name) for name in _LISTING_PARAMS})
    settings = request.app.state.settings
    check_page(query.page, settings)
    check_filters(len(query.metadata), settings)
    listing = list_samples(session, dataset, query, json_in_database=settings.listing_json_in_database)
    response = json_response(listing.body)
    if listing.next_token is not None:  # a stateless continuation (samples/query.py): same answer from any process
        kept = [(k, v) for k, v in params.multi_items() if k not in ("page", "after")]
        next_url = request.url.replace_query_params(**dict(kept), after=listing.next_token)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


# The listing in the fast lane (``fastlane.py``): the SDKs page through whole datasets with it, and FastAPI's
# dependency solving, parameter validation and exit stacks cost ~1/4 of a page's CPU beside SQLite's work
# (bench/RESULTS.md, issue 16 session 7). The same steps in the same order as ``get_samples``' dependencies
# (authenticate, then the dataset's read access), all in one worker-thread hop: a page is milliseconds of reads.
# With an API key (the SDKs), the key, the dataset and the caller's roles are one statement without ORM objects
# (``query.listed_by_key``), and the whole listing reads through ``PlainReads`` on a pooled connection (one read
# transaction on SQLite, as a request session's): a ``Session``'s set-up and rollback were ~15 % of a served page
# (issue 16, session 9). The web app's cookie takes the dependencies' path, in a request session.
@without_session
async def list_samples_handler(request: Request, session: Session | None, owner: str, dataset: str) -> Response:
    def work() -> Response:
        api_key = api_key_from(request)
        if api_key is None:
            with request_session(request) as own:
                target = listed(dataset_access(own, authenticate(request, own), owner, dataset, "read"))
                return _listing(request, own, target)
        with plain_reads(request.app.state.engine) as reads:
            target = listed_by_key(reads, api_key, owner, dataset)
            request.state.account_id = target.user.id
            return _listing(request, reads, target)

    return await run_in_threadpool(work)


@route(router, "/datasets/{owner}/{dataset}/samples/", ["POST"], model=SamplePublic, errors=WRITE_ERRORS,
       status_code=201, summary="Add a sample",
       openapi_extra=SAMPLE_BODY_DOC)
async def add_sample(request: Request, acc: DatasetManage, session: DB) -> Response:
    body = parse_json(await request.body())
    out = await run_in_threadpool(service.add_samples, session, acc, body, single=True)
    return json_response(_dumps(out[0]), status_code=201)


@route(router, "/datasets/{owner}/{dataset}/samples_bulk/", ["POST"], model=list[SamplePublic], errors=WRITE_ERRORS,
       status_code=201,
       summary="Add many samples; names that already exist are returned unchanged", openapi_extra=BULK_BODY_DOC)
async def add_samples(request: Request, acc: DatasetManage, session: DB) -> Response:
    body = parse_json(await request.body())

    def work() -> bytes:
        return _dumps(service.add_samples(session, acc, body))

    return json_response(await run_in_threadpool(work), status_code=201)


@route(router, "/datasets/{owner}/{dataset}/samples_bulk/", ["DELETE"], model=SamplesDeleted, errors=WRITE_ERRORS,
       summary="Delete samples by uuid",
       openapi_extra=DELETE_BODY_DOC)
async def delete_samples(request: Request, acc: DatasetManage, session: DB) -> Response:
    body = parse_json(await request.body())
    deleted = await run_in_threadpool(service.delete_samples, session, acc, body)
    return json_response({"deleted_count": deleted})


# Async on purpose, like ``deps.current_account`` for reads: indexed reads in a read-only transaction (SQLite: a
# WAL snapshot that never waits for writers) cost less than the worker-thread hops a sync route and dependency
# would take. The sample writes of this module run in worker threads. Served by the fast lane (``fastlane.py``) and
# the route below. With an API key (the SDKs), the key, the sample and the caller's roles are read in one statement
# through ``PlainReads`` (no session: its set-up and tear-down cost more than the reads), on SQLite on the app's
# held connection (``db.sql.HeldReads``: no pool checkout); the web app's cookie takes the session's path.
@without_session
async def get_sample_handler(request: Request, session: Session | None, sample_uuid: str) -> Response:
    scope = request.scope
    labelset = request.query_params.get("labelset") if scope.get("query_string") else None
    api_key = api_key_from(request)
    if api_key is None:
        if session is None:
            with request_session(request) as own:
                return _get_sample_by_session(request, own, sample_uuid, labelset)
        return _get_sample_by_session(request, session, sample_uuid, labelset)
    state = request.app.state
    with plain_reads(state.engine, state.held_reads) as reads:
        sacc = sample_access_by_key(reads, api_key, sample_uuid, "read")
        scope.setdefault("state", {})["account_id"] = sacc.user.id
        return json_response(_dumps(service.get_sample(reads, sacc, labelset)))


def _get_sample_by_session(request: Request, session: Session, sample_uuid: str, labelset: str | None) -> Response:
    sacc = sample_access(session, authenticate(request, session), sample_uuid, "read")
    return json_response(_dumps(service.get_sample(session, sacc, labelset)))


FAST_LANE: list[tuple[str, str, Handler]] = [("GET", "/samples/{sample_uuid}/", get_sample_handler),
                                             ("GET", "/datasets/{owner}/{dataset}/samples/", list_samples_handler)]


# The handler reads its query parameters itself (it also serves the fast lane); documented here.
def _optional_query(name: str, title: str, description: str) -> dict[str, Any]:
    schema = {"anyOf": [{"type": "string"}, {"type": "null"}], "description": description, "title": title}
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


GET_SAMPLE_PARAMETERS: dict[str, Any] = {"parameters": [
    _optional_query("labelset", "Labelset", "Embed the label of this labelset"),
    _optional_query("include_signed_urls", "Include Signed Urls", "Accepted; URLs are returned as stored")]}


@route(router, "/samples/{sample_uuid}/", ["GET"], model=SamplePublic,
       summary="Get a sample (optionally with its label)", openapi_extra=GET_SAMPLE_PARAMETERS)
async def get_sample(sample_uuid: str, request: Request, session: DB) -> Response:
    return await get_sample_handler(request, session, sample_uuid)


@route(router, "/samples/{sample_uuid}/", ["PATCH"], model=SamplePublic, errors=WRITE_ERRORS,
       summary="Update a sample (only the fields given; null unassigns assigned_labeler/assigned_reviewer)",
       openapi_extra=SAMPLE_BODY_DOC)
async def update_sample(request: Request, sacc: SampleManage, session: DB) -> Response:
    body = parse_json(await request.body())
    out = await run_in_threadpool(service.update_sample, session, sacc, body)
    return json_response(_dumps(out))


@route(router, "/samples/{sample_uuid}/", ["DELETE"], errors=WRITE_ERRORS,
       status_code=204, summary="Delete a sample")
def delete_sample(sacc: SampleManage, session: DB) -> Response:
    service.delete_sample(session, sacc)
    return empty_response()
