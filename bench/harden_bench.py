"""Did hardening (issue 10) make the hot paths slower? Two servers side by side, the same harness, the same run.

    .venv/bin/python bench/harden_bench.py --before-src /tmp/lh-before/server/src [--rounds 5] [--seconds 5]

``--before-src`` is the ``server/src`` of a checkout of the commit before hardening landed, e.g.
``mkdir /tmp/lh-before && git archive 38a4ba9 server/src | tar -x -C /tmp/lh-before`` (38a4ba9 is main just before
aa45045 merged the bounded input and rate limits; the lock-timeout, keyset and fast-lane parts came later still).
The "before" server runs that source through ``PYTHONPATH`` in this venv (same interpreter, same libraries); the
"after" server is this checkout. Both are ``labelhouse serve`` on the embedded default (a fresh SQLite data dir,
one process). Each round runs, on one server and then the other (the order alternates every round):

- GET one sample, wrk, 1 connection, ``--seconds``;
- PUT a label (2 boxes), wrk, 1 connection, ``--seconds``;
- bulk import of ``--bulk`` samples, 1,000 per gzip ``samples_bulk`` request, one connection (samples/s).

Reported: medians over rounds per server and the ratio after/before (> 1 = after is faster for rates), with the
load average, and the server process's CPU time per request (per sample for the import) from /proc/<pid>/stat,
which a shared machine disturbs far less than rates and latencies. The after server runs with its rate limiter on and buckets no benchmark empties (samples_bench's
``BENCH_RATE_LIMITS``), so the limiter's cost is in every request measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

from perf_bench import _PUT_SCRIPT
from samples_bench import bodies, bulk_add, cpu_seconds, machine, new_dataset, serve
from wrk import wrk

_MAKE_USER = """
import sys
from labelhouse_server.auth.keys import issue_key
from labelhouse_server.db.engine import make_engine, make_sessionmaker
from labelhouse_server.users.service import create_user
engine = make_engine(sys.argv[1])
session = make_sessionmaker(engine)()
user = create_user(session, sys.argv[2], None)
_, key = issue_key(session, user)
session.commit()
print(key)
"""


def make_user(db_url: str, env: dict[str, str], name: str) -> str:
    """An API key made by the server's own code (the before and after schemas differ)."""
    out = subprocess.run([sys.executable, "-c", _MAKE_USER, db_url, name], env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before-src", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--bulk", type=int, default=20_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    before_env = {**os.environ, "PYTHONPATH": str(args.before_src.resolve())}
    after_env = dict(os.environ)
    results: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    load: list[float] = []
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        servers: dict[str, dict[str, Any]] = {}
        for which, env in (("before", before_env), ("after", after_env)):
            data = tmp / which
            data.mkdir()
            db_url = f"sqlite:///{data / 'labelhouse.sqlite3'}"
            url, pid = stack.enter_context(serve(db_url, data, extra_env={"PYTHONPATH": env.get("PYTHONPATH", "")}))
            key = make_user(db_url, env, f"bench-{which}")
            headers = {"Authorization": f"APIKey {key}"}
            http = stack.enter_context(httpx.Client(base_url=url, headers=headers, timeout=300))
            dataset = new_dataset(http)
            bulk_add(http, dataset, bodies(2_000, f"{which}-seed"))
            page = orjson.loads(http.get(f"/datasets/{dataset}/samples/?per_page=200&page=1").content)
            uuids = [s["uuid"] for s in page]
            script = tmp / f"put-{which}.lua"
            script.write_text(_PUT_SCRIPT % ", ".join(f'"{u}"' for u in uuids))
            for u in uuids:  # every label exists before timing: the PUTs all replace
                http.put(f"/labels/{u}/ground-truth/", json={"attributes": {"format_version": "0.1",
                                                                             "annotations": []}})
            servers[which] = {"url": url, "pid": pid, "headers": headers, "http": http, "dataset": dataset,
                              "uuids": uuids, "script": script}
            # warm up both paths
            wrk(f"{url}/samples/{uuids[0]}/", seconds=1, connections=1, headers=headers)
        payload_sets = [bodies(args.bulk, f"r{i}") for i in range(args.rounds)]
        for i in range(args.rounds):
            order = ("before", "after") if i % 2 == 0 else ("after", "before")
            for which in order:
                s = servers[which]
                r = results[which]
                cpu0 = cpu_seconds(s["pid"])
                get = wrk(f"{s['url']}/samples/{s['uuids'][0]}/", seconds=args.seconds, connections=1,
                          headers=s["headers"])
                cpu1 = cpu_seconds(s["pid"])
                put = wrk(s["url"], seconds=args.seconds, connections=1, script=s["script"],
                          headers={**s["headers"], "Content-Type": "application/json"})
                cpu2 = cpu_seconds(s["pid"])
                seconds = bulk_add(s["http"], s["dataset"], payload_sets[i])
                cpu3 = cpu_seconds(s["pid"])
                for name, value in (("get_rate", get.rate), ("get_p50_ms", get.p50_ms), ("get_p99_ms", get.p99_ms),
                                    ("get_cpu_us", (cpu1 - cpu0) / get.requests * 1e6),
                                    ("put_rate", put.rate), ("put_p50_ms", put.p50_ms), ("put_p99_ms", put.p99_ms),
                                    ("put_cpu_us", (cpu2 - cpu1) / put.requests * 1e6),
                                    ("bulk_per_s", args.bulk / seconds),
                                    ("bulk_cpu_us_per_sample", (cpu3 - cpu2) / args.bulk * 1e6)):
                    r.setdefault(name, []).append(value)
            load.append(os.getloadavg()[0])
            print(f"round {i + 1}/{args.rounds} done, load {load[-1]:.1f}", file=sys.stderr, flush=True)
    med = {w: {k: statistics.median(v) for k, v in r.items()} for w, r in results.items()}
    out = {"rounds": args.rounds, "seconds": args.seconds, "bulk": args.bulk, "median": med, "all": results,
           "load_1min_per_round": load, "machine": machine(),
           "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if args.json:
        args.json.write_text(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
    print("| measure | before | after | after/before |\n|---|---|---|---|")
    for k in med["before"]:
        b, a = med["before"][k], med["after"][k]
        print(f"| {k} | {b:,.1f} | {a:,.1f} | {a / b:.2f} |")
    print(f"load average (1 min) per round: {', '.join(f'{x:.1f}' for x in load)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
