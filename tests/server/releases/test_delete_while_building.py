"""Deleting a release while a worker is building it: the delete answers at once, the build notices (its final
conditional update finds no release) and removes what it uploaded; nothing is left in the store."""

from __future__ import annotations

import signal
import time

import pytest
from segments.exceptions import NotFoundError
from server.jobs.test_worker_kill import TASK_ATTRIBUTES, fill, job_state, start_worker
from sqlalchemy import create_engine, text
from support import backends, live_server, unique


def _job(database_url: str, job_id: int) -> tuple[str, str | None]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text("SELECT status, result FROM jobs WHERE id = :id"), {"id": job_id}).one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_delete_release_while_it_is_built(backend, tmp_path):
    env = {"LABELHOUSE_JOBS_BACKEND": "worker", "LABELHOUSE_JOB_HEARTBEAT_SECONDS": "0.2"}
    with live_server(backend, tmp_path, env=env) as srv:
        owner, key = srv.create_user()
        client = srv.segments(key)
        ds = client.add_dataset(unique("big"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
        fill(srv.database_url, owner, ds.name, 100_000)
        client.add_release(ds.full_name, "doomed")
        engine = create_engine(srv.database_url)
        with engine.connect() as conn:
            job_id = conn.execute(text("SELECT job_id FROM releases WHERE name = 'doomed'")).scalar_one()
        engine.dispose()
        worker = start_worker(srv, env)
        try:
            deadline = time.monotonic() + 60
            while job_state(srv.database_url, "doomed")[1] == 0:  # until the build has written a batch
                assert time.monotonic() < deadline
                time.sleep(0.02)
            client.delete_release(ds.full_name, "doomed")
            with pytest.raises(NotFoundError):
                client.get_release(ds.full_name, "doomed")
            deadline = time.monotonic() + 60
            while (state := _job(srv.database_url, job_id))[0] not in ("succeeded", "failed"):
                assert time.monotonic() < deadline
                time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
        assert state[0] == "succeeded" and "deleted" in state[1]
        objects = srv.data_dir / "objects"
        assert [p for p in objects.rglob("*") if p.is_file() and "releases" in p.parts] == []
        assert client.get_releases(ds.full_name) == []
        client.close()
