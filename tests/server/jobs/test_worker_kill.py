"""A real ``labelhouse worker`` process is SIGKILLed in the middle of a release build. Another worker reaps the
job (its heartbeat went silent) and either builds the release again (attempts left: SUCCEEDED, one complete file)
or fails it with a reason (no attempts left: FAILED, status_info says why). Never PENDING forever, never a
duplicate or half-written file served."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text
from support import backends, live_server, unique

N = 100_000
TASK_ATTRIBUTES = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}
LABEL = '{"format_version":"0.1","annotations":[{"id":1,"category_id":1,"type":"bbox","points":[[1,2],[3,4]]}]}'


def fill(database_url: str, owner: str, dataset: str, n: int) -> None:
    """n labeled samples straight into the database (fast SQL; the HTTP path is tested elsewhere)."""
    engine = create_engine(database_url)
    now = "2024-01-01T00:00:00.000000Z"
    with engine.begin() as conn:
        did = conn.execute(text("SELECT d.id FROM datasets d JOIN accounts a ON a.id = d.owner_id "
                                "WHERE a.username = :o AND d.name = :d"), {"o": owner, "d": dataset}).scalar_one()
        lsid = conn.execute(text("SELECT id FROM labelsets WHERE dataset_id = :d AND name = 'ground-truth'"),
                            {"d": did}).scalar_one()
        rows = [{"u": str(uuid.uuid4()), "d": did, "name": f"s{i:07d}.jpg",
                 "a": f'{{"image":{{"url":"https://example.com/{i}.jpg"}}}}', "m": f'{{"i":{i}}}', "t": now}
                for i in range(n)]
        conn.execute(text("INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, "
                          "created_at, updated_at) VALUES (:u, :d, :name, :a, :m, 0, '', :t, :t)"), rows)
        conn.execute(text(
            "INSERT INTO labels (sample_id, labelset_id, dataset_id, label_status, attributes, created_at, "
            "updated_at) SELECT id, :ls, dataset_id, 'LABELED', :attrs, :t, :t FROM samples WHERE dataset_id = :d"),
            {"ls": lsid, "t": now, "d": did, "attrs": LABEL})
    engine.dispose()


def start_worker(srv, env: dict[str, str]) -> subprocess.Popen:
    log = open(srv.data_dir / f"worker-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115 - outlives this call
    return subprocess.Popen(
        [sys.executable, "-m", "labelhouse_server.cli", "worker", "--data-dir", str(srv.data_dir),
         "--database-url", srv.database_url],
        env={**os.environ, **srv.env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def job_state(database_url: str, release_name: str) -> tuple[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(
                "SELECT j.status, j.progress FROM jobs j JOIN releases r ON r.job_id = j.id WHERE r.name = :n"
            ), {"n": release_name}).one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", backends())
@pytest.mark.parametrize("max_attempts", [3, 1])
def test_sigkill_mid_build(backend, max_attempts, tmp_path):
    worker_env = {"LABELHOUSE_JOB_HEARTBEAT_SECONDS": "0.2", "LABELHOUSE_JOB_STALE_SECONDS": "2"}
    server_env = {"LABELHOUSE_JOBS_BACKEND": "worker", "LABELHOUSE_JOB_MAX_ATTEMPTS": str(max_attempts),
                  **worker_env}
    with live_server(backend, tmp_path, env=server_env) as srv:
        owner, key = srv.create_user()
        client = srv.segments(key)
        ds = client.add_dataset(unique("big"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
        fill(srv.database_url, owner, ds.name, N)
        release = client.add_release(ds.full_name, "v1")
        assert release.status == "PENDING" and release.samples_count == N

        first = start_worker(srv, worker_env)
        try:
            deadline = time.monotonic() + 60
            while True:  # wait until the build is under way (at least one batch written)
                status, progress = job_state(srv.database_url, "v1")
                if status == "running" and progress > 0:
                    break
                assert status in ("queued", "running") and time.monotonic() < deadline, status
                time.sleep(0.02)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        assert client.get_release(ds.full_name, "v1").status == "PENDING"

        second = start_worker(srv, worker_env)
        try:
            deadline = time.monotonic() + 120
            while (release := client.get_release(ds.full_name, "v1")).status == "PENDING":
                assert time.monotonic() < deadline, "release stayed PENDING"
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
        assert second.returncode == 0

        raw = srv.client(key).get(f"/datasets/{ds.full_name}/releases/v1/").json()
        files = sorted(p.relative_to(srv.data_dir / "objects").as_posix()
                       for p in (srv.data_dir / "objects").rglob("*") if p.is_file())
        if max_attempts == 1:
            assert release.status == "FAILED" and release.attributes.url is None
            assert "stopped sending heartbeats" in raw["status_info"]
            assert not [f for f in files if f.startswith("releases/")]
        else:
            assert release.status == "SUCCEEDED" and release.samples_count == N
            # exactly one release file, from the second attempt; no partial uploads lying around
            assert files == [f"releases/{release.uuid}/release-2.json"]
            assert list((srv.data_dir / "tmp").iterdir()) == []  # the dead attempt's temp file was swept
            doc = httpx.get(release.attributes.url, timeout=60).json()
            samples = doc["dataset"]["samples"]
            assert len(samples) == N and len({s["uuid"] for s in samples}) == N
            assert samples[0]["labels"]["ground-truth"]["label_status"] == "LABELED"
        client.close()
