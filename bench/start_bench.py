"""Start time and idle memory (issue 16: start on a fresh data dir → first answer ≤ 1.0 s, idle RSS ≤ 80 MiB),
old and new source alternating in the same minutes.

    .venv/bin/python bench/start_bench.py --before-src /tmp/lh-before/server/src [--rounds 7]

``--before-src`` is the ``server/src`` of another checkout (``mkdir /tmp/lh-before && git archive <commit>
server/src | tar -x -C /tmp/lh-before``); it runs through ``PYTHONPATH`` in this venv (same interpreter, same
libraries). Without it only this checkout is measured. Each round starts ``labelhouse serve`` on a new empty data
dir (SQLite, in-process jobs, the bootstrap admin on: what a first ``labelhouse serve`` does), once per source,
the order alternating every round, and measures:

- **start**: launching the command → the first 200 from ``/healthz`` (what ``perf_bench.py`` reports), in wall
  time and in CPU time of the server process (user + system, ``/proc/<pid>/stat``: what a loaded machine
  inflates least; ``serve`` migrates and then runs uvicorn in that one process);
- **first requests**: 1 s after that, one authenticated REST request (``GET /user`` with the bootstrap admin's
  key) and one Labelbox GraphQL request (``{ user { id } }``), each timed alone (wall, and the server's CPU):
  what was left to do at start (lazy imports, the GraphQL schema) is paid here;
- **idle RSS**: ``VmRSS`` of the server process 1 s after the first answer, before any other request (as
  ``perf_bench.py``), and again after the first requests.

Medians per source, with the load average at the start and the end. The machine is shared: compare the two
columns of one run, not runs of different hours.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

import support  # tests/support.py: free ports

THIS_SRC = ROOT.parent / "server" / "src"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(src: Path, data: Path) -> dict[str, float]:
    port = support.free_port()
    env = {**os.environ, "PYTHONPATH": str(src), "LABELHOUSE_BOOTSTRAP_ADMIN": "true"}
    env.pop("LABELHOUSE_DATABASE_URL", None)
    log = data.parent / f"{data.name}.log"
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "labelhouse_server.cli", "serve", "--port", str(port),
                                 "--data-dir", str(data), "--log-level", "warning"],
                                stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=10).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.perf_counter() - started > 300:
                    raise RuntimeError(log.read_text()[-3000:])
                time.sleep(0.005)
            result = {"start_s": time.perf_counter() - started, "start_cpu_s": cpu_seconds(proc.pid)}
            time.sleep(1.0)
            result["idle_rss_mib"] = rss_mib(proc.pid)
            key = log.read_text().split("keep it safe):", 1)[1].split()[0]
            with httpx.Client(base_url=url, timeout=30) as http:
                t, cpu = time.perf_counter(), cpu_seconds(proc.pid)
                http.get("/user", headers={"Authorization": f"APIKey {key}"}).raise_for_status()
                result["first_rest_s"] = time.perf_counter() - t
                result["first_rest_cpu_s"] = cpu_seconds(proc.pid) - cpu
                t, cpu = time.perf_counter(), cpu_seconds(proc.pid)
                r = http.post("/graphql", json={"query": "{ user { id } }"},
                              headers={"Authorization": f"Bearer {key}"})
                r.raise_for_status()
                assert r.json()["data"]["user"]["id"], r.text
                result["first_graphql_s"] = time.perf_counter() - t
                result["first_graphql_cpu_s"] = cpu_seconds(proc.pid) - cpu
            result["rss_after_requests_mib"] = rss_mib(proc.pid)
            return result
        finally:
            proc.terminate()
            proc.wait(15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before-src", type=Path, help="server/src of the old checkout")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    sources = {"new": THIS_SRC}
    if args.before_src:
        sources = {"old": args.before_src.resolve(), "new": THIS_SRC}
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sources}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.rounds):
            order = list(sources) if i % 2 == 0 else list(reversed(sources))
            for name in order:
                r = one_start(sources[name], Path(tmp) / f"{name}-{i}")
                runs[name].append(r)
                print(f"round {i} {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in r.items()), flush=True)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(f"\nload average: {' '.join(load_before)} (start) → {' '.join(load_after)} (end); "
          f"medians of {args.rounds} starts per source\n")
    keys = ["start_s", "start_cpu_s", "first_rest_s", "first_rest_cpu_s", "first_graphql_s", "first_graphql_cpu_s",
            "idle_rss_mib", "rss_after_requests_mib"]
    print("| measure | " + " | ".join(sources) + " |")
    print("|---|" + "---|" * len(sources))
    for k in keys:
        print(f"| {k} | " + " | ".join(f"{statistics.median(r[k] for r in runs[n]):.3f}" for n in sources) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
