"""The fast lane runs inside the middleware stack (issue 10 §6): every middleware of the app — ours, one added
after ``create_app`` as a pure ASGI class, one added with ``@app.middleware("http")`` — sees the fast lane's
requests and responses (so the rate limits of ``ratelimit.py`` apply to them too), while those requests still never
reach FastAPI's router. In-process (``create_app`` with
``httpx.ASGITransport``), on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from labelhouse_server.app import create_app
from labelhouse_server.auth.keys import issue_key
from labelhouse_server.db.engine import make_engine, make_sessionmaker
from labelhouse_server.db.migrate import upgrade
from labelhouse_server.fastlane import FastLane
from labelhouse_server.http import RequestPlumbingMiddleware
from labelhouse_server.ratelimit import RateLimitMiddleware
from labelhouse_server.settings import Settings
from labelhouse_server.users.service import create_user
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from starlette.types import ASGIApp, Receive, Scope, Send
from support import backends, fresh_database, unique


class Recorder:
    """A pure ASGI middleware recording (method, path, status) of every response it passes on."""

    def __init__(self, app: ASGIApp, log: list[tuple[str, str, int]]) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def recording_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.log.append((scope["method"], scope["path"], message["status"]))
            await send(message)

        await self.app(scope, receive, recording_send)


@pytest.fixture(params=backends())
def app_and_key(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, str]]:
    with fresh_database(request.param, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        with make_sessionmaker(engine)() as session:
            _, key = issue_key(session, create_user(session, unique("mw")))
            session.commit()
        engine.dispose()
        app = create_app(Settings(data_dir=tmp_path, database_url=url, public_url="http://test"))
        yield app, key
        app.state.engine.dispose()


def test_every_middleware_sees_fast_lane_responses(app_and_key: tuple[Any, str]) -> None:
    app, key = app_and_key
    # ours wrap the fast lane: it is the innermost user middleware
    assert app.user_middleware[-1].cls is FastLane
    assert RateLimitMiddleware in {m.cls for m in app.user_middleware[:-1]}
    assert isinstance(app.build_middleware_stack(), RequestPlumbingMiddleware)  # wraps the whole stack
    pure: list[tuple[str, str, int]] = []
    decorated: list[tuple[str, str, int]] = []
    app.add_middleware(Recorder, log=pure)

    @app.middleware("http")
    async def record(request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        decorated.append((request.method, request.url.path, response.status_code))
        response.headers["X-Seen-By"] = "decorated"
        return response

    reached_router: list[str] = []
    router_app = app.router.middleware_stack

    async def router_spy(scope: Scope, receive: Receive, send: Send) -> None:
        reached_router.append(scope["path"])
        await router_app(scope, receive, send)

    app.router.middleware_stack = router_spy

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                     headers={"Authorization": f"APIKey {key}"}) as http:
            r = await http.post("/user/datasets/", json={"name": unique("mw"), "task_type": "vector",
                                                         "task_attributes": TASK_ATTRIBUTES})
            assert r.status_code == 201, r.text
            full = r.json()["full_name"]
            r = await http.post(f"/datasets/{full}/samples/", json={"name": "s", "attributes":
                                                                   sample_attributes("vector")})
            assert r.status_code == 201, r.text
            uuid = r.json()["uuid"]
            reached_router.clear()
            return [
                await http.put(f"/labels/{uuid}/ground-truth/", json={"label_status": "LABELED",
                                                                      "attributes": label_attributes("vector")}),
                await http.get(f"/labels/{uuid}/ground-truth"),
                await http.get(f"/samples/{uuid}/"),
                await http.get("/samples/no-such-sample/"),  # an error rendered by the fast lane
            ]

    answers = asyncio.run(scenario())
    assert [r.status_code for r in answers] == [201, 200, 200, 404]
    assert reached_router == []  # all four were served by the fast lane
    fast = [(r.request.method, r.request.url.path, r.status_code) for r in answers]
    assert pure[-4:] == fast
    assert decorated[-4:] == fast
    for r in answers:
        assert r.headers["x-seen-by"] == "decorated"
        assert r.headers["x-request-id"]  # RequestPlumbingMiddleware
        assert r.headers.get("x-request-id") == r.json().get("request_id", r.headers["x-request-id"])
