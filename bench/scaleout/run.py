"""Scale-out load tests on the production stack (PostgreSQL + S3 + API processes + job workers), issue 16.

    .venv/bin/pip install --group bench   # locust, the load tool (the `bench` group of ./pyproject.toml)
    .venv/bin/python bench/scaleout/run.py mixed    [--api-workers 2] [--job-workers 1] [--duration 90]
    .venv/bin/python bench/scaleout/run.py scaling  [--seconds 15] [--connections 8]
    .venv/bin/python bench/scaleout/run.py count    [--requests 200]

Each scenario starts its own stack (bench/scaleout/stack.py), fills a dataset through the API (``--samples``
samples, 1,000 per ``samples_bulk`` request; their ground-truth labels by one SQL ``INSERT ... SELECT`` as
bench/samples_bench.py does, untimed) and tears everything down at the end.

- ``mixed``: the team load of bench/scaleout/locustfile.py (50 labelers, 1 importer, 1 exporter, 2 readers) for
  ``--duration`` seconds; per request kind count, failures, rate, p50/p99 (locust's CSV), plus the CPU seconds the
  API processes, the job workers, PostgreSQL's backends of this database, moto and locust itself spent in the
  window (``/proc/<pid>/stat``).
- ``scaling``: with 1, then 2 API processes: wrk (C client) on GET sample, GET label and PUT label for
  ``--seconds`` each with ``--connections``; rate, p50/p99, and per request the API processes' CPU and the
  PostgreSQL backends' CPU.
- ``count``: PostgreSQL round trips and database time per request kind. The database gets
  ``log_min_duration_statement = 0`` (``ALTER DATABASE ... SET``, this database only); ``--requests`` sequential
  requests of each kind are sent and the server log lines of this database are counted: one ``execute`` (extended
  protocol: parse/bind/execute travel in one round trip) or ``statement:`` (simple protocol: BEGIN, COMMIT) line
  is one round trip; the ``duration:`` of every line (parse, bind, execute) adds up to the database time.

``--json FILE`` writes every figure; a summary is printed. Results are copied into bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: the other benchmarks' helpers
from perf_bench import _PUT_SCRIPT
from samples_bench import TASK_ATTRIBUTES, bodies, label_everything
from stack import (
    DEFAULT_PG_URL,
    Stack,
    cpu_seconds,
    database_backends,
    descendants,
    production_stack,
    spawn,
    stop,
)
from wrk import wrk

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PG_LOG = Path("/var/log/postgresql/postgresql-15-main.log")

_GET_SCRIPT = """
local uuids = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", string.format(%r, uuids[(n %% #uuids) + 1]))
end
"""


# ------------------------------------------------------------------------------------------------ set-up
def fill(stack: Stack, samples: int) -> dict[str, Any]:
    """The labelers' dataset (``samples`` samples, all with a ground-truth label) and an empty import dataset."""
    http = httpx.Client(base_url=stack.url, headers={"Authorization": f"APIKey {stack.key}"}, timeout=300)
    names = []
    for purpose in ("team", "imports"):
        r = http.post("/user/datasets/", json={"name": f"{purpose}-{secrets.token_hex(3)}", "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        r.raise_for_status()
        names.append(r.json()["full_name"])
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    for body in bodies(samples, "team"):
        http.post(f"/datasets/{names[0]}/samples_bulk/", content=body, headers=headers).raise_for_status()
    engine = create_engine(stack.database_url)
    with engine.connect() as conn:
        user_id = conn.execute(text("SELECT id FROM accounts WHERE username = 'bench'")).scalar_one()
    label_everything(engine, names[0], user_id)
    engine.dispose()
    uuids: list[str] = []
    page = 1
    while True:
        got = orjson.loads(http.get(f"/datasets/{names[0]}/samples/?per_page=1000&page={page}").content)
        if not got:
            break
        uuids += [s["uuid"] for s in got]
        page += 1
    http.close()
    assert len(uuids) == samples, len(uuids)
    return {"dataset": names[0], "import_dataset": names[1], "uuids": uuids}


class CpuWindow:
    """CPU seconds spent by groups of processes between ``start`` and ``stop`` (processes found at both ends;
    a process that starts in between counts from its start)."""

    def __init__(self, groups: dict[str, Any]) -> None:
        self.groups = groups  # name -> callable returning pids
        self.before: dict[str, dict[int, float]] = {}

    def start(self) -> None:
        self.before = {name: cpu_seconds(pids()) for name, pids in self.groups.items()}
        self.t0 = time.perf_counter()

    def stop(self) -> dict[str, float]:
        out = {"wall_s": time.perf_counter() - self.t0}
        for name, pids in self.groups.items():
            after = cpu_seconds(pids())
            out[name] = sum(v - self.before[name].get(pid, 0.0) for pid, v in after.items())
        return out


def cpu_groups(stack: Stack, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"api_cpu_s": stack.api_processes,
            "postgres_cpu_s": lambda: database_backends(stack.database_url),
            "workers_cpu_s": lambda: [p for root in stack.worker_roots for p in descendants(root)[1:]],
            "moto_cpu_s": lambda: descendants(stack.moto_root)[1:], **(extra or {})}


# ------------------------------------------------------------------------------------------------ mixed
def mixed(args: argparse.Namespace) -> dict[str, Any]:
    if not (BIN / "locust").exists():
        raise SystemExit("locust is not installed: .venv/bin/pip install --group bench")
    with production_stack(pg_url=args.pg_url, api_workers=args.api_workers, job_workers=args.job_workers,
                          lifetime=args.duration + 600) as stack:
        data = fill(stack, args.samples)
        work = Path(tempfile.mkdtemp(prefix="lh-locust-"))
        (work / "uuids.json").write_text(json.dumps(data["uuids"]))
        env = {**os.environ, "LH_KEY": stack.key, "LH_DATASET": data["dataset"],
               "LH_IMPORT_DATASET": data["import_dataset"], "LH_UUIDS": str(work / "uuids.json"),
               "LH_LABELERS": str(args.labelers), "LH_READERS": str(args.readers)}
        users = args.labelers + args.readers + 3
        cmd = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(users), "-r", "25",
               "-t", f"{args.duration}s", "--host", stack.url, "--csv", str(work / "mixed"), "--only-summary",
               "--stop-timeout", "10", "--loglevel", "WARNING"]
        locust = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        window = CpuWindow(cpu_groups(stack))
        window.start()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        load = [os.getloadavg()[0]]
        output, _ = locust.communicate(timeout=args.duration + 120)
        cpu = window.stop()
        waited = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust is the only child waited for meanwhile
        cpu["locust_cpu_s"] = waited.ru_utime + waited.ru_stime - children.ru_utime - children.ru_stime
        load.append(os.getloadavg()[0])
        rows = read_locust_csv(work / "mixed_stats.csv")
        http = httpx.Client(base_url=stack.url, headers={"Authorization": f"APIKey {stack.key}"}, timeout=60)
        imported = int(http.get(f"/datasets/{data['import_dataset']}/").json().get("samples_count") or 0)
        http.close()
    return {"scenario": "mixed", "api_workers": args.api_workers, "job_workers": args.job_workers,
            "duration_s": args.duration, "samples": args.samples, "labelers": args.labelers,
            "readers": args.readers, "requests": rows, "cpu": cpu, "load_average": load,
            "imported_samples_count": imported, "locust_tail": output[-3000:]}


def read_locust_csv(path: Path) -> dict[str, dict[str, float]]:
    out = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            name = row["Name"] if row["Type"] else "Aggregated"
            if row["Name"] == "Aggregated":
                name = "all"
            out[name] = {"count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                         "per_s": float(row["Requests/s"]), "p50_ms": float(row["50%"] or 0),
                         "p99_ms": float(row["99%"] or 0), "max_ms": float(row["100%"] or 0)}
    return out


# ----------------------------------------------------------------------------------------------- scaling
def scaling(args: argparse.Namespace) -> dict[str, Any]:
    """Both stacks (1 and 2 API processes, each on its own database) run side by side; the wrk runs alternate
    between them, kind by kind, ``--rounds`` times (the order flips each round), so both see the same neighbours."""
    results: dict[str, Any] = {"scenario": "scaling", "connections": args.connections, "seconds": args.seconds,
                               "rounds": args.rounds, "runs": {"1": {}, "2": {}}}
    with ExitStack() as stacks:
        prepared = {}
        for processes in (1, 2):
            stack = stacks.enter_context(production_stack(
                pg_url=args.pg_url, api_workers=processes, job_workers=0,
                lifetime=6 * args.rounds * args.seconds + 900))
            data = fill(stack, args.samples)
            work = Path(tempfile.mkdtemp(prefix="lh-wrk-"))
            uuids = ", ".join(f'"{u}"' for u in data["uuids"][:2000])
            (work / "get_sample.lua").write_text(_GET_SCRIPT % (uuids, "/samples/%s/"))
            (work / "get_label.lua").write_text(_GET_SCRIPT % (uuids, "/labels/%s/ground-truth/"))
            (work / "put_label.lua").write_text(_PUT_SCRIPT % uuids)
            prepared[processes] = (stack, work)
        for round_ in range(args.rounds):
            for kind, script, extra in (("GET sample", "get_sample.lua", {}), ("GET label", "get_label.lua", {}),
                                        ("PUT label", "put_label.lua", {"Content-Type": "application/json"})):
                for processes in ((1, 2) if round_ % 2 == 0 else (2, 1)):
                    stack, work = prepared[processes]
                    window = CpuWindow(cpu_groups(stack))
                    window.start()
                    run = wrk(stack.url, seconds=args.seconds, connections=args.connections, script=work / script,
                              headers={"Authorization": f"APIKey {stack.key}", **extra}, threads=1)
                    cpu = window.stop()
                    row = {"per_s": run.rate, "p50_ms": run.p50_ms, "p99_ms": run.p99_ms, "requests": run.requests,
                           "api_cpu_ms_per_request": 1000 * cpu["api_cpu_s"] / run.requests,
                           "postgres_cpu_ms_per_request": 1000 * cpu["postgres_cpu_s"] / run.requests,
                           "api_cores_busy": cpu["api_cpu_s"] / cpu["wall_s"], "load_average": os.getloadavg()[0]}
                    results["runs"][str(processes)].setdefault(kind, []).append(row)
                    print(f"[round {round_ + 1}, {processes} API] {kind}: {run.rate:,.0f}/s p50 {run.p50_ms:.2f} ms "
                          f"p99 {run.p99_ms:.2f} ms; API CPU {row['api_cpu_ms_per_request']:.2f} ms/req "
                          f"({row['api_cores_busy']:.2f} cores), PostgreSQL CPU "
                          f"{row['postgres_cpu_ms_per_request']:.2f} ms/req; load {row['load_average']:.1f}",
                          flush=True)
    results["medians"] = {
        processes: {kind: {key: statistics.median(r[key] for r in rows) for key in rows[0]}
                    for kind, rows in kinds.items()} for processes, kinds in results["runs"].items()}
    return results


# ------------------------------------------------------------------------------------------------- count
_LINE = re.compile(r"^\S+ \S+ \S+ \[\d+\] \S+@(\S+) LOG:  duration: ([0-9.]+) ms  (\w+)(?: [^:]*)?: ?(.*)")


def _log_lines(database: str, start: int) -> list[tuple[float, str, str]]:
    """(duration ms, kind, statement start) of this database's statement-duration lines after byte ``start``."""
    out = []
    with open(PG_LOG, "rb") as f:
        f.seek(start)
        for raw in f:
            m = _LINE.match(raw.decode(errors="replace"))
            if m and m.group(1) == database:
                out.append((float(m.group(2)), m.group(3), m.group(4)[:60]))
    return out


def _summary(lines: list[tuple[float, str, str]], times: int) -> dict[str, Any]:
    trips = [stmt for _, kind, stmt in lines if kind in ("execute", "statement")]
    ms: Counter[str] = Counter()
    for duration, kind, stmt in lines:
        ms[stmt if kind in ("execute", "statement") else f"({kind}) {stmt}"] += duration
    return {"round_trips_per_request": len(trips) / times, "db_ms_per_request": sum(d for d, _, _ in lines) / times,
            "requests": times, "statements": dict(Counter(trips).most_common(12)),
            "ms_per_request_by_statement": {k: round(v / times, 3) for k, v in ms.most_common(8)}}


def count(args: argparse.Namespace) -> dict[str, Any]:
    settings = {"log_min_duration_statement": "0"}
    results: dict[str, Any] = {"scenario": "count", "requests": args.requests, "kinds": {}}
    # No job worker while requests are counted: it polls the jobs table every 0.5 s. One starts for the release.
    with production_stack(pg_url=args.pg_url, api_workers=1, job_workers=0, lifetime=900,
                          database_settings=settings) as stack:
        data = fill(stack, args.samples)
        database = stack.database_url.rsplit("/", 1)[1].split("?")[0]
        http = httpx.Client(base_url=stack.url, headers={"Authorization": f"APIKey {stack.key}"}, timeout=120)
        uuids = data["uuids"]
        label = gzip.compress(orjson.dumps({"label_status": "LABELED", "attributes": {
            "format_version": "0.1", "annotations": [
                {"id": 1, "category_id": 1, "type": "bbox", "points": [[1, 2], [30, 40]]},
                {"id": 2, "category_id": 2, "type": "bbox", "points": [[5, 6], [50, 60]]}]}}))
        gz = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        n = args.requests
        kinds: list[tuple[str, int, Any]] = [
            ("GET sample", n, lambda i: http.get(f"/samples/{uuids[i]}/")),
            ("GET label", n, lambda i: http.get(f"/labels/{uuids[i]}/ground-truth/")),
            ("PUT label", n, lambda i: http.put(f"/labels/{uuids[i]}/ground-truth/", content=label, headers=gz)),
            ("GET samples page (100)", max(10, n // 10), lambda i: http.get(
                f"/datasets/{data['dataset']}/samples/?per_page=100&page={i % 10 + 1}&labelset=ground-truth")),
            ("POST samples_bulk (1000)", 5, lambda i: http.post(
                f"/datasets/{data['import_dataset']}/samples_bulk/", content=bodies(1000, f"c{i}")[0], headers=gz)),
        ]
        for kind, times, call in kinds:
            for i in range(3):  # warm the pool and the prepared statements
                call(i)
            time.sleep(1.5)  # the log is written by another process: let earlier lines land
            start = PG_LOG.stat().st_size
            for i in range(times):
                r = call(i)
                if r.status_code >= 300:
                    raise RuntimeError(f"{kind}: {r.status_code} {r.text[:300]}")
            time.sleep(1.5)
            results["kinds"][kind] = _summary(_log_lines(database, start), times)
        # a release: created by the API, then built by a worker started for it (its start-up and polls count too)
        time.sleep(1.5)
        start = PG_LOG.stat().st_size
        r = http.post(f"/datasets/{data['dataset']}/releases/", json={"name": "counted"})
        r.raise_for_status()
        worker = spawn([str(BIN / "labelhouse"), "worker"], env={**os.environ, **stack.settings_env},
                       log=stack.data_dir / "count-worker.log", lifetime=300)
        try:
            for _ in range(480):
                if http.get(f"/datasets/{data['dataset']}/releases/counted/").json()["status"] != "PENDING":
                    break
                time.sleep(0.25)
        finally:
            stop(worker)
        time.sleep(1.5)
        results["kinds"][f"release of {args.samples} (create, build, polls)"] = _summary(
            _log_lines(database, start), 1)
        http.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["mixed", "scaling", "count"])
    parser.add_argument("--pg-url", default=os.environ.get("LABELHOUSE_TEST_DATABASE_URL", DEFAULT_PG_URL))
    parser.add_argument("--samples", type=int, default=10000, help="samples in the labelers' dataset")
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument("--job-workers", type=int, default=1)
    parser.add_argument("--duration", type=int, default=90, help="mixed: seconds of load")
    parser.add_argument("--labelers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15, help="scaling: seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="scaling: wrk connections")
    parser.add_argument("--rounds", type=int, default=3, help="scaling: alternating rounds (medians reported)")
    parser.add_argument("--requests", type=int, default=200, help="count: requests per kind")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    started = time.time()
    result = {"mixed": mixed, "scaling": scaling, "count": count}[args.scenario](args)
    result["at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started))
    result["load_average_end"] = os.getloadavg()
    text_out = json.dumps(result, indent=1)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text_out)
    if args.scenario == "mixed":
        for name, row in result["requests"].items():
            print(f"{name:32s} {row['count']:7d} req {row['failures']:4d} failed {row['per_s']:8.1f}/s "
                  f"p50 {row['p50_ms']:7.1f} ms p99 {row['p99_ms']:7.1f} ms max {row['max_ms']:7.1f} ms")
        print(json.dumps(result["cpu"]), result["load_average"], "imported", result["imported_samples_count"])
    elif args.scenario == "count":
        for kind, row in result["kinds"].items():
            print(f"{kind:42s} {row['round_trips_per_request']:8.2f} round trips {row['db_ms_per_request']:8.3f} ms "
                  f"database time per request; most frequent: {json.dumps(row['statements'])[:600]}")
    else:
        print(json.dumps(result["medians"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
