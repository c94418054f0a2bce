"""``routing.py``: routes built once by the app, one route for both spellings of an ``http.route`` path."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from labelhouse_server.http import route
from labelhouse_server.routing import LazyRoutes, Routes, either_spelling, install
from starlette.routing import BaseRoute


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


def _lazy_app(builds: list[int], paths: tuple[str, ...] = ("/lazy/{name}", "/lazy-post")) -> tuple[FastAPI, LazyRoutes]:
    router = Routes()

    @router.get(paths[0])
    def lazy_get(name: str) -> dict:
        return {"name": name}

    @router.post(paths[1])
    def lazy_post() -> dict:
        return {"posted": True}

    def build(app: FastAPI) -> None:
        time.sleep(0.05)  # long enough for a second thread to arrive during the build
        builds.append(1)
        install(app, router)

    app = FastAPI(redirect_slashes=False)
    group = LazyRoutes(app, ("/lazy",), build)
    app.router.routes.append(group)

    @app.get("/after/{rest:path}")
    def after(rest: str) -> dict:
        return {"after": rest}

    return app, group


def test_lazy_routes_are_built_by_their_first_request_and_matched_in_place() -> None:
    builds: list[int] = []
    app, group = _lazy_app(builds)
    routes_before = list(app.router.routes)
    assert asyncio.run(_statuses(app, [("GET", "/after/x")])) == [(200, {"after": "x"})]
    assert builds == []  # a path outside the group's prefixes builds nothing
    assert asyncio.run(_statuses(app, [("GET", "/lazy/x"), ("POST", "/lazy/x"), ("POST", "/lazy-post"),
                                       ("GET", "/lazyz"), ("GET", "/after/y")])) == [
        (200, {"name": "x"}), (405, None), (200, {"posted": True}), (404, None), (200, {"after": "y"})]
    assert builds == [1]
    assert app.router.routes == routes_before  # the built routes live in the group, not in the app's list
    assert [r.path for r in group.routes if isinstance(r, APIRoute)] == ["/lazy/{name}", "/lazy-post"]


def test_lazy_routes_are_built_once_when_threads_route_at_the_same_time() -> None:
    builds: list[int] = []
    _, group = _lazy_app(builds)
    seen: list[list[BaseRoute]] = []
    threads = [threading.Thread(target=lambda: seen.append(group.routes)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == [1]
    assert len(seen) == 8 and all(routes is seen[0] and len(routes) == 2 for routes in seen)


def test_a_lazy_route_outside_the_prefixes_is_refused() -> None:
    _, group = _lazy_app([], paths=("/lazy/{name}", "/elsewhere"))
    with pytest.raises(RuntimeError, match="outside"):
        _ = group.routes


def test_the_labelbox_api_is_built_on_its_first_request(tmp_path) -> None:
    from labelhouse_server.app import create_app
    from labelhouse_server.settings import Settings

    app = create_app(Settings(data_dir=tmp_path, bootstrap_admin=False))
    (group,) = [r for r in app.router.routes if isinstance(r, LazyRoutes)]
    assert group._routes is None
    paths = {r.path for r in app.router.routes if isinstance(r, APIRoute)}
    assert "/samples/{sample_uuid}/" in paths and not any(p.startswith(("/api/v1", "/graphql")) for p in paths)

    async def statuses() -> list[tuple[int, dict]]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return [((r := await client.request(method, path)).status_code, r.json())
                    for method, path in [("GET", "/api/v1/status"), ("GET", "/api/v1/nowhere")]]

    try:
        (status, unauthenticated), (missing, unknown) = asyncio.run(statuses())
    finally:
        app.state.engine.dispose()
    assert status == 401 and "message" in unauthenticated  # the Labelbox REST error dialect
    assert missing == 404 and unknown["message"] == "Not found: /api/v1/nowhere"  # the fallback, still after them
    assert group._routes is not None
    built = {r.path for r in group._routes if isinstance(r, APIRoute)}
    assert {"/graphql", "/_gql", "/api/v1/status", "/api/v1/{rest:path}"} <= built


def test_a_new_app_imports_neither_the_labelbox_api_nor_pydantic_v1_nor_argon2(tmp_path) -> None:
    """What a server that was never asked for them need not hold (issue 16: idle memory and start-up time)."""
    import subprocess
    import sys

    code = ("import sys; from labelhouse_server.app import create_app; from labelhouse_server.settings import "
            f"Settings; create_app(Settings(data_dir={str(tmp_path)!r}, bootstrap_admin=False)); "
            "print(sorted(m for m in sys.modules if m in ('pydantic.v1', 'argon2', 'graphql') "
            "or m.startswith(('labelhouse_server.labelbox.rest', 'labelhouse_server.labelbox.adv', "
            "'labelhouse_server.labelbox.endpoint', 'labelhouse_server.exports.routes'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_pydantic_v1_models_are_still_refused_once_pydantic_v1_is_imported() -> None:
    import warnings

    from fastapi.exceptions import PydanticV1NotSupportedError
    from labelhouse_server.routing import skip_pydantic_v1_probes

    skip_pydantic_v1_probes()
    skip_pydantic_v1_probes()  # idempotent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydantic import v1

    class Old(v1.BaseModel):
        x: int

    app = FastAPI()
    with pytest.raises(PydanticV1NotSupportedError):
        app.get("/old", response_model=Old)(lambda: None)
