"""The fast lane: the hottest single-item endpoints served without FastAPI's per-request machinery.

A label write or a sample read does well under 1 ms of real work (one indexed join, one upsert). In front of it
FastAPI 0.16x adds its own layers: five middlewares, route matching that walks every included route, dependency
solving with async exit stacks, and a response wrapper. Measured in-process on the benchmark machine, that
machinery cost about as much as the work itself (bench/peer/analysis.md). The fast lane serves a short table of
``(method, path)`` endpoints directly: it matches the path with one regular expression per endpoint, opens the
request's session (``deps.request_session``), awaits the endpoint's handler and renders errors with
``errors.exception_response``, the same rendering FastAPI's exception handlers use. The request-id and gzip
plumbing wraps it as it wraps FastAPI.

Each endpoint stays declared on its FastAPI router too, as a thin wrapper calling the same handler: that is what
documents it in the OpenAPI schema, and what serves it with ``LABELHOUSE_FAST_LANE=false``
(``tests/server/api/test_fast_lane.py`` runs both ways side by side and requires identical answers).

A handler is ``async def handler(request, session, *path_params) -> Response``. It reads query parameters and
the body from ``request`` itself, authenticates with ``deps.authenticate`` and writes through ``deps.run_write``
(see ``labels.routes``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .deps import request_session
from .errors import exception_response
from .http import RequestPlumbingMiddleware
from .ratelimit import RateLimitMiddleware

Handler = Callable[..., Awaitable[Response]]
# A FastAPI path parameter without a converter matches one non-empty segment.
_PARAM = re.compile(r"\{[a-z_]+\}")


def compile_path(path: str) -> re.Pattern[str]:
    """``/labels/{sample_uuid}/{labelset}/`` -> a pattern matching it with and without the trailing slash."""
    body = path.rstrip("/")
    parts = _PARAM.split(body)
    pattern = "([^/]+)".join(re.escape(p) for p in parts)
    return re.compile(f"^{pattern}/?$")


class FastLane:
    """Dispatch for a few ``(method, path)`` endpoints; ``match`` is the only per-request cost for the rest."""

    def __init__(self) -> None:
        self._routes: dict[str, list[tuple[re.Pattern[str], Handler]]] = {}
        # The same middlewares as the app's stack (app.py), in the same order.
        self._plumbed = RequestPlumbingMiddleware(RateLimitMiddleware(self._serve))

    def add(self, method: str, path: str, handler: Handler) -> None:
        self._routes.setdefault(method, []).append((compile_path(path), handler))

    def match(self, scope: Scope) -> tuple[Handler, tuple[str, ...]] | None:
        routes = self._routes.get(scope["method"])
        if routes is None:
            return None
        path: str = scope["path"]
        root = scope.get("root_path") or ""
        if root and path.startswith(root):
            path = path[len(root):]
        for pattern, handler in routes:
            m = pattern.match(path)
            if m is not None:
                return handler, m.groups()
        return None

    async def __call__(self, app: Any, scope: Scope, receive: Receive, send: Send,
                       found: tuple[Handler, tuple[str, ...]]) -> None:
        scope["app"] = app
        scope["labelhouse.fast_lane"] = found
        await self._plumbed(scope, receive, send)

    @staticmethod
    async def _serve(scope: Scope, receive: Receive, send: Send) -> None:
        handler, params = scope["labelhouse.fast_lane"]
        request = Request(scope, receive)
        try:
            with request_session(request) as session:
                response = await handler(request, session, *params)
        except Exception as exc:  # noqa: BLE001 - rendered exactly like FastAPI's handlers would
            response = exception_response(request, exc)
        await response(scope, receive, send)
