"""Labelbox benchmark (not a test; issue 12): the official Labelbox SDK against a real server, in the same run as
our own Segments bulk import of the same rows.

Per backend (SQLite always; PostgreSQL with ``--pg-url`` or LABELHOUSE_TEST_DATABASE_URL) it starts ``labelhouse
serve`` on a fresh database and, per run (``--runs``, medians reported):

1. ``Dataset.create_data_rows`` of N rows (default 100,000; row data URL + global key + external id) through the
   unmodified ``labelbox==7.17.0`` SDK — one task, timed from the call to ``wait_till_done`` returning;
2. the same N rows through our Segments bulk import (``POST .../samples_bulk/``, 1,000 per gzip-compressed
   request, as ``bench/samples_bench.py`` does), into another empty dataset;
3. ``client.get_data_row_ids_for_global_keys`` of K keys (default 10,000) of the rows made in 1.

Usage:  .venv/bin/python bench/labelbox_bench.py [--n 100000] [--keys 10000] [--runs 1] [--backends sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import samples_bench  # the Segments bulk-import path, measured the way bench/samples_bench.py does
import support  # the tests' scratch databases and free ports (tests/support.py)


def labelbox_import(client: Any, n: int, prefix: str) -> tuple[float, Any]:
    dataset = client.create_dataset(name=f"lb-{prefix}")
    rows = [{"row_data": f"https://example.com/{prefix}/{i}.jpg", "global_key": f"{prefix}-{i}",
             "external_id": f"{i}.jpg"} for i in range(n)]
    started = time.perf_counter()
    task = dataset.create_data_rows(rows)
    task.wait_till_done(timeout_seconds=3600)
    seconds = time.perf_counter() - started
    assert task.status == "COMPLETE" and not task.errors, (task.status, task.errors)
    assert client.get_dataset(dataset.uid).row_count == n
    return seconds, dataset


def segments_import(http: Any, n: int, prefix: str) -> float:
    dataset = samples_bench.new_dataset(http)
    payloads = samples_bench.bodies(n, prefix)
    return samples_bench.bulk_add(http, dataset, payloads)


def key_lookup(client: Any, keys: list[str]) -> float:
    started = time.perf_counter()
    out = client.get_data_row_ids_for_global_keys(keys, timeout_seconds=3600)
    seconds = time.perf_counter() - started
    assert out["status"] == "SUCCESS" and len(out["results"]) == len(keys), out["status"]
    return seconds


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    import httpx
    import labelbox as lb

    with tempfile.TemporaryDirectory() as tmp, support.live_server(backend, Path(tmp)) as server:
        _, key = server.create_user()
        client = lb.Client(api_key=key, endpoint=server.url + "/graphql", rest_endpoint=server.url + "/api/v1")
        http = httpx.Client(base_url=server.url, headers={"Authorization": f"APIKey {key}"}, timeout=600)
        lb_rates, seg_rates, key_rates = [], [], []
        for run in range(args.runs):
            prefix = f"r{run}-{os.urandom(3).hex()}"
            lb_seconds, _ = labelbox_import(client, args.n, prefix)
            seg_seconds = segments_import(http, args.n, prefix)
            keys = [f"{prefix}-{i}" for i in range(0, args.n, max(args.n // args.keys, 1))][: args.keys]
            key_seconds = key_lookup(client, keys)
            lb_rates.append(args.n / lb_seconds)
            seg_rates.append(args.n / seg_seconds)
            key_rates.append(len(keys) / key_seconds)
            print(f"[{backend}] run {run + 1}: Labelbox SDK create_data_rows {args.n / lb_seconds:,.0f} rows/s "
                  f"({lb_seconds:.1f} s); Segments bulk import {args.n / seg_seconds:,.0f} rows/s "
                  f"({seg_seconds:.1f} s); ratio {seg_seconds and lb_seconds / seg_seconds:.2f}x; "
                  f"get_data_row_ids_for_global_keys({len(keys)}) {key_seconds:.2f} s", flush=True)
        http.close()
    return {"backend": backend, "labelbox_rows_per_s": statistics.median(lb_rates),
            "segments_rows_per_s": statistics.median(seg_rates),
            "ratio": statistics.median(seg_rates) / statistics.median(lb_rates),
            "global_keys_per_s": statistics.median(key_rates)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql" if os.environ.get(support.PG_URL_ENV)
                        else "sqlite")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        print(run_backend(backend, args), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
