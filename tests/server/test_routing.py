"""``routing.py``: routes built once by the app, one route for both spellings of an ``http.route`` path."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from labelhouse_server.http import route
from labelhouse_server.routing import Routes, either_spelling, install


@pytest.mark.parametrize(("path", "matches", "misses"), [
    ("/a/{b}/", ["/a/x/", "/a/x"], ["/a/x//", "/a/", "/a/x/y"]),
    ("/a/{b}", ["/a/x/", "/a/x"], ["/a/x//", "/a"]),
    ("/user/datasets/", ["/user/datasets/", "/user/datasets"], ["/user/datasetsx", "/user/datasets//"]),
])
def test_either_spelling(path: str, matches: list[str], misses: list[str]) -> None:
    pattern = either_spelling(APIRoute(path, lambda: None).path_regex)
    assert all(pattern.match(p) for p in matches)
    assert not any(pattern.match(p) for p in misses)


def test_a_trailing_path_parameter_is_refused() -> None:
    with pytest.raises(ValueError, match="both spellings"):
        either_spelling(APIRoute("/files/{key:path}", lambda: None).path_regex)


def test_routes_are_built_by_the_app_only() -> None:
    router = Routes(prefix="/p", tags=["t"])

    @route(router, "/things/{name}/", ["GET"])
    def thing(name: str) -> dict:
        return {"name": name}

    @router.post("/plain", include_in_schema=False)
    def plain() -> dict:
        return {"ok": True}

    assert router.routes == [] and len(router.declared) == 2  # nothing built at declaration
    with pytest.raises(TypeError):
        router.include_router(Routes())
    assert router != Routes(prefix="/p", tags=["t"])  # identity, not Starlette's equal (empty) route lists

    app = FastAPI(redirect_slashes=False)  # as create_app
    install(app, router)
    built = [r for r in app.router.routes if isinstance(r, APIRoute)]
    assert [(r.path, r.methods, r.tags, r.include_in_schema) for r in built] == [
        ("/p/things/{name}/", {"GET"}, ["t"], True), ("/p/plain", {"POST"}, ["t"], False)]
    assert asyncio.run(_statuses(app, [("GET", "/p/things/x/"), ("GET", "/p/things/x"), ("POST", "/p/things/x"),
                                       ("POST", "/p/plain"), ("POST", "/p/plain/")])) == [
        (200, {"name": "x"}), (200, {"name": "x"}), (405, None), (200, {"ok": True}),
        (404, None)]  # only http.route serves both spellings
    second = FastAPI()
    install(second, router, include_in_schema=False)  # the same declarations, built again for another app
    assert [r.include_in_schema for r in second.router.routes if isinstance(r, APIRoute)] == [False, False]


async def _statuses(app: FastAPI, requests: list[tuple[str, str]]) -> list[tuple[int, object]]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        out: list[tuple[int, object]] = []
        for method, path in requests:
            r = await client.request(method, path)
            out.append((r.status_code, r.json() if r.status_code == 200 else None))
        return out
