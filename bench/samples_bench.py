"""Samples benchmark (not a test): bulk import and full listing through the HTTP API of a real server.

For each backend (the embedded SQLite default, and PostgreSQL when ``--pg-url`` or LABELHOUSE_TEST_DATABASE_URL
is given) it starts ``labelhouse serve`` on a temporary data directory (PostgreSQL: a fresh database, dropped at
the end) and, per run (``--runs``, medians reported):

1. bulk-adds N samples (default 100,000) into an empty dataset, 1,000 per ``POST .../samples_bulk/`` request,
   gzip-compressed like the official SDK sends them, one client connection, requests back to back;
2. gives every sample a ground-truth label (direct SQL: one INSERT ... SELECT — the API path for labels is
   measured separately, see 4) and lists the dataset page by page (1,000 per page) with ``labelset=ground-truth``
   (label summaries) and again with ``include_full_label=1``;
3. once per backend, pre-fills a second dataset with M samples (default 1,000,000) by direct SQL, then per run
   bulk-adds N more samples through the API into it (the dataset grows by N per run);
4. times ``--label-puts`` single ``PUT /labels/{uuid}/ground-truth/`` calls (latency median/p95).

Usage:  .venv/bin/python bench/samples_bench.py [--n 100000] [--big 1000000] [--runs 3] [--pg-url URL]
        [--backends sqlite,postgresql] [--json results.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import support  # the tests' scratch databases and free ports (tests/support.py)

CHUNK = 1000
LABEL = {"format_version": "0.1", "annotations": [
    {"id": 1, "category_id": 1, "type": "bbox", "points": [[10.0, 20.0], [110.0, 220.0]]},
    {"id": 2, "category_id": 2, "type": "polygon", "points": [[0.0, 0.0], [50.0, 0.0], [50.0, 50.0]],
     "attributes": {"occluded": False}},
]}
TASK_ATTRIBUTES = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}


# --------------------------------------------------------------------------------------------------- server
# One benchmark client sends thousands of requests per second with one key from one address, which the default
# per-key and per-address limits (100 and 200 requests/s) would refuse. The limiter stays on — its cost is part of
# every request measured — with buckets no benchmark empties.
BENCH_RATE_LIMITS = {"LABELHOUSE_RATE_LIMIT_PER_KEY_PER_SECOND": "1000000", "LABELHOUSE_RATE_LIMIT_PER_KEY_BURST":
                     "1000000", "LABELHOUSE_RATE_LIMIT_PER_IP_PER_SECOND": "1000000",
                     "LABELHOUSE_RATE_LIMIT_PER_IP_BURST": "1000000"}

@contextmanager
def serve(database_url: str, data_dir: Path, extra_env: dict[str, str] | None = None,
          launcher: list[str] | None = None, extra_args: list[str] | None = None) -> Iterator[tuple[str, int]]:
    """``labelhouse serve`` in a child process; ``launcher`` replaces ``python -m labelhouse_server.cli`` (a
    benchmark's variant of the server, e.g. with one part switched off for a same-run comparison);
    ``extra_args`` go after ``serve`` (e.g. ``["--workers", "2"]``)."""
    port = support.free_port()
    env = {**os.environ, "LABELHOUSE_BOOTSTRAP_ADMIN": "false", **BENCH_RATE_LIMITS, **(extra_env or {})}
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115 - handed to the child process, closed in finally
    proc = subprocess.Popen(
        [*(launcher or [sys.executable, "-m", "labelhouse_server.cli"]), "serve", *(extra_args or []), "--port", str(port), "--data-dir", str(data_dir),
         "--database-url", database_url, "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError((data_dir / "server.log").read_text()[-3000:])
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        yield url, proc.pid  # uvicorn runs in this process (one worker)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of the server process: the machine is shared, so wall time alone overstates cost."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_user(database_url: str) -> tuple[int, str]:
    from labelhouse_server.auth.keys import issue_key
    from labelhouse_server.db.engine import make_engine, make_sessionmaker
    from labelhouse_server.users.service import create_user

    engine = make_engine(database_url)
    session = make_sessionmaker(engine)()
    try:
        user = create_user(session, f"bench-{secrets.token_hex(3)}", None)
        _, key = issue_key(session, user)
        session.commit()
        return user.id, key
    finally:
        session.close()
        engine.dispose()


# ---------------------------------------------------------------------------------------------------- steps
def bodies(n: int, prefix: str) -> list[bytes]:
    """Request bodies prepared before timing (as the SDK sends them: JSON, gzip-compressed)."""
    out = []
    for start in range(0, n, CHUNK):
        items = [{"name": f"{prefix}-{i:09d}.jpg",
                  "attributes": {"image": {"url": f"https://example.com/images/{prefix}/{i}.jpg"}},
                  "metadata": {"camera": i % 4, "weather": "sunny" if i % 3 else "rain"},
                  "priority": float(i % 10)} for i in range(start, min(start + CHUNK, n))]
        out.append(gzip.compress(orjson.dumps(items), compresslevel=1))
    return out


def new_dataset(http: httpx.Client) -> str:
    r = http.post("/user/datasets/", json={"name": f"bench-{secrets.token_hex(4)}", "task_type": "vector",
                                          "task_attributes": TASK_ATTRIBUTES})
    r.raise_for_status()
    return r.json()["full_name"]


def bulk_add(http: httpx.Client, dataset: str, payloads: list[bytes]) -> float:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    started = time.perf_counter()
    for body in payloads:
        r = http.post(f"/datasets/{dataset}/samples_bulk/", content=body, headers=headers)
        if r.status_code != 201:
            raise RuntimeError(r.text[:500])
    return time.perf_counter() - started


def wait_release(http: httpx.Client, dataset: str, name: str, poll: float = 0.02,
                 every_minute: Callable[[], None] | None = None) -> dict[str, Any]:
    """Poll a release until SUCCEEDED (returned) or FAILED (raised); ``every_minute`` is called about once a minute
    while waiting (a long build's progress log)."""
    last = time.perf_counter()
    while True:
        release: dict[str, Any] = http.get(f"/datasets/{dataset}/releases/{name}/").json()
        if release["status"] == "SUCCEEDED":
            return release
        if release["status"] == "FAILED":
            raise RuntimeError(release)
        time.sleep(poll)
        if every_minute is not None and time.perf_counter() - last > 60:
            last = time.perf_counter()
            every_minute()


CLIENT_CPU: dict[str, float] = {}


def list_all(http: httpx.Client, dataset: str, extra: str) -> tuple[float, int]:
    started = time.perf_counter()
    cpu_started = time.process_time()
    count = 0
    page = 1
    while True:
        r = http.get(f"/datasets/{dataset}/samples/?per_page={CHUNK}&page={page}&labelset=ground-truth{extra}")
        r.raise_for_status()
        items = orjson.loads(r.content)
        if not items:
            break
        if items[0].get("label") is None:
            raise RuntimeError("listing returned an unlabeled sample")
        count += len(items)
        page += 1
    CLIENT_CPU["list"] = time.process_time() - cpu_started  # the benchmark client's own share of the machine
    return time.perf_counter() - started, count


def dataset_id(engine: Any, full_name: str) -> tuple[int, int]:
    owner, name = full_name.split("/")
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT d.id, l.id FROM datasets d JOIN accounts a ON a.id = d.owner_id "
            "JOIN labelsets l ON l.dataset_id = d.id AND l.name = 'ground-truth' "
            "WHERE a.username = :o AND d.name = :n"), {"o": owner, "n": name}).one()
    return row[0], row[1]


def label_everything(engine: Any, full_name: str, user_id: int) -> float:
    ds_id, ls_id = dataset_id(engine, full_name)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO labels (sample_id, labelset_id, dataset_id, label_status, attributes, score, "
            "created_by_id, updated_by_id, created_at, updated_at) "
            "SELECT id, :ls, dataset_id, 'LABELED', :attrs, 0.9, :uid, :uid, created_at, created_at "
            "FROM samples WHERE dataset_id = :ds"),
            {"ls": ls_id, "attrs": orjson.dumps(LABEL).decode(), "uid": user_id, "ds": ds_id})
    return time.perf_counter() - started


def prefill(engine: Any, full_name: str, user_id: int, m: int) -> float:
    """M samples straight into the table (not through the API), shaped like the rows the API writes."""
    ds_id, _ = dataset_id(engine, full_name)
    # uuids shaped like the API's (version 7: millisecond timestamp first), with older timestamps
    params = {"ds": ds_id, "uid": user_id, "m": m, "t0": time.time_ns() // 1_000_000 - 10 * m}
    started = time.perf_counter()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(
                "INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, created_by_id, "
                "created_at, updated_at) SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 16, 3) || "
                "'-' || substr(r, 20, 4) || '-' || substr(r, 25, 12), :ds, 'pre-' || lpad(x::text, 9, '0') || "
                "'.jpg', '{\"image\":{\"url\":\"https://example.com/pre/' || x || '.jpg\"}}', "
                "'{\"camera\":' || (x % 4) || '}', (x % 10)::float, '', :uid, "
                "to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                "to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
                "FROM (SELECT x, lpad(to_hex(:t0 + x), 12, '0') AS h, gen_random_uuid()::text AS r "
                "FROM generate_series(1, :m) AS x) AS g"), params)
        else:
            conn.execute(text(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :m) "
                "INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, created_by_id, "
                "created_at, updated_at) SELECT "
                "printf('%08x-%04x-7%03x-%x%03x-%012llx', (:t0 + x) >> 16, (:t0 + x) & 65535, abs(random()) % 4096, "
                "8 + abs(random()) % 4, abs(random()) % 4096, abs(random()) % 281474976710656), :ds, "
                "'pre-' || printf('%09d', x) || '.jpg', '{\"image\":{\"url\":\"https://example.com/pre/' || x || "
                "'.jpg\"}}', '{\"camera\":' || (x % 4) || '}', x % 10, '', :uid, "
                "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM c"), params)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE samples"))
    return time.perf_counter() - started


def label_puts(http: httpx.Client, dataset: str, count: int) -> list[float]:
    samples = orjson.loads(http.get(f"/datasets/{dataset}/samples/?per_page={count}&page=1").content)
    body = gzip.compress(orjson.dumps({"label_status": "LABELED", "attributes": LABEL}))
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    latencies = []
    for s in samples:
        started = time.perf_counter()
        r = http.put(f"/labels/{s['uuid']}/reviewset/", content=body, headers=headers)
        latencies.append(time.perf_counter() - started)
        if r.status_code not in (200, 201):
            raise RuntimeError(r.text[:300])
    return latencies


# ------------------------------------------------------------------------------------------------------ main
def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"lh-bench-{backend}-"))
    result: dict[str, Any] = {"backend": backend, "n": args.n, "big": args.big, "runs": args.runs}
    with support.fresh_database(backend, tmp, args.pg_url, prefix="lh_bench") as db_url, serve(db_url, tmp) as (url, pid):
        user_id, key = make_user(db_url)
        engine = create_engine(db_url)
        http = httpx.Client(base_url=url, headers={"Authorization": f"APIKey {key}"}, timeout=600)
        empty_rates, list_summary, list_full, big_rates = [], [], [], []
        cpu: dict[str, list[float]] = {"bulk": [], "list_summary": [], "list_full": [], "bulk_big": [],
                                       "client_list_summary": [], "client_list_full": []}
        for run in range(args.runs):
            payloads = bodies(args.n, f"r{run}")
            dataset = new_dataset(http)
            before = cpu_seconds(pid)
            seconds = bulk_add(http, dataset, payloads)
            cpu["bulk"].append(cpu_seconds(pid) - before)
            empty_rates.append(args.n / seconds)
            label_everything(engine, dataset, user_id)
            before = cpu_seconds(pid)
            secs, count = list_all(http, dataset, "")
            cpu["list_summary"].append(cpu_seconds(pid) - before)
            cpu["client_list_summary"].append(CLIENT_CPU["list"])
            assert count == args.n, count
            list_summary.append(secs)
            before = cpu_seconds(pid)
            secs, count = list_all(http, dataset, "&include_full_label=1")
            cpu["list_full"].append(cpu_seconds(pid) - before)
            assert count == args.n, count
            list_full.append(secs)
            cpu["client_list_full"].append(CLIENT_CPU["list"])
            print(f"[{backend}] run {run + 1}: bulk add {args.n / seconds:,.0f} samples/s "
                  f"(server CPU {cpu['bulk'][-1]:.2f} s); list with label summaries {list_summary[-1]:.2f} s "
                  f"(server CPU {cpu['list_summary'][-1]:.2f} s), with full labels {list_full[-1]:.2f} s "
                  f"(server CPU {cpu['list_full'][-1]:.2f} s); client CPU while listing {cpu['client_list_summary'][-1]:.2f} / "
                  f"{cpu['client_list_full'][-1]:.2f} s; load {os.getloadavg()[0]:.1f}", flush=True)
        big = new_dataset(http)
        result["prefill_seconds"] = prefill(engine, big, user_id, args.big)
        print(f"[{backend}] pre-filled {args.big:,} samples in {result['prefill_seconds']:.1f} s", flush=True)
        for run in range(args.runs):
            payloads = bodies(args.n, f"big{run}")
            before = cpu_seconds(pid)
            seconds = bulk_add(http, big, payloads)
            cpu["bulk_big"].append(cpu_seconds(pid) - before)
            big_rates.append(args.n / seconds)
            print(f"[{backend}] run {run + 1}: bulk add into the {args.big + run * args.n:,}-sample dataset "
                  f"{big_rates[-1]:,.0f} samples/s (server CPU {cpu['bulk_big'][-1]:.2f} s); "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        http.post(f"/datasets/{big}/labelsets/", json={"name": "reviewset", "description": ""}).raise_for_status()
        puts = label_puts(http, big, args.label_puts)
        http.close()
        engine.dispose()
    puts.sort()
    result.update(
        bulk_add_rates=empty_rates, bulk_add_median=statistics.median(empty_rates),
        list_summary_seconds=list_summary, list_summary_median=statistics.median(list_summary),
        list_full_seconds=list_full, list_full_median=statistics.median(list_full),
        big_rates=big_rates, big_median=statistics.median(big_rates),
        big_vs_empty=statistics.median(big_rates) / statistics.median(empty_rates),
        label_put_median_ms=1000 * statistics.median(puts), label_put_p95_ms=1000 * puts[int(len(puts) * 0.95)],
        server_cpu_seconds=cpu, server_cpu_median={k: statistics.median(v) for k, v in cpu.items()},
    )
    return result


def machine() -> dict[str, Any]:
    def sh(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10,
                                  check=False).stdout.strip()
        except Exception:  # noqa: BLE001 - informational only
            return "?"

    return {"nproc": sh("nproc"), "mem": sh("free -g | awk '/Mem:/ {print $2\" GiB total, \"$7\" GiB available\"}'"),
            "loadavg": sh("cat /proc/loadavg"), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label-puts", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("LABELHOUSE_TEST_DATABASE_URL"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    info = machine()
    print(json.dumps(info), flush=True)
    results = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and not args.pg_url:
            print("skipping postgresql: no --pg-url", flush=True)
            continue
        results.append(run_backend(backend, args))
        if backend == "postgresql":
            with create_engine(args.pg_url).connect() as conn:
                results[-1]["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
    for r in results:
        print(json.dumps(r), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
