"""Issue 16's table in one command: every workload against this machine's ceiling, measured in the same run.

    .venv/bin/python bench/perf_bench.py [--n 100000] [--seconds 5] [--rounds 3] [--write-results]

One `labelhouse serve` on the embedded default (fresh SQLite data dir, one process), wrk (Debian package) as the
client for single requests, and beside it the ceilings, each measured in the same run:

| row | labelhouse | ceiling |
|---|---|---|
| bulk import, 1,000 per gzip request | samples/s through the API | raw SQLite `executemany` of the same rows into a copy of the same schema |
| list N, per_page 1,000, label summaries | wall time through the API, `page=N` on one connection, with a client that reads bodies without parsing them (and beside it an SDK-style httpx + orjson.loads client) | SELECT of the same rows + orjson of the same objects, in-process |
| GET one sample, 1 and 4 connections | wrk req/s, p50 | a bare Starlette JSON endpoint (same body size) under the same uvicorn |
| PUT a label (2 boxes), 1 and 4 connections | wrk req/s, p50 | the same bare endpoint, same round (the issue's 1,500 / 3,000 req/s were 0.24 / 0.20 of its bare 6,300 / 15,300) |
| release of N (create, build, download) | wall time | SELECT of the same samples and labels + the same file written with orjson, in-process (target: ≤ 0.7 s at 100,000) |
| start, fresh data dir -> first answer | wall time (bytecode cached) | the same stack with an empty app: FastAPI + SQLAlchemy ORM + pydantic-settings imported, `/healthz` runs `SELECT 1` on a new SQLite file, same uvicorn |
| idle / peak RSS of the server over the run | /proc/<pid>/status | (targets ≤ 80 / ≤ 150 MiB) |

Medians over ``--rounds`` for the wrk rows (alternating labelhouse and ceiling); the machine is shared, so the
ratios are what count. ``--write-results`` replaces the section "Performance against this machine's ceilings"
of bench/RESULTS.md with the table of this run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

import support  # tests/support.py: free ports
from samples_bench import (
    CHUNK,
    CLIENT_CPU,
    bodies,
    bulk_add,
    cpu_seconds,
    label_everything,
    list_all,
    machine,
    make_user,
    new_dataset,
    serve,
    wait_release,
)
from wrk import wrk

RESULTS = ROOT / "RESULTS.md"
SECTION = "## Performance against this machine's ceilings (issue 16) — `bench/perf_bench.py`"

_BARE_APP = '''
import orjson
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = orjson.dumps(orjson.loads(open(__import__("sys").argv[2], "rb").read()))

async def sample(request):
    return Response(BODY, media_type="application/json")

app = Starlette(routes=[Route("/samples/{uuid}/", sample)])
'''

# The ceiling for start-up: what any app on our stack pays before its first answer. The libraries every labelhouse
# process imports (FastAPI, SQLAlchemy's ORM, pydantic-settings), one route that runs a statement on a new SQLite
# file through a SQLAlchemy engine, the same uvicorn with the same options as `labelhouse serve`.
_STACK_APP = '''
import sys

import pydantic_settings  # noqa: F401
import sqlalchemy.orm  # noqa: F401
import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, text

engine = create_engine(f"sqlite:///{sys.argv[1]}")
app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict:  # on the event loop, as labelhouse's probe on SQLite
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}


uvicorn.run(app, port=int(sys.argv[2]), log_level="warning", ws="none")
'''

_PUT_SCRIPT = """
local uuids = {%s}
local n = 0
request = function()
  n = n + 1
  local u = uuids[(n %% #uuids) + 1]
  local body = string.format('{"label_status":"LABELED","attributes":{"format_version":"0.1","annotations":[' ..
    '{"id":1,"category_id":1,"type":"bbox","points":[[%%d,1],[%%d,40]]},' ..
    '{"id":2,"category_id":2,"type":"bbox","points":[[1,%%d],[30,%%d]]}]}}', n %% 97, n %% 89 + 20,
    n %% 13, n %% 13 + 30)
  return wrk.format("PUT", "/labels/" .. u .. "/ground-truth/", nil, body)
end
"""


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of a process, MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


@contextmanager
def bare_endpoint(body_file: Path):
    """The ceiling for single GETs: a Starlette app answering a stored JSON body, under the same uvicorn."""
    port = support.free_port()
    app_file = body_file.parent / "bare_app.py"
    app_file.write_text(_BARE_APP)
    proc = subprocess.Popen(
        [sys.executable, "-c", ("import sys, uvicorn; sys.path.insert(0, sys.argv[1]); "
                                "uvicorn.run('bare_app:app', port=int(sys.argv[3]), log_level='warning')"),
         str(app_file.parent), str(body_file), str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url + "/samples/x/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def raw_sqlite_import(db_path: Path, payloads: list[bytes]) -> float:
    """Samples/s of plain executemany of the same rows into an empty copy of the samples table (same schema,
    same indexes, same pragmas as the server's), one transaction per 1,000 like the API."""
    import uuid

    src = sqlite3.connect(db_path)
    ddl = [row[0] for row in src.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'samples' AND sql IS NOT NULL")]
    src.close()
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "raw.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for statement in ddl:
            conn.execute(statement)  # (foreign keys are not enforced on this connection: no parents needed)
        rows_per_request = [orjson.loads(gzip.decompress(p)) for p in payloads]
        now = "2026-11-30T00:00:00.000000Z"
        started = time.perf_counter()
        count = 0
        for items in rows_per_request:
            rows = [(str(uuid.uuid4()), 1, it["name"], orjson.dumps(it["attributes"]).decode(),
                     orjson.dumps(it["metadata"]).decode(), it["priority"], "", 1, now, now) for it in items]
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, "
                             "created_by_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
            count += len(rows)
        elapsed = time.perf_counter() - started
        conn.close()
    return count / elapsed


def list_cheap_client(url: str, key: str, dataset: str) -> tuple[float, int]:
    """Seconds to list the whole dataset as ``list_all`` does (``page=N``, per_page 1,000, label summaries, one
    keep-alive connection), with a client that costs little (the issue asks for wrk "or an equivalent C client"):
    http.client reads each body by its length and does not parse it; the empty page ``[]`` ends the walk.
    Returns the seconds and the bytes received."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    headers = {"Authorization": f"APIKey {key}"}
    received = 0
    started = time.perf_counter()
    page = 1
    while True:
        conn.request("GET", f"/datasets/{dataset}/samples/?per_page={CHUNK}&page={page}&labelset=ground-truth",
                     headers=headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"listing page {page}: HTTP {r.status}")
        received += len(body)
        if body == b"[]":
            break
        page += 1
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, received


def raw_scan_and_json(db_path: Path, dataset_id: int, labelset_id: int) -> float:
    """Seconds to SELECT the dataset's samples with their ground-truth label summaries and render each page as
    JSON with orjson (rows as arrays, stored documents spliced in undecoded), in pages of 1,000 by key: the work a
    listing cannot avoid, without HTTP, authentication or the API's shaping."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    started = time.perf_counter()
    after = 0
    while True:
        rows = conn.execute(
            "SELECT s.id, s.uuid, s.name, s.attributes, s.metadata, s.priority, s.created_at, s.updated_at, "
            "l.label_status, l.score, l.updated_at FROM samples s NOT INDEXED "  # a rowid range scan
            "LEFT JOIN labels l ON l.sample_id = s.id AND l.labelset_id = ? "
            "WHERE s.dataset_id = ? AND s.id > ? ORDER BY s.id LIMIT 1000", (labelset_id, dataset_id, after)).fetchall()
        if not rows:
            break
        orjson.dumps([(r[1], r[2], orjson.Fragment(r[3]), orjson.Fragment(r[4]), *r[5:]) for r in rows])
        after = rows[-1][0]
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def raw_release(db_path: Path, dataset_id: int) -> float:
    """Seconds to SELECT the dataset's samples and their labels (usernames joined) and write the release file
    (contract §6.2: the same objects, keys and order as ``releases.builder``) with orjson to a temporary file,
    sha256 included, in batches of 2,000 by key: the work a release cannot avoid, without the snapshot, the
    digests of release diffs, the job, HTTP or the download."""
    import hashlib

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    started = time.perf_counter()
    labelsets = conn.execute("SELECT id, name, description FROM labelsets WHERE dataset_id = ? ORDER BY id",
                             (dataset_id,)).fetchall()
    names = {ls_id: name for ls_id, name, _ in labelsets}
    ls_names = list(names.values())
    sha = hashlib.sha256()
    with tempfile.TemporaryFile() as fh:
        def write(data: bytes) -> None:
            fh.write(data)
            sha.update(data)

        write(orjson.dumps({"name": "raw", "dataset": {"labelsets": [
            {"name": n, "description": d or ""} for _, n, d in labelsets]}})[:-2] + b',"samples":[')
        after, first = 0, True
        while True:
            samples = conn.execute(
                "SELECT id, uuid, name, attributes, metadata, created_at FROM samples NOT INDEXED "  # rowid range
                "WHERE dataset_id = ? AND id > ? ORDER BY id LIMIT 2000", (dataset_id, after)).fetchall()
            if not samples:
                break
            labels: dict[int, dict[str, Any]] = {}
            for sid, lsid, status, attrs, score, cby, uby, rby, cat, uat in conn.execute(
                    "SELECT l.sample_id, l.labelset_id, l.label_status, l.attributes, l.score, cu.username, "
                    "uu.username, ru.username, l.created_at, l.updated_at FROM labels l "
                    "LEFT JOIN accounts cu ON cu.id = l.created_by_id LEFT JOIN accounts uu ON uu.id = l.updated_by_id "
                    "LEFT JOIN accounts ru ON ru.id = l.reviewed_by_id "
                    "WHERE l.sample_id > ? AND l.sample_id <= ?", (after, samples[-1][0])):  # (a sample's labels
                # are in its dataset; a dataset_id term makes SQLite walk the dataset's index instead of the range)
                labels.setdefault(sid, {})[names[lsid]] = {
                    "label_status": status, "attributes": orjson.Fragment(attrs or "null"), "score": score,
                    "created_at": cat, "created_by": cby, "updated_at": uat, "updated_by": uby, "reviewed_by": rby}
            parts = []
            for sid, uuid, name, attrs, meta, created_at in samples:
                own = labels.get(sid)
                parts.append({"uuid": uuid, "name": name, "attributes": orjson.Fragment(attrs or "null"),
                              "metadata": orjson.Fragment(meta or "{}"), "created_at": created_at,
                              "labels": {n: own.get(n) for n in ls_names} if own else dict.fromkeys(ls_names)})
            chunk = orjson.dumps(parts)[1:-1]
            write(chunk if first else b"," + chunk)
            first = False
            after = samples[-1][0]
        write(b"]}}")
        fh.flush()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _first_answer(command: list[str], port: int, env: dict[str, str]) -> float:
    """Seconds from launching ``command`` to its first 200 from ``/healthz`` on ``port``."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.perf_counter() - started > 300:  # a loaded machine: minutes
                raise RuntimeError(f"{command[:3]} did not start")
            time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait(15)


def start_times(tmp: Path, rounds: int) -> tuple[float, float]:
    """Medians of ``rounds`` fresh starts: (``labelhouse serve`` on an empty data dir, the empty-app ceiling
    ``_STACK_APP`` on a new SQLite file), alternating, after one unmeasured start of each. Both with the bytecode
    cache on (in ``tmp``, whatever ``PYTHONDONTWRITEBYTECODE`` says): an installed package has its modules compiled
    at install time, and compiling ~200 modules from source is ~0.4 s of CPU that a deployment never pays."""
    env = {**os.environ, "LABELHOUSE_BOOTSTRAP_ADMIN": "false", "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    (tmp / "stack_app.py").write_text(_STACK_APP)
    ours, ceiling = [], []
    for i in range(rounds + 1):
        data = tmp / f"start-{i}"
        data.mkdir()
        port = support.free_port()
        serve = [sys.executable, "-m", "labelhouse_server.cli", "serve", "--port", str(port), "--data-dir", str(data),
                 "--log-level", "warning"]
        stack_port = support.free_port()
        stack = [sys.executable, str(tmp / "stack_app.py"), str(data / "empty.sqlite3"), str(stack_port)]
        pair = [(ours, serve, port), (ceiling, stack, stack_port)]
        for times, command, on_port in (pair if i % 2 else reversed(pair)):
            elapsed = _first_answer(command, on_port, env)
            if i:  # the first start of each writes the bytecode cache
                times.append(elapsed)
    return statistics.median(ours), statistics.median(ceiling)


def release_round_trip(http: httpx.Client, dataset: str, name: str) -> float:
    started = time.perf_counter()
    http.post(f"/datasets/{dataset}/releases/", json={"name": name}).raise_for_status()
    release = wait_release(http, dataset, name)
    url = release["attributes"]["url"]
    with httpx.stream("GET", url if url.startswith("http") else http.base_url.join(url), timeout=300) as r:
        r.raise_for_status()
        for _ in r.iter_bytes(1 << 20):
            pass
    return time.perf_counter() - started


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"n": args.n, "seconds": args.seconds, "rounds": args.rounds}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        out["start_s"], out["start_stack_s"] = start_times(tmp, 3)
        data = tmp / "data"
        data.mkdir()
        db_path = data / "labelhouse.sqlite3"
        db_url = f"sqlite:///{db_path}"
        with serve(db_url, data) as (url, pid):
            time.sleep(1)
            out["idle_rss_mib"] = rss_mib(pid)[0]
            user_id, key = make_user(db_url)
            headers = {"Authorization": f"APIKey {key}"}
            with httpx.Client(base_url=url, headers=headers, timeout=300) as http:
                dataset = new_dataset(http)
                payloads = bodies(args.n, "perf")
                seconds = bulk_add(http, dataset, payloads)
                out["import_per_s"] = args.n / seconds
                out["import_raw_per_s"] = raw_sqlite_import(db_path, payloads)
                from sqlalchemy import create_engine

                engine = create_engine(db_url)
                label_everything(engine, dataset, user_id)
                from samples_bench import dataset_id

                ds_id, ls_id = dataset_id(engine, dataset)
                engine.dispose()
                # The listing's wall time includes the client's own work (httpx, orjson.loads of ~570 KB a page, as
                # the SDKs do): the server's and the client's CPU seconds say which side a change moved.
                # The row's figure is the cheap client's (the server's work; the issue asks for a client that costs
                # little); the SDK-style client (httpx + orjson.loads) is measured in the same rounds beside it.
                listings, cheap = [], []
                for _ in range(args.rounds):
                    cpu0 = cpu_seconds(pid)
                    seconds = list_all(http, dataset, "")[0]
                    listings.append((seconds, cpu_seconds(pid) - cpu0, CLIENT_CPU["list"]))
                    cpu0, client0 = cpu_seconds(pid), time.process_time()
                    seconds = list_cheap_client(url, key, dataset)[0]
                    cheap.append((seconds, cpu_seconds(pid) - cpu0, time.process_time() - client0))
                out["list_sdk_s"], out["list_sdk_server_cpu_s"], out["list_sdk_client_cpu_s"] = (
                    statistics.median(x) for x in zip(*listings))
                out["list_s"], out["list_server_cpu_s"], out["list_client_cpu_s"] = (
                    statistics.median(x) for x in zip(*cheap))
                out["list_raw_s"] = statistics.median(raw_scan_and_json(db_path, ds_id, ls_id)
                                                     for _ in range(args.rounds))
                page = orjson.loads(http.get(f"/datasets/{dataset}/samples/?per_page=200&page=1").content)
                uuids = [s["uuid"] for s in page]
                one = http.get(f"/samples/{uuids[0]}/")
                body_file = tmp / "sample.json"
                body_file.write_bytes(one.content)
                script = tmp / "put.lua"
                script.write_text(_PUT_SCRIPT % ", ".join(f'"{u}"' for u in uuids))
                with bare_endpoint(body_file) as bare:
                    for conns in (1, 4):
                        ours, ceiling, puts = [], [], []
                        for _ in range(args.rounds):
                            ours.append(wrk(f"{url}/samples/{uuids[0]}/", seconds=args.seconds, connections=conns,
                                            headers=headers))
                            ceiling.append(wrk(f"{bare}/samples/{uuids[0]}/", seconds=args.seconds,
                                               connections=conns))
                            puts.append(wrk(url, seconds=args.seconds, connections=conns, script=script,
                                            headers={**headers, "Content-Type": "application/json"}))
                        out[f"get_{conns}"] = _median_run(ours)
                        out[f"bare_{conns}"] = _median_run(ceiling)
                        out[f"put_{conns}"] = _median_run(puts)
                releases, raw_releases = [], []
                for i in range(args.rounds):  # alternating, as the wrk rows
                    releases.append(release_round_trip(http, dataset, f"perf-{i}"))
                    raw_releases.append(raw_release(db_path, ds_id))
                out["release_s"] = statistics.median(releases)
                out["release_raw_s"] = statistics.median(raw_releases)
            out["peak_rss_mib"] = rss_mib(pid)[1]
    out["machine"] = _machine()
    return out


def _median_run(runs: list[Any]) -> dict[str, float]:
    return {"rate": statistics.median(r.rate for r in runs), "p50_ms": statistics.median(r.p50_ms for r in runs),
            "p99_ms": statistics.median(r.p99_ms for r in runs)}


def _machine() -> dict[str, Any]:
    """samples_bench's machine facts, plus wrk's version and the load average at the end of the run."""
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.splitlines()
    return {**machine(), "wrk": version[0] if version else "?", "load_average": os.getloadavg(),
            "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def table(r: dict[str, Any]) -> str:
    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}"

    n = f"{r['n']:,}"
    rows = [
        "| workload | labelhouse | ceiling, same run | ratio | target |", "|---|---|---|---|---|",
        (f"| bulk import of {n}, 1,000 per gzip request | {r['import_per_s']:,.0f} samples/s | raw SQLite "
         f"executemany {r['import_raw_per_s']:,.0f}/s | {ratio(r['import_per_s'], r['import_raw_per_s'])} | "
         "≥ 50,000/s and ≥ 0.50 |"),
        # The 1.0 s target was 1.79x its ceiling (0.56 s): as a ratio, ceiling / labelhouse ≥ 0.56.
        (f"| list {n}, per_page 1000, label summaries, page=N | {r['list_s']:.2f} s (CPU: server "
         f"{r['list_server_cpu_s']:.2f} s, client {r['list_client_cpu_s']:.2f} s); with an SDK-style client "
         f"(httpx + orjson.loads) {r['list_sdk_s']:.2f} s (server {r['list_sdk_server_cpu_s']:.2f} s, client "
         f"{r['list_sdk_client_cpu_s']:.2f} s) | SELECT + orjson {r['list_raw_s']:.2f} s | "
         f"{ratio(r['list_raw_s'], r['list_s'])} | ≥ 0.56 (the issue's 1.0 s over its 0.56 s ceiling) |"),
    ]
    for c in (1, 4):
        g, b, p = r[f"get_{c}"], r[f"bare_{c}"], r[f"put_{c}"]
        rows.append(f"| GET one sample, {c} connection{'s' if c > 1 else ''} | {g['rate']:,.0f} req/s, p50 "
                    f"{g['p50_ms']:.2f} ms | bare Starlette {b['rate']:,.0f} req/s | {ratio(g['rate'], b['rate'])} "
                    f"| ≥ 0.40 |")
        # The PUT targets, 1,500 and 3,000 req/s, as ratios to the bare endpoint of its run (6,300, 15,300).
        rows.append(f"| PUT a label (2 boxes), {c} connection{'s' if c > 1 else ''} | {p['rate']:,.0f} req/s, p50 "
                    f"{p['p50_ms']:.2f} ms, p99 {p['p99_ms']:.2f} ms | bare Starlette {b['rate']:,.0f} req/s | "
                    f"{ratio(p['rate'], b['rate'])} | ≥ {'0.24' if c == 1 else '0.20'} |")
    rows += [
        (f"| release of {n} (create, build, download) | {r['release_s']:.2f} s | SELECT + orjson file "
         f"{r['release_raw_s']:.2f} s | {ratio(r['release_raw_s'], r['release_s'])} | ≤ 0.7 s at 100,000 |"),
        (f"| start, fresh data dir → first answer | {r['start_s']:.2f} s | empty FastAPI + SQLAlchemy app "
         f"{r['start_stack_s']:.2f} s | {ratio(r['start_stack_s'], r['start_s'])} | ≤ 1.0 s |"),
        (f"| idle / peak RSS over the run | {r['idle_rss_mib']:.0f} / {r['peak_rss_mib']:.0f} MiB | – | – | "
         "≤ 80 / ≤ 150 MiB |"),
    ]
    m = r["machine"]
    head = (f"{SECTION}\n\nRun {m['at']} on {m['cpu'].strip()} ({m['nproc']} cores, shared; load average "
            f"{m['load_average'][0]:.1f} at the end), Python {m['python']}, SQLite {m['sqlite']}, {m['wrk']}; "
            f"N = {n}; wrk rows: medians of {r['rounds']} rounds of {r['seconds']} s, labelhouse and ceiling "
            f"alternating; embedded default (one process, SQLite).\n\n    .venv/bin/python bench/perf_bench.py "
            f"--n {r['n']} --rounds {r['rounds']} --seconds {r['seconds']} --write-results\n\n")
    return head + "\n".join(rows) + "\n"


def write_results(text: str) -> None:
    current = RESULTS.read_text()
    if SECTION in current:
        start = current.index(SECTION)
        rest = current[start + len(SECTION):]
        end = rest.find("\n## ")
        current = current[:start] + text + ("" if end < 0 else rest[end:])
    else:
        current = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    if args.n % CHUNK:
        parser.error(f"--n must be a multiple of {CHUNK}")
    result = run(args)
    print(json.dumps(result, default=str))
    text = table(result)
    print(text)
    if args.write_results:
        write_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
