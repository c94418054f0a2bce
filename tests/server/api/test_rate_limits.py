"""Rate limits (``ratelimit.py``): per-key and per-IP token buckets answered 429 with ``Retry-After`` and a JSON
body, seen by fast-lane requests too, an off switch, a separate sign-in limiter, and — on PostgreSQL — one limit
across several server processes (on SQLite each process keeps its own buckets, as documented)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from labelhouse_server.app import create_app
from labelhouse_server.ratelimit import RateLimited, check_sign_in
from labelhouse_server.settings import Settings
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from starlette.requests import Request
from support import LiveServer, backends, fresh_database, unique

# Refills of one token per 1000 s: nothing refills while a test runs, so the counts below are exact.
STRICT = {"LABELHOUSE_RATE_LIMIT_ENABLED": "true", "LABELHOUSE_RATE_LIMIT_PER_KEY_BURST": "5",
          "LABELHOUSE_RATE_LIMIT_PER_KEY_PER_SECOND": "0.001", "LABELHOUSE_RATE_LIMIT_PER_IP_BURST": "13",
          "LABELHOUSE_RATE_LIMIT_PER_IP_PER_SECOND": "0.001", "LABELHOUSE_RATE_LIMIT_LEASE": "1"}


def _start(backend: str, url: str, data_dir: Path, env: dict[str, str]) -> LiveServer:
    srv = LiveServer(backend=backend, database_url=url, data_dir=data_dir, env=dict(env))
    srv.env["LABELHOUSE_PUBLIC_URL"] = srv.url
    return srv.start()


@pytest.fixture(params=backends())
def strict(request, tmp_path):
    (tmp_path / "srv").mkdir()
    with fresh_database(request.param, tmp_path) as url:
        srv = _start(request.param, url, tmp_path / "srv", STRICT)
        try:
            yield srv
        finally:
            srv.stop()


def _assert_throttled(r: httpx.Response, limit: str) -> None:
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) >= 1
    body = r.json()
    assert body["code"] == "rate_limited" and body["limit"] == limit
    assert body["retry_after"] == int(r.headers["Retry-After"])
    assert "throttled" in body["detail"] and body["request_id"] == r.headers["x-request-id"]


def test_per_key_and_per_ip_buckets_and_the_fast_lane(strict):
    # keys are made straight in the database (no HTTP): the buckets start full
    _, key_a = strict.create_user(unique("a"))
    _, key_b = strict.create_user(unique("b"))
    with strict.client(key_a) as a, strict.client(key_b) as b:
        assert [a.get("/user").status_code for _ in range(5)] == [200] * 5
        _assert_throttled(a.get("/user"), "rate_limit_per_key")
        # another key is not affected by a's bucket (the shared IP bucket still has tokens)
        full = b.post("/user/datasets/", json={"name": unique("d"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        sample = b.post(f"/datasets/{full}/samples/", json={"name": "s", "attributes":
                                                            sample_attributes("vector")}).json()["uuid"]
        # fast-lane endpoints take tokens like every other route
        assert [b.get(f"/samples/{sample}/").status_code for _ in range(3)] == [200] * 3
        _assert_throttled(b.get(f"/samples/{sample}/"), "rate_limit_per_key")
        _assert_throttled(b.put(f"/labels/{sample}/ground-truth/", json={}), "rate_limit_per_key")
    # 13 requests from this address so far (refused ones count): its bucket is empty: requests without a key are refused by it
    with httpx.Client(base_url=strict.url) as anonymous:
        _assert_throttled(anonymous.get("/user"), "rate_limit_per_ip")
        assert anonymous.get("/healthz").status_code == 200  # health checks are never limited


def test_off_switch(tmp_path):
    with fresh_database("sqlite", tmp_path) as url:
        (tmp_path / "s").mkdir()
        srv = _start("sqlite", url, tmp_path / "s", {**STRICT, "LABELHOUSE_RATE_LIMIT_ENABLED": "false"})
        try:
            _, key = srv.create_user(unique("u"))
            with srv.client(key) as http:
                assert {http.get("/user").status_code for _ in range(30)} == {200}
        finally:
            srv.stop()


@pytest.mark.parametrize("backend", backends())
def test_the_limit_across_two_processes(backend, tmp_path):
    """Two server processes on one database, one key, burst 6, (almost) no refill: on PostgreSQL the bucket is
    shared, so the two together grant 6; on SQLite each process has its own bucket (README), 6 each."""
    env = {**STRICT, "LABELHOUSE_RATE_LIMIT_PER_KEY_BURST": "6", "LABELHOUSE_RATE_LIMIT_PER_KEY_PER_SECOND": "0.001",
           "LABELHOUSE_RATE_LIMIT_PER_IP_BURST": "1000"}
    with fresh_database(backend, tmp_path) as url:
        (tmp_path / "p1").mkdir()
        (tmp_path / "p2").mkdir()
        one = _start(backend, url, tmp_path / "p1", env)
        two = _start(backend, url, tmp_path / "p2", env)
        try:
            _, key = one.create_user(unique("u"))
            granted = 0
            with one.client(key) as c1, two.client(key) as c2:
                for _ in range(10):
                    for client in (c1, c2):
                        granted += client.get("/user").status_code == 200
        finally:
            one.stop()
            two.stop()
    assert granted == (6 if backend == "postgresql" else 12)


@pytest.mark.parametrize("backend", backends())
def test_sign_in_attempts_are_limited_per_account_and_per_address(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        from labelhouse_server.db.migrate import upgrade

        upgrade(url)
        app = create_app(Settings(data_dir=tmp_path, database_url=url, rate_limit_enabled=True,
                                  rate_limit_sign_in_per_minute=1, rate_limit_sign_in_burst=3))
        try:
            def attempt(ip: str, username: str) -> bool:
                request = Request({"type": "http", "app": app, "client": (ip, 5000), "headers": [],
                                   "method": "POST", "path": "/auth/sign-in"})
                try:
                    check_sign_in(request, username)
                except RateLimited as exc:
                    assert exc.status_code == 429 and int(exc.headers["Retry-After"]) >= 1
                    return False
                return True

            assert [attempt("10.0.0.1", "alice") for _ in range(4)] == [True, True, True, False]
            assert attempt("10.0.0.1", "ALICE ") is False  # the same account, however spelled
            assert attempt("10.0.0.2", "alice") is True  # another address has its own bucket
            # one address spraying many accounts: 4 x burst per address
            results = [attempt("10.0.0.3", f"user{i}") for i in range(14)]
            assert results.count(True) == 12 and results[-1] is False
        finally:
            app.state.engine.dispose()
