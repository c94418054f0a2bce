"""The fast lane: the hottest single-item endpoints served without FastAPI's per-request machinery.

A label write or a sample read does well under 1 ms of real work (one indexed join, one upsert). In front of it
FastAPI 0.16x adds its own layers: five middlewares, route matching that walks every included route, dependency
solving with async exit stacks, and a response wrapper. Measured in-process on the benchmark machine, that
machinery cost about as much as the work itself (bench/peer/analysis.md). The fast lane, a pure ASGI middleware
innermost in the app's stack, serves a short table of ``(method, path)`` endpoints directly: it matches the path
with one regular expression per endpoint, opens the request's session (``deps.request_session``), awaits the
endpoint's handler and renders errors with ``errors.exception_response``, the same rendering FastAPI's exception
handlers use. Every middleware of the app (request ids and bounded bodies, rate limits, and whatever is added
later) wraps it as it wraps the router (``tests/server/api/test_fast_lane_middleware.py``).

Each endpoint stays declared on its FastAPI router too, as a thin wrapper calling the same handler: that is what
documents it in the OpenAPI schema, and what serves it with ``LABELHOUSE_FAST_LANE=false``
(``tests/server/api/test_fast_lane.py`` runs both ways side by side and requires identical answers).

A handler is ``async def handler(request, session, *path_params) -> Response``. It reads query parameters and
the body from ``request`` itself, authenticates with ``deps.authenticate`` and writes through ``deps.run_write``
(see ``labels.routes``). A handler marked ``@without_session`` gets ``None`` for ``session`` and opens one itself
only if it needs one (``samples.routes.get_sample_handler``: an API key's GET reads without a session;
``labels.routes.put_label_fast``: an API key's label PUT on SQLite writes without one, ``db.sql.PlainWork``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .deps import request_session
from .errors import exception_response

Handler = Callable[..., Awaitable[Response]]
# A FastAPI path parameter without a converter matches one non-empty segment.
_PARAM = re.compile(r"\{[a-z_]+\}")


def without_session(handler: Handler) -> Handler:
    """Mark a fast-lane handler that opens its own session when it needs one (it is called with ``None``):
    creating and closing an unused ``Session`` cost ~8 % of the GET of a sample."""
    handler.fast_lane_without_session = True  # type: ignore[attr-defined]
    return handler


def compile_path(path: str) -> re.Pattern[str]:
    """``/labels/{sample_uuid}/{labelset}/`` -> a pattern matching it with and without the trailing slash."""
    body = path.rstrip("/")
    parts = _PARAM.split(body)
    pattern = "([^/]+)".join(re.escape(p) for p in parts)
    return re.compile(f"^{pattern}/?$")


class FastLane:
    """ASGI middleware serving a few ``(method, path)`` endpoints itself; ``match`` is the only per-request cost
    for the rest, which go on to FastAPI's router.

    It is the innermost of the app's middlewares (``create_app`` adds it first, and Starlette wraps each later
    ``add_middleware`` around the earlier ones), so every other middleware sees the fast lane's requests and
    responses exactly like the router's."""

    def __init__(self, app: ASGIApp, routes: list[tuple[str, str, Handler]]) -> None:
        self.app = app
        self._routes: dict[str, list[tuple[re.Pattern[str], Handler]]] = {}
        self._without_session = {h for _, _, h in routes if getattr(h, "fast_lane_without_session", False)}
        for method, path, handler in routes:
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.match(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        handler, params = found
        request = Request(scope, receive)
        try:
            if handler in self._without_session:
                response = await handler(request, None, *params)
            else:
                with request_session(request) as session:
                    response = await handler(request, session, *params)
        except Exception as exc:  # noqa: BLE001 - rendered exactly like FastAPI's handlers would
            response = exception_response(request, exc)
        await response(scope, receive, send)
