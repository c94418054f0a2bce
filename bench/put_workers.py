"""Label writes and sample reads on the embedded default (SQLite) with one and with several API processes
(`labelhouse serve --workers N` on one SQLite file), measured in the same run, alternating:

    .venv/bin/python bench/put_workers.py [--workers 1 2] [--connections 4] [--seconds 5] [--rounds 3]

Issue 16's idea list has "`serve --workers N` on one SQLite file" for the 4-connection PUT row: one process holds
the GIL and SQLite has one writer, so this measures whether a second process (each with its own GIL; SQLite's
write lock held only for the short write transaction) buys throughput on this machine. Each configuration gets a
fresh data dir with the same 200 samples; wrk (Debian) is the client, the PUT script of bench/perf_bench.py
(a label of 2 boxes on a rotating sample). Any non-2xx answer (a 503 ``database_busy``, say) fails the run.
Prints one JSON line per configuration and round, then the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

from perf_bench import _PUT_SCRIPT, _machine
from samples_bench import bodies, bulk_add, make_user, new_dataset, serve
from wrk import wrk


def one_round(tmp: Path, workers: int, args: argparse.Namespace, tag: str) -> dict[str, float]:
    data = tmp / f"data-{workers}-{tag}"
    data.mkdir()
    db_url = f"sqlite:///{data / 'labelhouse.sqlite3'}"
    with serve(db_url, data, extra_args=["--workers", str(workers)]) as (url, _pid):
        _user_id, key = make_user(db_url)
        headers = {"Authorization": f"APIKey {key}"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            dataset = new_dataset(http)
            bulk_add(http, dataset, bodies(200, "w"))
            page = orjson.loads(http.get(f"/datasets/{dataset}/samples/?per_page=200&page=1").content)
        uuids = [s["uuid"] for s in page]
        script = data / "put.lua"
        script.write_text(_PUT_SCRIPT % ", ".join(f'"{u}"' for u in uuids))
        time.sleep(1)  # every worker process up and idle
        put = wrk(url, seconds=args.seconds, connections=args.connections, script=script,
                  headers={**headers, "Content-Type": "application/json"})
        get = wrk(f"{url}/samples/{uuids[0]}/", seconds=args.seconds, connections=args.connections,
                  headers=headers)
    return {"put_rate": put.rate, "put_p50_ms": put.p50_ms, "put_p99_ms": put.p99_ms,
            "get_rate": get.rate, "get_p50_ms": get.p50_ms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[int, list[dict[str, float]]] = {w: [] for w in args.workers}
    with tempfile.TemporaryDirectory() as tmp_name:
        for r in range(args.rounds):
            for workers in args.workers:  # alternating: every configuration sees the same load over time
                result = one_round(Path(tmp_name), workers, args, str(r))
                runs[workers].append(result)
                print(json.dumps({"workers": workers, "round": r, **result}), flush=True)
    medians = {w: {k: statistics.median(run[k] for run in rs) for k in rs[0]} for w, rs in runs.items()}
    base = medians[args.workers[0]]
    print(json.dumps({"machine": _machine(), "connections": args.connections, "seconds": args.seconds,
                      "rounds": args.rounds, "medians": medians,
                      "put_ratio_to_first": {w: m["put_rate"] / base["put_rate"] for w, m in medians.items()},
                      "get_ratio_to_first": {w: m["get_rate"] / base["get_rate"] for w, m in medians.items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
