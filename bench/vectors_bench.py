"""Similarity-search benchmark (not a test): N clustered vectors through the HTTP API of a real server, the
background index build, and k-NN queries through raw HTTP and through our SDK, checked against exact search.

Steps (one backend per run; default the embedded SQLite):
1. starts ``labelhouse serve`` on a temporary data directory; N samples straight into the table (direct SQL, as
   bench/samples_bench.py's prefill: the sample import is benchmarked there);
2. creates an embedding (cosine) and uploads N vectors of D dimensions with ``SegmentsClient.add_vectors``
   (packed float32 bodies, 10,000 per request; clustered: C centres, Gaussian spread, so neighbours are
   meaningful and not all equidistant);
3. waits for the ``embedding.index`` job (one build: the rebuild threshold is set to N for this run) and reads its
   duration from the job row and the server's CPU time meanwhile (the build runs in the server's job threads);
   the server's peak RSS (VmHWM) before and after the build and the index file size are recorded;
4. Q queries (each a data vector plus noise) one at a time through ``POST /embeddings/.../similar-samples/`` with
   k=10: latency p50/p99 and recall@10 against exact (NumPy) search; then the same queries through
   ``labelhouse.SegmentsClient.similar_samples``.

Usage:  .venv/bin/python bench/vectors_bench.py [--n 1000000] [--dims 128] [--queries 1000] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import orjson
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import samples_bench as sb  # serve, make_user, new_dataset, prefill
import support


def clustered(n: int, dims: int, clusters: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(clusters, dims)).astype(np.float32)
    out = np.empty((n, dims), dtype=np.float32)
    for start in range(0, n, 100_000):  # bounded temporaries
        m = min(100_000, n - start)
        out[start:start + m] = centers[rng.integers(0, clusters, m)] + 0.35 * rng.normal(size=(m, dims))
    return out


def exact_top(queries: np.ndarray, data: np.ndarray, k: int) -> np.ndarray:
    """Exact cosine top-k, in chunks of the data (memory stays bounded)."""
    qn = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    best_s = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(data), 100_000):
        chunk = data[start:start + 100_000]
        sims = qn @ (chunk / np.linalg.norm(chunk, axis=1, keepdims=True)).T
        idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        s = np.take_along_axis(sims, idx, axis=1)
        all_s = np.concatenate([best_s, s], axis=1)
        all_i = np.concatenate([best_i, idx + start], axis=1)
        keep = np.argsort(-all_s, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(all_s, keep, axis=1), np.take_along_axis(all_i, keep, axis=1)
    return best_i


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.array(values) * 1000, p))


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def note(what: str) -> None:
    """Progress on stderr (a 1M run takes a while); the figures go to stdout / --json at the end."""
    print(f"{time.strftime('%H:%M:%S')} load {load()}: {what}", file=sys.stderr, flush=True)


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def run(args: argparse.Namespace, database_url: str, data_dir: Path) -> dict:
    out: dict = {"n": args.n, "dims": args.dims, "clusters": args.clusters, "queries": args.queries,
                 "backend": database_url.split(":")[0], "machine": platform.processor() or platform.machine(),
                 "load_at_start": load()}
    env = {"LABELHOUSE_EMBEDDING_INDEX_MIN_PENDING": str(args.n)}
    with sb.serve(database_url, data_dir, env) as (url, pid):
        user_id, key = sb.make_user(database_url)  # after the server migrated the new database
        http = httpx.Client(base_url=url, headers={"Authorization": f"APIKey {key}"}, timeout=300)
        dataset = sb.new_dataset(http)
        t = time.perf_counter()
        sb.prefill(create_engine(database_url), dataset, user_id, args.n)
        out["prefill_samples_s"] = round(time.perf_counter() - t, 1)
        engine = create_engine(database_url)
        with engine.connect() as conn:
            sample_ids = [r[0] for r in conn.execute(text(
                "SELECT s.uuid FROM samples s JOIN datasets d ON d.id = s.dataset_id WHERE d.name = :n ORDER BY s.id"),
                {"n": dataset.split("/")[1]})]
        data = clustered(args.n, args.dims, args.clusters)
        emb = http.post("/user/embeddings/", json={"name": "bench", "dims": args.dims}).json()["full_name"]

        from labelhouse import SegmentsClient

        # Upload through the SDK (packed float32 bodies, 10,000 vectors per request), encoding included.
        out["load_before_upload"] = load()
        note(f"{args.n} samples prefilled; uploading vectors")
        t = time.perf_counter()
        cpu_at_upload = sb.cpu_seconds(pid)
        with SegmentsClient(key, api_url=url) as client:
            written = client.add_vectors(emb, list(zip(sample_ids, data)))
        assert written == args.n, written
        out["upload_vectors_s"] = round(time.perf_counter() - t, 1)
        out["upload_vectors_per_s"] = round(args.n / (time.perf_counter() - t))
        out["upload_server_cpu_s"] = round(sb.cpu_seconds(pid) - cpu_at_upload, 1)
        out["upload_server_cpu_us_per_vector"] = round(out["upload_server_cpu_s"] * 1e6 / args.n, 1)
        out["load_after_upload"] = load()
        out["server_peak_rss_mib_before_build"] = round(vm_hwm(pid) / 2**20)
        note(f"uploaded in {out['upload_vectors_s']} s; waiting for the index build")

        t = time.perf_counter()
        cpu_at_build = sb.cpu_seconds(pid)
        while True:
            info = http.get(f"/embeddings/{emb}/").json()
            if info["index"]["vectors"] == args.n and not info["index"]["rebuilding"]:
                break
            if time.perf_counter() - t > args.build_timeout:
                raise RuntimeError(f"index not built within {args.build_timeout} s: {info}")
            time.sleep(3)
        out["index_build_server_cpu_s"] = round(sb.cpu_seconds(pid) - cpu_at_build, 1)
        with engine.connect() as conn:
            started, finished = conn.execute(text(
                "SELECT started_at, finished_at FROM jobs WHERE kind = 'embedding.index' AND status = 'succeeded' "
                "ORDER BY id DESC LIMIT 1")).one()
        from datetime import datetime
        fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
        out["index_build_s"] = round((datetime.strptime(finished, fmt) - datetime.strptime(started, fmt))
                                     .total_seconds(), 1)
        out["server_peak_rss_mib_after_build"] = round(vm_hwm(pid) / 2**20)
        files = list((data_dir / "objects" / "embeddings").rglob("*.usearch"))
        out["index_file_mib"] = round(sum(f.stat().st_size for f in files) / 2**20, 1)
        out["load_after_build"] = load()

        note(f"index built in {out['index_build_s']} s; exact search for the truth")
        rng = np.random.default_rng(11)
        picks = rng.integers(0, args.n, args.queries)
        queries = (data[picks] + 0.05 * rng.normal(size=(args.queries, args.dims))).astype(np.float32)
        t = time.perf_counter()
        truth = exact_top(queries, data, 10)
        out["exact_search_s_for_truth"] = round(time.perf_counter() - t, 1)
        uuid_index = {u: i for i, u in enumerate(sample_ids)}

        # warm-up: the first search loads the index file into the process
        t = time.perf_counter()
        http.post(f"/embeddings/{emb}/similar-samples/", json={"vector": queries[0].tolist(), "k": 10})
        out["first_search_s"] = round(time.perf_counter() - t, 2)

        note("queries through HTTP")
        latencies, hits = [], 0
        bodies = [orjson.dumps({"vector": q.tolist(), "k": 10}) for q in queries]
        cpu_before = sb.cpu_seconds(pid)
        for q, body, want in zip(queries, bodies, truth):
            t = time.perf_counter()
            r = http.post(f"/embeddings/{emb}/similar-samples/", content=body,
                          headers={"Content-Type": "application/json"})
            latencies.append(time.perf_counter() - t)
            got = {uuid_index[x["sample"]["uuid"]] for x in orjson.loads(r.content)["results"]}
            hits += len(got & set(want.tolist()))
        server_cpu_ms = (sb.cpu_seconds(pid) - cpu_before) * 1000 / args.queries
        out["http"] = {"p50_ms": round(pct(latencies, 50), 2), "p99_ms": round(pct(latencies, 99), 2),
                       "server_cpu_ms_per_query": round(server_cpu_ms, 2),
                       "recall_at_10": round(hits / (10 * args.queries), 4), "load": load()}
        out["server_rss_mib_serving"] = round(int(Path(f"/proc/{pid}/statm").read_text().split()[1])
                                              * os.sysconf("SC_PAGE_SIZE") / 2**20)

        note("queries through the SDK")
        with SegmentsClient(key, api_url=url) as client:
            latencies, hits = [], 0
            cpu_before = sb.cpu_seconds(pid)
            for q, want in zip(queries, truth):
                t = time.perf_counter()
                results = client.similar_samples(emb, vector=q.tolist(), k=10)
                latencies.append(time.perf_counter() - t)
                hits += len({uuid_index[h.sample.uuid] for h in results} & set(want.tolist()))
        server_cpu_ms = (sb.cpu_seconds(pid) - cpu_before) * 1000 / args.queries
        out["sdk"] = {"p50_ms": round(pct(latencies, 50), 2), "p99_ms": round(pct(latencies, 99), 2),
                      "server_cpu_ms_per_query": round(server_cpu_ms, 2),
                      "recall_at_10": round(hits / (10 * args.queries), 4), "load": load()}
        engine.dispose()
        http.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--build-timeout", type=float, default=3600)
    parser.add_argument("--pg-url", default=None, help="run on a fresh database of this PostgreSQL server")
    parser.add_argument("--json", default=None, help="write the figures here too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lh-vectors-bench-") as tmp:
        backend = "postgresql" if args.pg_url else "sqlite"
        with support.fresh_database(backend, Path(tmp), args.pg_url) as url:
            result = run(args, url, Path(tmp))
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
