"""No client and no concurrent writer can stall the server (issue 10 §1), on a real server in both lanes.

- A client that sends the headers and 100 bytes of a bulk import and then stops holds nothing: not the write
  lock, not a pooled connection. 40 of them at once (more than the PostgreSQL pool) leave every other read and
  write, and ``/healthz``, answering at once.
- While another writer holds the lock (SQLite: another process in ``BEGIN IMMEDIATE``, like the CLI or a worker;
  PostgreSQL: another connection's table lock), reads and ``/healthz`` answer at once; a write that cannot get the
  lock within ``LABELHOUSE_LOCK_TIMEOUT_SECONDS`` answers 503 with ``Retry-After`` and the JSON error body, and
  changes nothing; the upload target's record update waits in a worker thread, not on the event loop.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import LiveServer, backends, live_server, unique

LOCK_TIMEOUT = 4.0
QUICK = 2.5  # seconds: "at once" on a loaded 2-core machine; a stall lasts LOCK_TIMEOUT (writer) or forever (slow client)


@pytest.fixture(scope="module", params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"LABELHOUSE_LOCK_TIMEOUT_SECONDS": str(LOCK_TIMEOUT)}
    with live_server(request.param, tmp_path_factory.mktemp(f"stalls-{request.param}"), env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def world(server: LiveServer) -> dict[str, Any]:
    _, key = server.create_user(unique("owner"))
    with server.client(key) as http:
        r = http.post("/user/datasets/", json={"name": unique("stalls"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        full = r.json()["full_name"]
        r = http.post(f"/datasets/{full}/samples/", json={"name": "s0", "attributes": sample_attributes("vector")})
        assert r.status_code == 201, r.text
        sample = r.json()["uuid"]
        r = http.put(f"/labels/{sample}/ground-truth/", json={"label_status": "LABELED",
                                                              "attributes": label_attributes("vector")})
        assert r.status_code == 201, r.text
    return {"key": key, "dataset": full, "sample": sample}


def _timed(http: httpx.Client, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    r = http.request(method, path, **kwargs)
    return r, time.monotonic() - started


def _slow_clients(server: LiveServer, path: str, key: str, count: int) -> list[socket.socket]:
    """``count`` connections that each send a bulk import's headers and its first 100 bytes, then nothing."""
    body_start = orjson.dumps([{"name": f"slow-{i}", "attributes": sample_attributes("vector")} for i in range(50)])
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAuthorization: APIKey {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body_start) + 100_000}\r\n\r\n").encode()
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.sendall(head + body_start[:100])
        socks.append(s)
    return socks


def test_slow_clients_hold_nothing(server: LiveServer, world: dict[str, Any]) -> None:
    socks = _slow_clients(server, f"/datasets/{world['dataset']}/samples_bulk/", world["key"], 40)
    try:
        time.sleep(0.5)  # let the server authenticate them and start waiting for their bodies
        with server.client(world["key"]) as http:
            checks = [
                ("GET", "/healthz", {}, 200),
                ("GET", f"/samples/{world['sample']}/", {}, 200),
                ("GET", f"/datasets/{world['dataset']}/samples/", {}, 200),
                ("PUT", f"/labels/{world['sample']}/ground-truth/",
                 {"json": {"label_status": "LABELED", "attributes": label_attributes("vector")}}, 200),
                ("POST", f"/datasets/{world['dataset']}/samples/",
                 {"json": {"name": unique("fast"), "attributes": sample_attributes("vector")}}, 201),
                ("POST", f"/datasets/{world['dataset']}/samples_bulk/",
                 {"json": [{"name": unique("bulk"), "attributes": sample_attributes("vector")}]}, 201),
                ("PATCH", f"/datasets/{world['dataset']}/", {"json": {"description": "still writable"}}, 200),
            ]
            for method, path, kwargs, status in checks:
                r, seconds = _timed(http, method, path, **kwargs)
                assert r.status_code == status, (method, path, r.text)
                assert seconds < QUICK, (method, path, seconds)
    finally:
        for s in socks:
            s.close()


# --------------------------------------------------------------------------------------- a concurrent writer
class HeldLock:
    """Another process (SQLite) or connection (PostgreSQL) holding the write lock until ``release()``."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        if server.backend == "sqlite":
            path = server.database_url.removeprefix("sqlite:///")
            script = (f"import sqlite3, sys\ndb = sqlite3.connect({path!r}, isolation_level=None)\n"
                      "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.readline()\n"
                      "db.execute('ROLLBACK')\n")
            self.proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
            assert self.proc.stdout.readline().strip() == "locked"
        else:
            import psycopg

            url = server.database_url.replace("postgresql+psycopg://", "postgresql://")
            self.conn = psycopg.connect(url)
            # Blocks every INSERT/UPDATE/DELETE of these tables; reads (ACCESS SHARE) go on.
            self.conn.execute("LOCK TABLE labels, samples, datasets, assets IN EXCLUSIVE MODE")

    def release(self) -> None:
        if self.server.backend == "sqlite":
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(10)
        else:
            self.conn.rollback()
            self.conn.close()


def _upload(server: LiveServer, key: str) -> tuple[dict[str, Any], bytes]:
    data = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    with server.client(key) as http:
        r = http.post("/assets/", json={"filename": "held.png"})
        assert r.status_code == 201, r.text
    return r.json()["presignedPostFields"], data


def test_concurrent_writer(server: LiveServer, world: dict[str, Any]) -> None:
    post, png = _upload(server, world["key"])  # the asset record is made before the lock is taken
    label_path = f"/labels/{world['sample']}/ground-truth/"
    label = {"label_status": "REJECTED", "attributes": label_attributes("vector")}
    results: dict[str, Any] = {}

    def slow_write(name: str, fn: Any) -> threading.Thread:
        def run() -> None:
            started = time.monotonic()
            results[name] = (fn(), time.monotonic() - started)

        t = threading.Thread(target=run)
        t.start()
        return t

    held = HeldLock(server)
    try:
        with server.client(world["key"]) as http:
            writers = [
                slow_write("put", lambda: httpx.put(server.url + label_path, json=label, timeout=30,
                                                    headers={"Authorization": f"APIKey {world['key']}"})),
                slow_write("upload", lambda: httpx.post(post["url"], data=post["fields"], timeout=30,
                                                        files={"file": ("held.png", io.BytesIO(png), "image/png")})),
            ]
            time.sleep(0.3)  # both writes are now waiting for the lock
            for path in ("/healthz", f"/samples/{world['sample']}/", label_path,
                         f"/datasets/{world['dataset']}/samples/?labelset=ground-truth", f"/datasets/{world['dataset']}/"):
                r, seconds = _timed(http, "GET", path)
                assert r.status_code == 200, (path, r.text)
                assert seconds < QUICK, (path, seconds)
            for t in writers:
                t.join(30)
    finally:
        held.release()

    put, put_seconds = results["put"]
    assert put.status_code == 503, put.text
    assert put.headers["retry-after"] == "1"
    body = put.json()
    assert body["code"] == "database_busy" and "retry" in body["detail"].lower() and body["request_id"]
    assert LOCK_TIMEOUT * 0.8 < put_seconds < LOCK_TIMEOUT + 5
    upload, _ = results["upload"]
    assert upload.status_code == 503, upload.text
    with server.client(world["key"]) as http:
        assert http.get(label_path).json()["label_status"] == "LABELED"  # the 503 changed nothing
        r = http.put(label_path, json=label)  # and the retry, with the lock gone, goes through
        assert r.status_code == 200 and r.json()["label_status"] == "REJECTED"


def test_writes_validate_before_taking_the_lock(server: LiveServer, world: dict[str, Any]) -> None:
    """Services open their write transaction only after the body was parsed and checked (issue 10 §1): while
    another writer holds the lock, writes that fail authentication, access or validation answer at once (they used
    to wait for the lock first, then answer 503), and a valid write of the same routes waits its turn."""
    label_path = f"/labels/{world['sample']}/ground-truth/"
    sample_path = f"/samples/{world['sample']}/"
    samples_path = f"/datasets/{world['dataset']}/samples/"
    held = HeldLock(server)
    try:
        with server.client(world["key"]) as http:
            checks = [
                ("PUT", label_path, {"json": {"label_status": "LABELED", "attributes": {"format_version": 9}}}, 400),
                ("PUT", label_path, {"json": {"label_status": "NOT-A-STATUS", "attributes": {}}}, 400),
                ("PUT", label_path, {"content": b"{not json"}, 400),
                ("PUT", label_path, {"json": [], "headers": {"Authorization": "APIKey wrong"}}, 401),
                ("PATCH", label_path, {"json": {"score": "high"}}, 400),
                ("PATCH", sample_path, {"json": {"priority": "urgent"}}, 400),
                ("PATCH", sample_path, {"json": {"assigned_labeler": unique("nobody")}}, 400),
                ("POST", samples_path, {"json": {"name": unique("s"), "attributes": {"image": 7}}}, 400),
                ("POST", f"/datasets/{world['dataset']}/samples_bulk/", {"json": {"not": "a list"}}, 400),
                ("DELETE", f"/datasets/{world['dataset']}/samples_bulk/", {"json": {"uuids": "x"}}, 400),
            ]
            for method, path, kwargs, status in checks:
                r, seconds = _timed(http, method, path, **kwargs)
                assert r.status_code == status, (method, path, r.text)
                assert seconds < QUICK, (method, path, seconds)
    finally:
        held.release()
