"""One rule for the public URL in ``serve`` and ``worker`` (``cli._resolve_public_url``): with the local object
store a worker that was given no public URL refuses to start instead of writing release links to a guessed address
(it used to write ``http://127.0.0.1:8000``); given one (``--public-url`` or the variable), its links are the
server's."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from server.jobs.test_worker_kill import TASK_ATTRIBUTES
from support import backends, live_server, unique


def _worker(srv, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in {**os.environ, **srv.env}.items() if k != "LABELHOUSE_PUBLIC_URL"}
    return subprocess.Popen(
        [sys.executable, "-m", "labelhouse_server.cli", "worker", "--data-dir", str(srv.data_dir),
         "--database-url", srv.database_url, *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.parametrize("backend", backends())
def test_worker_public_url_rule(backend, tmp_path):
    with live_server(backend, tmp_path, env={"LABELHOUSE_JOBS_BACKEND": "worker"}) as srv:
        refused = _worker(srv)
        _, err = refused.communicate(timeout=60)
        assert refused.returncode == 2
        assert "LABELHOUSE_PUBLIC_URL" in err and "--public-url" in err

        _, key = srv.create_user()
        client = srv.segments(key)
        ds = client.add_dataset(unique("pu"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
        client.add_sample(ds.full_name, "one", {"image": {"url": "https://example.com/1.jpg"}})
        client.add_release(ds.full_name, "v1")
        worker = _worker(srv, "--public-url", srv.url)
        try:
            deadline = time.monotonic() + 90
            while (release := client.get_release(ds.full_name, "v1")).status == "PENDING":
                assert worker.poll() is None, worker.communicate()[1][-2000:]
                assert time.monotonic() < deadline, "release stayed PENDING"
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.communicate(timeout=30)
        assert release.status == "SUCCEEDED"
        url = release.attributes.url
        assert url.startswith(f"{srv.url}/files/"), url
        assert httpx.get(url, timeout=30).json()["dataset"]["samples"][0]["name"] == "one"
