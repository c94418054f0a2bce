"""Release round trip (create, build, download) of N samples, two versions of the server code alternating in the
same minutes (not a test). Measures what a shared machine cannot blur: the server's CPU seconds per round trip
(``/proc/<pid>/stat``, from the create request until the build job, including dropping the snapshot, has gone
quiet), beside the wall time to the downloaded file.

    .venv/bin/python bench/release_build_bench.py --n 100000 --rounds 3 \\
        --code old=bench/.work/base/server/src --code new=server/src [--profile DIR] [--pg-url URL]

A template data directory is filled once per N (samples through the API, 1,000 per gzip request, as
``perf_bench``; every sample then gets a ground-truth label by SQL, as ``perf_bench``) by a server running the
first ``--code``; each version then serves its own copy of it (a newer schema is migrated at its start,
untimed), with ``PYTHONPATH`` putting that version's ``server/src`` first. Each round trip's release is deleted
afterwards (untimed), so every round starts from the same tables. ``--profile DIR``: one more round trip per
version under ``py-spy record`` (speedscope JSON and a collapsed-stack text file). ``--pg-url``: the same on
PostgreSQL (a fresh database per version, dropped at the end). ``--writes``: while each create request is in
flight, a second client PUTs labels one after the other (10 ms apart, each on another sample) and the latencies of
the PUTs begun before the create answered are reported (p50 / p99 / max, statuses): whether writers wait for a
create. ``--no-warmup``: skip the uncounted first round (large N)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

from perf_bench import release_round_trip
from samples_bench import (
    bodies,
    bulk_add,
    cpu_seconds,
    label_everything,
    make_user,
    new_dataset,
    serve,
)

WORK = ROOT / ".work" / "release_build"


def _env(code: str) -> dict[str, str]:
    return {"PYTHONPATH": str(Path(code).resolve())}


def _quiet(pid: int, settle: float = 0.6) -> float:
    """The server's CPU seconds once it has stopped using CPU for ``settle`` seconds (the build job's tail:
    dropping the snapshot after SUCCEEDED)."""
    last, still = cpu_seconds(pid), 0.0
    while still < settle:
        time.sleep(0.2)
        now = cpu_seconds(pid)
        still = still + 0.2 if now - last < 0.015 else 0.0
        last = now
    return last


def _round_trip_with_writes(http: httpx.Client, writer: httpx.Client, dataset: str, name: str,
                            uuids: list[str]) -> tuple[float, dict[str, Any]]:
    """``release_round_trip`` with label PUTs running while the create request is in flight."""
    creating = threading.Event()
    creating.set()
    writes: list[tuple[float, int]] = []

    def write_loop() -> None:
        i = 0
        while creating.is_set():
            body = {"label_status": "LABELED", "attributes": {"format_version": "0.1", "annotations": [
                {"id": 1, "category_id": 1, "type": "bbox", "points": [[i % 97, 1], [200, 300]]}]}}
            t = time.perf_counter()
            status = writer.put(f"/labels/{uuids[i % len(uuids)]}/ground-truth/", json=body).status_code
            writes.append((time.perf_counter() - t, status))
            i += 1
            time.sleep(0.01)

    thread = threading.Thread(target=write_loop)
    started = time.perf_counter()
    thread.start()
    try:
        http.post(f"/datasets/{dataset}/releases/", json={"name": name}).raise_for_status()
    finally:
        create_s = time.perf_counter() - started
        creating.clear()
        thread.join()
    while True:
        release = http.get(f"/datasets/{dataset}/releases/{name}/").json()
        if release["status"] == "SUCCEEDED":
            break
        if release["status"] == "FAILED":
            raise RuntimeError(release)
        time.sleep(0.02)
    url = release["attributes"]["url"]
    with httpx.stream("GET", url if url.startswith("http") else http.base_url.join(url), timeout=600) as r:
        r.raise_for_status()
        for _ in r.iter_bytes(1 << 20):
            pass
    wall = time.perf_counter() - started
    lat = sorted(w for w, _ in writes)
    statuses: dict[str, int] = {}
    for _, status in writes:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return wall, {"create_s": round(create_s, 3), "puts": len(lat), "statuses": statuses,
                  "put_p50_ms": round(1000 * lat[len(lat) // 2], 1) if lat else None,
                  "put_p99_ms": round(1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1) if lat else None,
                  "put_max_ms": round(1000 * lat[-1], 1) if lat else None}


def fill(template: Path, db_url: str, n: int, code: str) -> dict[str, Any]:
    template.mkdir(parents=True)
    with serve(db_url, template, extra_env=_env(code)):
        pass  # migrated by the server of the first version
    user_id, key = make_user(db_url)
    with serve(db_url, template, extra_env=_env(code)) as (url, _pid), \
            httpx.Client(base_url=url, headers={"Authorization": f"APIKey {key}"}, timeout=300) as http:
        dataset = new_dataset(http)
        bulk_add(http, dataset, bodies(n, "rel"))
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    label_everything(engine, dataset, user_id)
    engine.dispose()
    meta = {"dataset": dataset, "key": key, "n": n}
    (template / "bench.json").write_text(json.dumps(meta))
    return meta


def _pg_copy(pg_url: str, template_db: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", action="append", required=True, help="label=path to a server/src")
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--pg-url")
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--writes", action="store_true")
    parser.add_argument("--no-warmup", action="store_true")
    args = parser.parse_args()
    versions = [tuple(c.split("=", 1)) for c in args.code]
    lane = "postgresql" if args.pg_url else "sqlite"
    template = WORK / f"{lane}-{args.n}"
    if args.pg_url:
        template_db = f"relbench_{args.n}"
        template_url = args.pg_url.rsplit("/", 1)[0] + "/" + template_db
    else:
        template_url = f"sqlite:///{template / 'labelhouse.sqlite3'}"
    if args.refill and template.exists():
        shutil.rmtree(template)
    if not template.exists():
        if args.pg_url:
            _pg_copy(args.pg_url, "template0", template_db)
        started = time.perf_counter()
        fill(template, template_url, args.n, versions[0][1])
        print(f"# filled {args.n} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    meta = json.loads((template / "bench.json").read_text())
    results: dict[str, dict[str, list[float]]] = {label: {"wall": [], "cpu": []} for label, _ in versions}
    with ExitStack() as stack:
        servers = {}
        for label, code in versions:
            data = WORK / f"{lane}-{args.n}-{label}"
            if data.exists():
                shutil.rmtree(data)
            shutil.copytree(template, data)
            if args.pg_url:
                db_url = _pg_copy(args.pg_url, template_db, f"relbench_{args.n}_{label}")
            else:
                db_url = f"sqlite:///{data / 'labelhouse.sqlite3'}"
            url, pid = stack.enter_context(serve(db_url, data, extra_env=_env(code)))
            http = stack.enter_context(httpx.Client(base_url=url, timeout=600,
                                                    headers={"Authorization": f"APIKey {meta['key']}"}))
            writer = stack.enter_context(httpx.Client(base_url=url, timeout=600,
                                                      headers={"Authorization": f"APIKey {meta['key']}"}))
            servers[label] = (http, pid, writer)
        dataset = meta["dataset"]
        uuids = [s["uuid"] for s in servers[versions[0][0]][0].get(
            f"/datasets/{dataset}/samples/", params={"per_page": 500}).json()]

        def one(label: str, i: int, profile: Path | None = None) -> tuple[float, float]:
            http, pid, writer = servers[label]
            _quiet(pid)
            spy = None
            if profile is not None:
                spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid),
                                        "-r", "200", "-f", "raw", "-o", str(profile), "--nonblocking"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1.0)
            cpu0 = cpu_seconds(pid)
            if args.writes:
                wall, writes = _round_trip_with_writes(http, writer, dataset, f"b-{label}-{i}", uuids)
            else:
                wall, writes = release_round_trip(http, dataset, f"b-{label}-{i}"), {}
            cpu = _quiet(pid) - cpu0
            extra[label].append(writes)
            if spy is not None:
                spy.send_signal(2)
                spy.wait(60)
            http.delete(f"/datasets/{dataset}/releases/b-{label}-{i}/").raise_for_status()
            return wall, cpu

        extra: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in versions}
        for label, _ in versions if not args.no_warmup else ():  # warm-up (imports, page cache), not counted
            one(label, 0)
            extra[label].clear()
        for i in range(1, args.rounds + 1):
            for label, _ in versions if i % 2 else reversed(versions):
                wall, cpu = one(label, i)
                results[label]["wall"].append(wall)
                results[label]["cpu"].append(cpu)
                print(json.dumps({"version": label, "round": i, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                                  "load": os.getloadavg()[0], **extra[label][-1]}), flush=True)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            for label, _ in versions:
                one(label, 99, args.profile / f"{lane}-{label}.txt")
    summary = {label: {"wall_median_s": round(statistics.median(r["wall"]), 3),
                       "cpu_median_s": round(statistics.median(r["cpu"]), 3), "cpu_s": r["cpu"]}
               for label, r in results.items()}
    print(json.dumps({"n": args.n, "lane": lane, "load": os.getloadavg(), "summary": summary}), flush=True)
    if args.pg_url:
        from sqlalchemy import create_engine, text

        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for label, _ in versions:
                conn.execute(text(f'DROP DATABASE IF EXISTS "relbench_{args.n}_{label}"'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
