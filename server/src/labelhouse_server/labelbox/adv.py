"""The Labelbox SDK's "ADV" embedding-vector routes (contract §2.13, trap 1).

The SDK derives their base from ``rest_endpoint`` as ``<scheme>://<host:port>/adv`` and appends ``/adv/v1/...``,
so the paths are doubled: ``PUT /adv/adv/v1/embeddings/{id}/_import_ndjson`` (NDJSON body, ≤ 1,000 lines per
request, ending with a blank line) and ``GET /adv/adv/v1/embeddings/{id}/vectors/_count``. Errors are JSON with
``message`` (``MessageErrorRoute``): the SDK raises ``LabelboxError(message)`` for the count and
``requests.HTTPError`` for an import chunk.

``POST /adv/adv/v1/embeddings/{id}/_search`` is ours (the SDK has no similarity-search call): the k nearest data
rows of the organization to a vector or to a data row's own vector (``catalog/embeddings.search``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..auth.bearer import BearerUser, authenticate_bearer
from ..catalog import embeddings as service
from ..catalog.orgs import scope_for
from ..deps import DB
from ..embeddings.routes import read_session
from ..errors import PayloadTooLarge
from ..http import json_response, parse_json
from ..routing import Routes
from .rest import MessageErrorRoute

PREFIX = "/adv/adv/v1/embeddings"
MAX_BODY = 64 * 1024 * 1024

router = Routes(prefix=PREFIX, tags=["labelbox"], route_class=MessageErrorRoute)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise PayloadTooLarge(f"Request body exceeds {MAX_BODY} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise PayloadTooLarge(f"Request body exceeds {MAX_BODY} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


@router.put("/{embedding_id}/_import_ndjson",
            summary="Insert or replace vectors of data rows: NDJSON lines {\"id\": <data row id>, \"vector\": [...]}")
async def import_vectors(embedding_id: str, request: Request, user: BearerUser, session: DB) -> Response:
    body = await _body(request)
    state = request.app.state

    def work() -> dict[str, Any]:
        scope = scope_for(session, user)
        return service.import_vectors(session, scope, embedding_id, body, state.settings,
                                      on_commit=state.job_runner.notify)

    return json_response(await run_in_threadpool(work))


@router.get("/{embedding_id}/vectors/_count", summary="Number of vectors of an embedding")
def vector_count(embedding_id: str, user: BearerUser, session: DB) -> dict[str, int]:
    return {"count": service.vector_count(session, scope_for(session, user), embedding_id)}


@router.post("/{embedding_id}/_search",
             summary="The k data rows nearest to a vector or to a data row's own vector (labelhouse extension)")
async def search(embedding_id: str, request: Request) -> Response:
    parsed = parse_json(await _body(request))

    def work() -> dict[str, Any]:
        with read_session(request) as session:
            user = authenticate_bearer(request, session)
            return service.search(session, scope_for(session, user), request.app.state.embedding_indexes,
                                  embedding_id, parsed)

    return json_response(await run_in_threadpool(work))
