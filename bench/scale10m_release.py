"""Issue 16's 10,000,000-sample release, measured by phase, on a database kept by ``bench/scale10m.py --keep``.

    .venv/bin/python bench/scale10m_release.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        --reuse DBNAME [--state /tmp/lh-scale10m-state.json] [--which small,big] [--py-spy DIR] [--json out.json]

One ``labelhouse serve`` (embedded job runner) on the kept database; for each dataset in --which (the state file's
``small`` and ``big``), one release: the create request (the snapshot), the build (until the release is
SUCCEEDED) and the download, each timed, with

- the server's CPU seconds (``/proc/<pid>/stat`` utime + stime, all its threads) per phase;
- the database's CPU seconds per phase: the server's backends (``pg_stat_activity`` rows whose client port is one
  of the server process's sockets), sampled every --sample seconds, ``/proc/<pid>/stat`` of each (a backend's CPU
  is counted from when it was first seen);
- what the database was doing: at each sample, the active backends' wait event and statement (first 60
  characters), counted (a sampling profile of the database side);
- with --py-spy DIR, a py-spy profile of the server (raw stacks, --rate 20) over the build of each release.

The build's progress is read from ``pg_stat_user_tables.n_tup_ins`` of ``release_sample_digests`` (no scan).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

from samples_bench import serve, wait_release

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def log(*parts: Any) -> None:
    print(time.strftime("%H:%M:%S"), f"load {os.getloadavg()[0]:.1f}", *parts, flush=True)


def local_ports(pid: int) -> set[int]:
    """The local TCP ports of ``pid``'s sockets (its connections to the database)."""
    inodes = set()
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(fd.path)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except FileNotFoundError:
        return set()
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if f[9] in inodes:
                ports.add(int(f[1].rsplit(":", 1)[1], 16))
    return ports


class DbSampler(threading.Thread):
    """Backends of one database: CPU seconds since first seen, and what the active ones wait on / run."""

    def __init__(self, engine: Any, dbname: str, every: float) -> None:
        super().__init__(daemon=True)
        self.engine, self.dbname, self.every = engine, dbname, every
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.activity: Counter[str] = Counter()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.server_pid: int | None = None

    def cpu(self) -> float:
        with self.lock:
            return sum(self.last[p] - self.first[p] for p in self.last)

    def take(self) -> Counter[str]:
        with self.lock:
            out, self.activity = self.activity, Counter()
        return out

    def run(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SET application_name = 'scale10m_release sampler'"))
            conn.commit()
            while not self.stop.wait(self.every):
                rows = conn.execute(text(
                    "SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, 'CPU'), left(query, 60), "
                    "client_port FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"), {"d": self.dbname}).all()
                conn.commit()
                ports = local_ports(self.server_pid) if self.server_pid else None
                with self.lock:
                    for pid, state, wait, query, port in rows:
                        if ports is not None and port not in ports:
                            continue  # not the server's (this bench's own reads, anything else on the database)
                        c = cpu_s(pid)
                        if c is not None:
                            self.first.setdefault(pid, c)
                            self.last[pid] = c
                        if state == "active":
                            self.activity[f"{wait} | {query}"] += 1


def inserted(engine: Any, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = :t"),
                                {"t": table}).scalar() or 0)


def release(http: httpx.Client, engine: Any, sampler: DbSampler, pid: int, dataset: str, n: int,
            spy_dir: Path | None, label: str) -> dict[str, Any]:
    name = f"r-{label}-{int(time.time())}"
    out: dict[str, Any] = {"n": n, "load_start": os.getloadavg()[0]}
    marks = [("start", time.perf_counter(), cpu_s(pid), sampler.cpu())]
    sampler.take()
    r = http.post(f"/datasets/{dataset}/releases/", json={"name": name})
    r.raise_for_status()
    marks.append(("create", time.perf_counter(), cpu_s(pid), sampler.cpu()))
    out["db_activity_create"] = sampler.take().most_common(8)
    spy = None
    if spy_dir is not None:
        spy_dir.mkdir(parents=True, exist_ok=True)
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid), "-r", "20",
                                "-f", "raw", "-o", str(spy_dir / f"build-{label}.txt"), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    digests0 = inserted(engine, "release_sample_digests")
    rates: list[tuple[float, int, float]] = []

    def progress() -> None:
        elapsed = time.perf_counter() - marks[-1][1]
        done = inserted(engine, "release_sample_digests") - digests0
        rates.append((round(elapsed, 1), done, os.getloadavg()[0]))
        log(f"{label}: built {done:,} of {n:,} ({done / elapsed:,.0f}/s)")

    rel = wait_release(http, dataset, name, poll=0.02 if n <= 200_000 else 1.0, every_minute=progress)
    marks.append(("build", time.perf_counter(), cpu_s(pid), sampler.cpu()))
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
    out["db_activity_build"] = sampler.take().most_common(12)
    out["build_progress"] = rates
    url = rel["attributes"]["url"]
    size = 0
    with httpx.stream("GET", url if url.startswith("http") else http.base_url.join(url), timeout=3600) as resp:
        resp.raise_for_status()
        for chunk in resp.iter_bytes(1 << 20):
            size += len(chunk)
    marks.append(("download", time.perf_counter(), cpu_s(pid), sampler.cpu()))
    out["bytes"] = size
    for (_, t0, c0, d0), (phase, t1, c1, d1) in itertools.pairwise(marks):
        out[f"{phase}_s"] = round(t1 - t0, 3)
        out[f"{phase}_server_cpu_s"] = round((c1 or 0) - (c0 or 0), 3)
        out[f"{phase}_db_cpu_s"] = round(d1 - d0, 3)
    out["total_s"] = round(marks[-1][1] - marks[0][1], 3)
    out["us_per_sample"] = round(1e6 * out["total_s"] / n, 1)
    out["load_end"] = os.getloadavg()[0]
    # The snapshot is dropped after SUCCEEDED (short transactions): wait for it, so the next release starts clean.
    started = time.perf_counter()
    while True:
        with engine.connect() as conn:
            left = conn.execute(text("SELECT 1 FROM release_samples LIMIT 1")).first()
        if left is None:
            break
        time.sleep(1)
    out["snapshot_drop_wait_s"] = round(time.perf_counter() - started, 1)
    out["after_server_cpu_s"] = round((cpu_s(pid) or 0) - (marks[-1][2] or 0), 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("LABELHOUSE_TEST_DATABASE_URL"))
    parser.add_argument("--reuse", required=True, help="the database kept by scale10m.py --keep")
    parser.add_argument("--state", default="/tmp/lh-scale10m-state.json")
    parser.add_argument("--which", default="small,big")
    parser.add_argument("--sample", type=float, default=0.5, help="seconds between database samples")
    parser.add_argument("--py-spy", default=None, help="directory for py-spy profiles of each build")
    parser.add_argument("--data-root", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    st = json.loads(Path(args.state).read_text())
    db_url = make_url(args.pg_url).set(database=args.reuse).render_as_string(hide_password=False)
    sizes = {"small": None, "big": None}
    engine = create_engine(db_url)
    with engine.connect() as conn:
        for which, full in st["datasets"].items():
            owner, name = full.split("/")
            sizes[which] = conn.execute(text(
                "SELECT count(*) FROM samples s JOIN datasets d ON d.id = s.dataset_id JOIN accounts a "
                "ON a.id = d.owner_id WHERE a.username = :o AND d.name = :n"), {"o": owner, "n": name}).scalar()
    tmp = Path(tempfile.mkdtemp(prefix="lh-scale-rel-", dir=args.data_root))
    results: dict[str, Any] = {"database": args.reuse}
    sampler = DbSampler(engine, args.reuse, args.sample)
    sampler.start()
    try:
        with serve(db_url, tmp) as (url, pid), httpx.Client(
                base_url=url, headers={"Authorization": f"APIKey {st['key']}"}, timeout=7200) as http:
            results["server_pid"] = sampler.server_pid = pid
            for which in args.which.split(","):
                log(f"release {which}: {sizes[which]:,} samples")
                results[which] = release(http, engine, sampler, pid, st["datasets"][which], sizes[which],
                                         Path(args.py_spy) if args.py_spy else None, which)
                log(which, json.dumps(results[which]))
                if args.json:
                    Path(args.json).write_text(json.dumps(results, indent=1))
    finally:
        sampler.stop.set()
        shutil.rmtree(tmp, ignore_errors=True)
        engine.dispose()
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
