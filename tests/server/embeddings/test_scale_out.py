"""The scale-out deployment: two API processes and a separate ``labelhouse worker`` share one database and one
S3-compatible store (moto). Vectors written through one API process are indexed by the worker; both API processes
load the index file from the store and answer the same results, equal to exact search; later writes are seen by
both before and after the next (incremental) build."""

from __future__ import annotations

import signal

import numpy as np
import pytest
from server.embeddings.test_embeddings_http import (
    clustered,
    exact,
    make_dataset,
    search,
    upload,
    wait_for_index,
)
from server.jobs.test_worker_kill import start_worker
from support import LiveServer, backends, fresh_database, unique

DIMS = 16


@pytest.mark.parametrize("backend", backends())
def test_two_api_processes_and_a_worker_share_the_index(backend, tmp_path, moto_endpoint):
    env = {"LABELHOUSE_JOBS_BACKEND": "worker", "LABELHOUSE_EMBEDDING_INDEX_MIN_PENDING": "200",
           "LABELHOUSE_STORAGE_BACKEND": "s3", "LABELHOUSE_S3_ENDPOINT_URL": moto_endpoint,
           "LABELHOUSE_S3_BUCKET": unique("bucket"), "LABELHOUSE_S3_ACCESS_KEY_ID": "testing",
           "LABELHOUSE_S3_SECRET_ACCESS_KEY": "testing", "LABELHOUSE_S3_REGION": "us-east-1"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with fresh_database(backend, tmp_path) as url:
        a = LiveServer(backend=backend, database_url=url, data_dir=tmp_path / "a", env=dict(env))
        b = LiveServer(backend=backend, database_url=url, data_dir=tmp_path / "b", env=dict(env))
        worker = None
        try:
            a.start()
            b.start()
            worker = start_worker(a, {})
            _, key = a.create_user()
            with a.client(key) as http_a, b.client(key) as http_b:
                r = http_a.post("/user/embeddings/", json={"name": "clip", "dims": DIMS})
                emb = r.json()["full_name"]
                _, uuids = make_dataset(http_a, 600)
                vectors = clustered(600, DIMS, seed=4)
                upload(http_b, emb, uuids, vectors)  # written through B, indexed by the worker
                info = wait_for_index(http_a, emb)
                assert info["index"]["vectors"] == 600
                rng = np.random.default_rng(2)
                for i in rng.integers(0, 600, 5):
                    q = vectors[i] + 0.05
                    got_a = [x["sample"]["uuid"] for x in search(http_a, emb, vector=q.tolist(), k=10)]
                    got_b = [x["sample"]["uuid"] for x in search(http_b, emb, vector=q.tolist(), k=10)]
                    assert got_a == got_b
                    assert len(set(got_a) & {uuids[j] for j in exact(q, vectors, 10)}) >= 9
                assert list((tmp_path / "a" / "embedding-index-cache").glob("*.usearch"))
                assert list((tmp_path / "b" / "embedding-index-cache").glob("*.usearch"))

                # 250 replaced vectors (> the threshold): seen by both processes at once, then indexed again
                moved = vectors.copy()
                moved[:250] = clustered(250, DIMS, seed=8) + 3.0
                upload(http_a, emb, uuids[:250], moved[:250])
                q = moved[10]
                for http in (http_a, http_b):
                    assert search(http, emb, vector=q.tolist(), k=1)[0]["sample"]["uuid"] == uuids[10]
                info = wait_for_index(http_b, emb, version=2)
                assert info["index"]["vectors"] == 600  # updated in place: replaced entries, no growth
                for http in (http_a, http_b):
                    got = [x["sample"]["uuid"] for x in search(http, emb, vector=q.tolist(), k=10)]
                    assert len(set(got) & {uuids[j] for j in exact(q, moved, 10)}) >= 9
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)
            b.stop()
            a.stop()
