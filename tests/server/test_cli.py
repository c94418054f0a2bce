"""The ``labelhouse`` command, as a user runs it (subprocesses), on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from support import LiveServer, backends, fresh_database, unique


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "labelhouse_server.cli", *args], check=False, capture_output=True, text=True,
                          timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(params=backends())
def db(request, tmp_path):
    with fresh_database(request.param, tmp_path) as url:
        yield ["--data-dir", str(tmp_path), "--database-url", url], url, tmp_path, request.param


def test_users_orgs_and_keys(db):
    common, url, tmp, backend = db
    out = run("user", "create", "maya", "--email", "maya@example.com", *common).stdout
    key = out.strip().splitlines()[-1]
    assert key.startswith("lh_") and len(key) > 30
    key2 = run("apikey", "create", "maya", "--name", "laptop", *common).stdout.strip().splitlines()[-1]
    assert key2.startswith("lh_") and key2 != key
    run("user", "create", "tom", *common)
    assert "Created organization" in run("org", "create", "acme", "--admin", "maya", *common).stdout
    run("org", "add-member", "acme", "tom", "--role", "reviewer", *common)
    listing = run("apikey", "list", "maya", *common).stdout
    assert "laptop" in listing and key not in listing and key2 not in listing

    server = LiveServer(backend=backend, database_url=url, data_dir=tmp)
    server.start()
    try:
        for k in (key, key2):
            assert httpx.get(f"{server.url}/user", headers={"Authorization": f"APIKey {k}"}).json()["username"] \
                == "maya"
        me = httpx.get(f"{server.url}/users/acme", headers={"Authorization": f"APIKey {key}"}).json()
        assert me["is_organization"] is True and me["organization_role"] == "admin"
        assert {m["username"] for m in me["members"]} == {"maya", "tom"}
        run("apikey", "revoke", "maya", "laptop", *common)
        r = httpx.get(f"{server.url}/user", headers={"Authorization": f"APIKey {key2}"})
        assert r.status_code == 401 and r.json()["detail"] == "Invalid API key."
    finally:
        server.stop()


def test_errors_are_reported_without_traceback(db):
    common, *_ = db
    run("user", "create", "maya", *common)
    dup = run("user", "create", "maya", *common, check=False)
    assert dup.returncode == 1 and "already exists" in dup.stderr and "Traceback" not in dup.stderr
    bad = run("org", "create", "acme", "--admin", "nobody", *common, check=False)
    assert bad.returncode == 1 and "nobody" in bad.stderr


def test_serve_bootstraps_admin_once(tmp_path):
    from support import free_port

    port = free_port()
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "labelhouse_server.cli", "serve", "--port", str(port),
                             "--data-dir", str(data)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        assert "Created user 'admin'" in lines[0]
        key = lines[1].strip()
        assert key.startswith("lh_")
        import time

        for _ in range(100):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/user", headers={"Authorization": f"APIKey {key}"})
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert r.json()["username"] == "admin"
        r = httpx.post(f"http://127.0.0.1:{port}/admin/users/", json={"username": "leo"},
                       headers={"Authorization": f"APIKey {key}"})
        assert r.status_code == 201 and r.json()["api_key"].startswith("lh_")
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
    # a second start on the same data directory does not create another admin or print a key
    second = run("migrate", "--data-dir", str(data))
    assert "Created user" not in second.stdout


def test_api_keys_over_http(server):
    _, key = server.create_user()
    with server.client(key) as http:
        new = http.post("/user/api-keys/", json={"name": "ci"}).json()
        assert new["key"].startswith("lh_")
        listed = http.get("/user/api-keys/").json()
        assert [k["name"] for k in listed] == ["default", "ci"] and all("key" not in k for k in listed)
        assert http.delete(f"/user/api-keys/{new['id']}").status_code == 204
    r = httpx.get(f"{server.url}/user", headers={"Authorization": f"APIKey {new['key']}"})
    assert r.status_code == 401
    with server.client(key) as http:
        assert http.post("/admin/users/", json={"username": unique("u")}).status_code == 403


def test_serve_with_several_workers_on_sqlite(tmp_path):
    """``serve --workers 2`` on the embedded default: two API processes share one SQLite file and concurrent
    writes all succeed. A busy machine (CI) takes longer than uvicorn's default 5 s health check to start an API
    process; with that default the workers were killed and respawned forever, and nothing ever answered."""
    import time
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from support import free_port

    port = free_port()
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "labelhouse_server.cli", "serve", "--workers", "2", "--port",
                             str(port), "--data-dir", str(data)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        assert "Created user 'admin'" in proc.stdout.readline()
        headers = {"Authorization": f"APIKey {proc.stdout.readline().strip()}"}
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "serve --workers 2 did not answer"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        spawned = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == proc.pid
                   and b"spawn_main" in _cmdline(p)]
        assert len(spawned) == 2  # uvicorn's two API processes (its resource tracker is not one)
        r = httpx.post(f"{url}/user/datasets/", json={"name": "workers", "task_type": "vector"}, headers=headers)
        assert r.status_code == 201, r.text

        def add(i: int) -> int:
            return httpx.post(f"{url}/datasets/admin/workers/samples/", headers=headers, timeout=60,
                              json={"name": f"s{i}", "attributes": {"image": {"url": f"https://x/{i}.jpg"}}}
                              ).status_code

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(add, range(40))) == [201] * 40
        listed = httpx.get(f"{url}/datasets/admin/workers/samples/?per_page=100", headers=headers).json()
        assert sorted(s["name"] for s in listed) == sorted(f"s{i}" for i in range(40))
    finally:
        proc.terminate()
        proc.wait(30)
        proc.stdout.close()


def _parent(proc_dir) -> int | None:
    try:
        return int((proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _cmdline(proc_dir) -> bytes:
    try:
        return (proc_dir / "cmdline").read_bytes()
    except OSError:
        return b""
