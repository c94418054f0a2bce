"""The embedded default (jobs in the server process): the server is SIGKILLed in the middle of a release build
and started again on the same data. The release does not stay PENDING: the restarted server's runner reaps the
dead job and builds it again."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest
from server.jobs.test_worker_kill import TASK_ATTRIBUTES, fill, job_state
from support import backends, live_server, unique

N = 100_000


@pytest.mark.parametrize("backend", backends())
def test_server_killed_mid_build_finishes_after_restart(backend, tmp_path):
    env = {"LABELHOUSE_JOB_HEARTBEAT_SECONDS": "0.2", "LABELHOUSE_JOB_STALE_SECONDS": "2"}
    with live_server(backend, tmp_path, env=env) as srv:
        owner, key = srv.create_user()
        client = srv.segments(key)
        ds = client.add_dataset(unique("big"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
        fill(srv.database_url, owner, ds.name, N)
        client.add_release(ds.full_name, "v1")
        deadline = time.monotonic() + 60
        while True:
            status, progress = job_state(srv.database_url, "v1")
            if status == "running" and progress > 0:
                break
            assert status in ("queued", "running") and time.monotonic() < deadline, status
            time.sleep(0.02)
        os.killpg(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait(10)
        client.close()

        srv.start()
        client = srv.segments(key)
        deadline = time.monotonic() + 120
        while (release := client.get_release(ds.full_name, "v1")).status == "PENDING":
            assert time.monotonic() < deadline, "release stayed PENDING after restart"
            time.sleep(0.2)
        assert release.status == "SUCCEEDED" and release.samples_count == N
        assert release.attributes.url.endswith("/release-2.json")
        samples = httpx.get(release.attributes.url, timeout=60).json()["dataset"]["samples"]
        assert len(samples) == N
        client.close()
