"""CPU per similarity search in-process, below HTTP (not a test): ``search_target`` + ``nearest_samples`` as the
search route runs them, on a SQLite app with N clustered vectors (index built, a 50-vector delta on top), Q queries,
5 rounds; prints the median CPU per search. Compare two versions of the server code in one sitting by putting
one's ``server/src`` first on PYTHONPATH, alternating runs.

Usage:  PYTHONPATH=<checkout>/server/src .venv/bin/python bench/search_cpu_bench.py N Q"""
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import labelhouse_server
import numpy as np
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import in_process_app, unique

N, DIMS, Q = int(sys.argv[1]), 64, int(sys.argv[2])
rng = np.random.default_rng(1)
centers = rng.normal(size=(N // 50, DIMS))
vectors = (centers[rng.integers(0, len(centers), N)] + 0.3 * rng.normal(size=(N, DIMS))).astype(np.float32)
with tempfile.TemporaryDirectory() as tmp, in_process_app("sqlite", Path(tmp), embedding_index_min_pending=N) as app:
    _, key = app.create_user()
    with app.client(key) as http:
        full = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "vector",
                                                 "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
        uuids = []
        for s in range(0, N, 500):
            r = http.post(f"/datasets/{full}/samples_bulk/", json=[{"name": f"s{i}", "attributes": sample_attributes("vector")} for i in range(s, min(N, s + 500))])
            uuids += [x["uuid"] for x in r.json()]
        emb = http.post("/user/embeddings/", json={"name": unique("emb"), "dims": DIMS}).json()["full_name"]
        for s in range(0, N, 1000):
            http.put(f"/embeddings/{emb}/vectors/", json={"vectors": [{"sample_uuid": u, "vector": v.tolist()} for u, v in zip(uuids[s:s+1000], vectors[s:s+1000])]})
        for _ in range(600):
            if http.get(f"/embeddings/{emb}/").json()["index"]["version"] >= 1:
                break
            time.sleep(0.2)
        # a small delta on top of the file (the catch-up path)
        http.put(f"/embeddings/{emb}/vectors/", json={"vectors": [{"sample_uuid": u, "vector": v.tolist()} for u, v in zip(uuids[:50], vectors[:50])]})
        queries = [np.asarray(vectors[i] + 0.05 * rng.normal(size=DIMS), dtype=np.float32) for i in rng.integers(0, N, Q)]
        from labelhouse_server.db import Account
        from labelhouse_server.embeddings.search import Scope, nearest_samples
        from labelhouse_server.embeddings.service import search_target
        from sqlalchemy import select
        owner, name = emb.split("/")
        cache = app.app.state.embedding_indexes
        with app.app.state.read_sessionmaker() as s:
            user = s.scalar(select(Account).where(Account.username == owner))
            for q in queries[:50]:
                t = search_target(s, user, owner, name); nearest_samples(s, cache, t.id, q, 10, Scope(user), t.state)
            rounds = []
            for _ in range(5):
                c0 = time.process_time()
                for q in queries:
                    t = search_target(s, user, owner, name)
                    nearest_samples(s, cache, t.id, q, 10, Scope(user), t.state)
                rounds.append((time.process_time() - c0) / len(queries))
        print(json.dumps({"code": labelhouse_server.__file__, "cpu_us_per_search_median_of_5": round(1e6 * statistics.median(rounds), 1), "rounds_us": [round(1e6 * r) for r in rounds]}))
