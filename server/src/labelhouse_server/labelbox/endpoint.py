"""``POST /graphql`` and ``POST /_gql``: one handler (trap 1), ``execution.handle``.

graphql-core, Ariadne and the executable schema are loaded by the first GraphQL request (in a worker thread), not
when the server starts: they are ~5 MiB and ~10 % of the start-up time of a server that may never serve one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..routing import Routes

router = Routes(tags=["labelbox"])

_handle: Callable[[Request], Awaitable[Response]] | None = None


def _load() -> Callable[[Request], Awaitable[Response]]:
    from .execution import handle

    return handle


@router.post("/graphql", summary="Labelbox GraphQL API (the official Labelbox SDK's `endpoint`)")
@router.post("/_gql", summary="Labelbox GraphQL API, 'experimental' path (same handler)")
async def graphql_endpoint(request: Request) -> Response:
    global _handle
    if _handle is None:
        _handle = await run_in_threadpool(_load)
    return await _handle(request)
