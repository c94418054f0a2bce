"""Label PUTs (2 boxes) on the embedded default, several server trees side by side, alternating (issue 16's PUT rows):

    .venv/bin/python bench/put_bench.py [--src NAME=PATH ...] [--connections 1 4] [--rounds 3] [--seconds 5]

Each ``--src NAME=PATH`` is the ``server/src`` of some commit (``git archive <commit> server/src | tar -x -C DIR``),
run through ``PYTHONPATH`` in this venv; ``this`` (always included) is this checkout. Every tree gets its own
``labelhouse serve`` on a fresh SQLite data dir with ``--samples`` samples, every label of the 200 samples the wrk
script rotates over written once before timing (the timed PUTs all replace, as in bench/perf_bench.py, whose PUT
script this uses). Rounds alternate the order of the trees. Reported per tree and connection count: req/s, p50/p99
and the server's CPU time per request (``/proc/<pid>/stat``), which a shared machine disturbs far less than rates.
``--profile DIR``: one py-spy record per tree (``--connections``' first value, ``--seconds``) into DIR after the
rounds (py-spy must be installed in the venv).
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

from harden_bench import make_user
from perf_bench import _PUT_SCRIPT
from samples_bench import bodies, bulk_add, cpu_seconds, machine, new_dataset, serve
from wrk import wrk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", action="append", default=[], help="NAME=PATH of another server/src tree")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    trees: dict[str, dict[str, str]] = {"this": dict(os.environ)}
    for spec in args.src:
        name, _, path = spec.partition("=")
        trees[name] = {**os.environ, "PYTHONPATH": str(Path(path).resolve())}
    results: dict[str, dict[str, list[float]]] = {t: {} for t in trees}
    load: list[float] = []
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        servers: dict[str, dict[str, Any]] = {}
        for which, env in trees.items():
            data = tmp / which
            data.mkdir()
            db_url = f"sqlite:///{data / 'labelhouse.sqlite3'}"
            url, pid = stack.enter_context(serve(db_url, data, extra_env={"PYTHONPATH": env.get("PYTHONPATH", "")}))
            key = make_user(db_url, env, f"bench-{which}")
            headers = {"Authorization": f"APIKey {key}"}
            http = stack.enter_context(httpx.Client(base_url=url, headers=headers, timeout=300))
            dataset = new_dataset(http)
            for start in range(0, args.samples, 1000):
                bulk_add(http, dataset, bodies(min(1000, args.samples - start), f"{which}-{start}"))
            page = orjson.loads(http.get(f"/datasets/{dataset}/samples/?per_page=200&page=1").content)
            uuids = [s["uuid"] for s in page]
            script = tmp / f"put-{which}.lua"
            script.write_text(_PUT_SCRIPT % ", ".join(f'"{u}"' for u in uuids))
            for u in uuids:  # every label exists before timing: the PUTs all replace
                r = http.put(f"/labels/{u}/ground-truth/", json={"attributes": {"format_version": "0.1",
                                                                                 "annotations": []}})
                r.raise_for_status()
            servers[which] = {"url": url, "pid": pid, "headers": {**headers, "Content-Type": "application/json"},
                              "script": script}
            wrk(url, seconds=1, connections=1, script=script, headers=servers[which]["headers"])  # warm up
        names = list(trees)
        for i in range(args.rounds):
            order = names[i % len(names):] + names[:i % len(names)]
            for conns in args.connections:
                for which in order:
                    s = servers[which]
                    cpu0 = cpu_seconds(s["pid"])
                    put = wrk(s["url"], seconds=args.seconds, connections=conns, script=s["script"],
                              headers=s["headers"])
                    cpu1 = cpu_seconds(s["pid"])
                    r = results[which]
                    for name, value in ((f"put{conns}_rate", put.rate), (f"put{conns}_p50_ms", put.p50_ms),
                                        (f"put{conns}_p99_ms", put.p99_ms),
                                        (f"put{conns}_cpu_us", (cpu1 - cpu0) / put.requests * 1e6)):
                        r.setdefault(name, []).append(value)
                    print(f"  {which} c={conns}: {put.rate:,.0f} req/s, p50 {put.p50_ms:.2f} ms, "
                          f"{(cpu1 - cpu0) / put.requests * 1e6:,.0f} us CPU/req", file=sys.stderr, flush=True)
            load.append(os.getloadavg()[0])
            print(f"round {i + 1}/{args.rounds} done, load {load[-1]:.1f}", file=sys.stderr, flush=True)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            pyspy = Path(sys.executable).with_name("py-spy")
            for which in names:
                s = servers[which]
                out = args.profile / f"{which}.txt"
                prof = subprocess.Popen([str(pyspy), "record", "-p", str(s["pid"]), "-d", str(args.seconds + 1),
                                         "-f", "raw", "-o", str(out), "-r", "250", "--nonblocking"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(0.5)
                wrk(s["url"], seconds=args.seconds, connections=args.connections[0], script=s["script"],
                    headers=s["headers"])
                prof.wait(60)
                print(f"profile: {out}", file=sys.stderr)
    med = {w: {k: statistics.median(v) for k, v in r.items()} for w, r in results.items()}
    out = {"rounds": args.rounds, "seconds": args.seconds, "samples": args.samples, "median": med, "all": results,
           "load_1min_per_round": load, "machine": machine(), "trees": {t: e.get("PYTHONPATH", ".") for t, e in
                                                                       trees.items()},
           "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if args.json:
        args.json.write_text(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
    print("| measure | " + " | ".join(names) + " | " + " | ".join(f"{n}/{names[0]}" for n in names[1:]) + " |")
    print("|---" * (2 * len(names)) + "|")
    for k in med[names[0]]:
        base = med[names[0]][k]
        print(f"| {k} | " + " | ".join(f"{med[n][k]:,.2f}" for n in names) + " | "
              + " | ".join(f"{med[n][k] / base:.2f}" for n in names[1:]) + " |")
    print(f"load average (1 min) per round: {', '.join(f'{x:.1f}' for x in load)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
