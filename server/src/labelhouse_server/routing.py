"""Routers whose routes are built once, by the app that serves them (issue 16: start-up time).

FastAPI (0.16x) builds a route (its dependency tree, parameter fields and handler: ~55 % of what start-up spends
in our own code, bench/RESULTS.md issue 16 session 8) when it is declared on an ``APIRouter``, and again for every
app that includes the router. Every route of ours was built twice, and every ``http.route`` was declared twice, for
its trailing-slash twin: four builds per endpoint. A ``Routes`` router records what its decorators declare and
builds nothing; ``install`` adds each declared route to the app's own router, where it is built once, and gives a
route declared ``either_spelling`` one pattern that matches its path with and without the trailing slash.

Only what our routers use is supported (a prefix, tags, a route class, ``include_in_schema``): anything else an
``APIRouter`` can carry (router-wide dependencies, responses, callbacks) is refused when the router is made, so
that nothing FastAPI's ``include_router`` would have merged is silently lost.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match, get_route_path
from starlette.types import Receive, Scope, Send

from .contract import DOCUMENTED_MODELS


@dataclass(frozen=True)
class Declared:
    path: str
    endpoint: Callable[..., Any]
    options: dict[str, Any]  # ``APIRouter.add_api_route``'s keyword arguments, as the decorator gave them
    either_spelling: bool = False  # also served at the path with (or without) a trailing slash
    documented: dict[int, Any] | None = None  # response models for the OpenAPI description (``http.route``)


class Routes(APIRouter):
    """An ``APIRouter`` whose decorators (``get``, ``post``, ``api_route`` ...) only record the route; ``install``
    builds it on an app."""

    def __init__(self, *, prefix: str = "", tags: list[str] | None = None, route_class: type[APIRoute] = APIRoute,
                 include_in_schema: bool = True) -> None:
        super().__init__(prefix=prefix, tags=list(tags or []), route_class=route_class,
                         include_in_schema=include_in_schema)
        self.declared: list[Declared] = []

    # Identity: Starlette's ``Router.__eq__`` compares ``routes``, which is empty in every ``Routes``.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        self.declared.append(Declared(path, endpoint, options))

    def declare(self, path: str, endpoint: Callable[..., Any], *, either_spelling: bool,
                documented: dict[int, Any] | None, **options: Any) -> None:
        self.declared.append(Declared(path, endpoint, options, either_spelling, documented or None))

    def _refuse(self, *_: Any, **__: Any) -> None:
        raise TypeError("Routes records API routes only (routing.py); declare other routes on the app")

    add_route = add_api_websocket_route = add_websocket_route = mount = host = include_router = _refuse


def install(app: FastAPI, router: Routes, *, include_in_schema: bool = True) -> None:
    """Build ``router``'s declared routes on ``app``'s router, in declaration order (the order they are matched
    in), as ``app.include_router(router, include_in_schema=...)`` would have served them."""
    for declared in router.declared:
        options = dict(declared.options)
        options["tags"] = [*router.tags, *(options.get("tags") or [])]
        options["include_in_schema"] = (options.get("include_in_schema", True) and router.include_in_schema
                                        and include_in_schema)
        options.setdefault("route_class_override", router.route_class)
        app.router.add_api_route(router.prefix + declared.path, declared.endpoint, **options)
        route = app.router.routes[-1]
        if declared.documented:
            setattr(route, DOCUMENTED_MODELS, declared.documented)
        if declared.either_spelling:
            route.path_regex = either_spelling(route.path_regex)  # type: ignore[attr-defined]


def either_spelling(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``^/a/(?P<b>[^/]+)/$`` or ``^/a/(?P<b>[^/]+)$`` (Starlette's ``compile_path``) → ``^/a/(?P<b>[^/]+)/?$``."""
    text = pattern.pattern
    if not text.endswith("$") or text.endswith(".*)$"):  # a trailing {x:path} would swallow the slash
        raise ValueError(f"cannot serve both spellings of {text!r}")
    body = text[:-1]
    return re.compile((body.removesuffix("/")) + "/?$")


class LazyRoutes(BaseRoute):
    """A group of routes built on the first request whose path starts with one of ``prefixes``, then matched in
    their place, in their order (issue 16: the Labelbox API's 18 routes and the modules behind them are a server's
    start-up time and idle memory that a server never asked for them need not pay).

    ``build(app)`` imports what the group needs and adds its routes to ``app``'s router (``install``); they are
    taken back out of the router at once and kept here, so the app's list of routes never changes while serving.
    The build runs where the request is routed (the event loop), under a lock: no other request can be routed
    into a half-built group, and a second thread routing at the same moment waits for the first build (pydantic
    builds a model's validator on first use without a lock: building routes in a thread beside requests failed
    in CI, bench/RESULTS.md issue 16 session 6). Every path the group serves must start with one of ``prefixes``
    (checked when it is built); a request for any other path passes the group at the cost of one ``startswith``.
    Not in the OpenAPI description (``include_in_schema`` is false for the Labelbox wire protocol anyway)."""

    def __init__(self, app: FastAPI, prefixes: Sequence[str], build: Callable[[FastAPI], None]) -> None:
        self._app = app
        self._prefixes = tuple(prefixes)
        self._build = build
        self._routes: list[BaseRoute] | None = None
        self._lock = threading.Lock()
        self.include_in_schema = False

    @property
    def routes(self) -> list[BaseRoute]:
        """The group's routes (built now if they were not yet)."""
        routes = self._routes
        if routes is None:
            with self._lock:
                if self._routes is None:
                    self._routes = self._built()
                routes = self._routes
        return routes

    def _built(self) -> list[BaseRoute]:
        router = self._app.router
        start = len(router.routes)
        self._build(self._app)
        routes = router.routes[start:]
        del router.routes[start:]
        for route in routes:
            path = getattr(route, "path", "")
            if not path.startswith(self._prefixes):
                raise RuntimeError(f"lazy route {path!r} is outside {self._prefixes}")
        return routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not get_route_path(scope).startswith(self._prefixes):
            return Match.NONE, {}
        partial: Scope | None = None
        for route in self.routes:
            match, child_scope = route.matches(scope)
            if match == Match.FULL:
                return match, child_scope  # an APIRoute's child scope names it: scope["route"]
            if match == Match.PARTIAL and partial is None:
                partial = child_scope
        if partial is not None:
            return Match.PARTIAL, partial
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = scope["route"]
        _route_selected(scope=scope, path=getattr(route, "path_format", None))
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        from starlette.routing import NoMatchFound

        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


def _route_selected(*, scope: Scope, path: str | None) -> None:
    """FastAPI's native telemetry names a request's span by its route's path: the router gave the group's (none)."""
    if scope.get("fastapi.telemetry") is not None:
        from fastapi.telemetry._api import _route_selected as selected

        selected(scope=scope, path=path)


def skip_pydantic_v1_probes() -> None:
    """FastAPI (0.16x) refuses pydantic v1 models, and to recognise one it imports ``pydantic.v1`` (1.5 MiB and
    ~0.035 s of every start: bench/RESULTS.md issue 16 session 9) when it builds the first route with a response
    model. No class or object can be a v1 model unless ``pydantic.v1`` has been imported, so until then the
    answer is no without importing it; once anything imports it, FastAPI's own check runs as before. Idempotent;
    does nothing if FastAPI no longer has these checks."""
    from fastapi import encoders
    from fastapi._compat import shared

    for module, name in ((shared, "is_pydantic_v1_model_class"), (shared, "is_pydantic_v1_model_instance"),
                         (encoders, "is_pydantic_v1_model_instance")):
        check = getattr(module, name, None)
        if check is None or getattr(check, "skips_without_pydantic_v1", False):
            continue
        setattr(module, name, _unless_pydantic_v1_absent(check))


def _unless_pydantic_v1_absent(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def probe(obj: Any) -> bool:
        return "pydantic.v1" in sys.modules and check(obj)

    probe.skips_without_pydantic_v1 = True  # type: ignore[attr-defined]
    return probe


__all__ = ["Declared", "LazyRoutes", "Routes", "either_spelling", "install", "skip_pydantic_v1_probes"]
