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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

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


__all__ = ["Declared", "Routes", "either_spelling", "install"]
