"""Rate limits (``ratelimit.py``): per-key and per-IP token buckets answered 429 with ``Retry-After`` and a JSON
body, seen by fast-lane requests too, an off switch, a separate sign-in limiter, and — on PostgreSQL — one limit
across several server processes (on SQLite each process keeps its own buckets, as documented)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import LiveServer, backends, fresh_database, in_process_app, unique

# Refills of one token per 1000 s: nothing refills while a test runs, so the counts below are exact.
STRICT = {"LABELHOUSE_RATE_LIMIT_ENABLED": "true", "LABELHOUSE_RATE_LIMIT_PER_KEY_BURST": "5",
          "LABELHOUSE_RATE_LIMIT_PER_KEY_PER_SECOND": "0.001", "LABELHOUSE_RATE_LIMIT_PER_IP_BURST": "13",
          "LABELHOUSE_RATE_LIMIT_PER_IP_PER_SECOND": "0.001", "LABELHOUSE_RATE_LIMIT_LEASE": "1"}


def _start(backend: str, url: str, data_dir: Path, env: dict[str, str]) -> LiveServer:
    srv = LiveServer(backend=backend, database_url=url, data_dir=data_dir, env=dict(env))
    srv.env["LABELHOUSE_PUBLIC_URL"] = srv.url
    return srv.start()


def _settings(env: dict[str, str]) -> dict[str, str]:
    """The same settings for an in-process app (``Settings`` fields, values parsed as from the environment)."""
    return {name.removeprefix("LABELHOUSE_").lower(): value for name, value in env.items()}


@pytest.fixture(params=backends())
def strict(request, tmp_path):
    """The app in-process with strict limits, on a database of its own (each test starts with full buckets)."""
    with in_process_app(request.param, tmp_path, **_settings(STRICT)) as app:
        yield app


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
    with strict.client() as anonymous:  # ASGI scope client: 127.0.0.1, as every request above
        _assert_throttled(anonymous.get("/user"), "rate_limit_per_ip")
        assert anonymous.get("/healthz").status_code == 200  # health checks are never limited


def test_off_switch(tmp_path):
    with in_process_app("sqlite", tmp_path, **_settings({**STRICT, "LABELHOUSE_RATE_LIMIT_ENABLED": "false"})) as app:
        _, key = app.create_user(unique("u"))
        with app.client(key) as http:
            assert {http.get("/user").status_code for _ in range(30)} == {200}


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


def _set_password(srv: LiveServer, username: str, password: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "labelhouse_server.cli", "user", "set-password", username, "--password-stdin",
         "--database-url", srv.database_url, "--data-dir", str(srv.data_dir)],
        input=password + "\n", capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("backend", backends())
def test_sign_in_failures_are_limited_per_account_and_per_address(backend, tmp_path):
    """The web-app contract (10 failures in 10 minutes -> 429), here with 3 failures per (address, username) and
    12 per address: wrong passwords and unknown accounts count, successful sign-ins do not, and a throttled
    attempt is refused even with the right password. Two server processes on one database: on PostgreSQL the
    failures counted by one process refuse attempts at the other."""
    env = {"LABELHOUSE_RATE_LIMIT_ENABLED": "true", "LABELHOUSE_RATE_LIMIT_SIGN_IN_FAILURES": "3",
           "LABELHOUSE_RATE_LIMIT_SIGN_IN_WINDOW": "3000"}
    with fresh_database(backend, tmp_path) as url:
        (tmp_path / "p1").mkdir()
        (tmp_path / "p2").mkdir()
        one = _start(backend, url, tmp_path / "p1", env)
        two = _start(backend, url, tmp_path / "p2", env) if backend == "postgresql" else one
        try:
            alice, _ = one.create_user(unique("alice"))
            _set_password(one, alice, "correct horse battery")
            with httpx.Client(base_url=one.url) as c1, httpx.Client(base_url=two.url) as c2:
                def login(client: httpx.Client, username: str, password: str) -> httpx.Response:
                    return client.post("/auth/login", json={"username": username, "password": password})

                # successes take nothing
                assert [login(c1, alice, "correct horse battery").status_code for _ in range(5)] == [200] * 5
                assert [login(c1, alice, "wrong").status_code for _ in range(3)] == [401] * 3
                throttled = login(c2, alice, "correct horse battery")  # the other process (PostgreSQL)
                _assert_throttled(throttled, "rate_limit_sign_in_failures")
                assert 1 <= int(throttled.headers["Retry-After"]) <= 1000
                # the same account however spelled
                _assert_throttled(login(c1, alice.upper() + " ", "wrong"), "rate_limit_sign_in_failures")
                # one address spraying other accounts: 12 failures per address in all (3 spent on alice)
                sprayed = [login(c1 if i % 2 else c2, unique("nobody"), "x").status_code for i in range(10)]
                assert sprayed == [401] * 9 + [429]
                api_key = c1.post("/auth/login", json={"api_key": "lh_not-a-key"})
                _assert_throttled(api_key, "rate_limit_sign_in_failures")
        finally:
            one.stop()
            if two is not one:
                two.stop()
