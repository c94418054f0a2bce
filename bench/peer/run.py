"""labelhouse vs Label Studio, same machine, same workloads, one command.

    .venv/bin/python bench/peer/run.py                       # full run: --sizes 10000,100000 --runs 3
    .venv/bin/python bench/peer/run.py --quick               # smoke test: 2,000 items, 1 run, no profile

Installs Label Studio into bench/peer/.venv-ls on first use, starts both servers on fresh data directories under
bench/.work/peer/, runs the workloads (see workloads.py) for every size and run on a fresh project each time,
writes the raw results to bench/.work/peer/results.json and the section "labelhouse vs Label Studio" of
bench/RESULTS.md, profiles labelhouse's slowest workload with py-spy, and stops both servers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make "bench.peer" importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "bench.peer"

from .clients import Adapter, Labelhouse, LabelStudio
from .profile import profile_workload
from .report import write_report
from .servers import (
    REPO,
    Server,
    ensure_label_studio,
    lh_version,
    ls_version,
    start_label_studio,
    start_labelhouse,
)
from .workloads import Bench, Result


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "load_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def adapter_for(server: Server) -> Adapter:
    cls = Labelhouse if server.kind == "labelhouse" else LabelStudio
    return cls(server.url, server.headers)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000", help="comma-separated item counts (default 10000,100000)")
    p.add_argument("--runs", type=int, default=3, help="runs per size; medians are reported (default 3)")
    p.add_argument("--rw-sizes", default="min",
                   help="sizes on which workloads 3-4 (label writes, reads) run: all, max, min (default), none or "
                        "a list")
    p.add_argument("--cap", type=float, default=30.0,
                   help="time cap in seconds of list, label-write and read workloads, same for both servers "
                        "(default 30)")
    p.add_argument("--import-cap", type=float, default=300.0, help="time cap of the import (default 300)")
    p.add_argument("--export-cap", type=float, default=45.0,
                   help="minimum time cap of an export; the cap is max(this, 12 x labelhouse's time for the same "
                        "export in the same run), so a capped export still proves a 12x ratio (default 45)")
    p.add_argument("--label-items", type=int, default=1000)
    p.add_argument("--reads", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--ls-page-size", type=int, default=1000,
                   help="Label Studio page size (it has no maximum; see README for why 1000)")
    p.add_argument("--only", choices=["labelhouse", "label-studio"], help="run one server only (debugging)")
    p.add_argument("--no-profile", action="store_true", help="skip the py-spy profile of labelhouse")
    p.add_argument("--profile-workload", help="profile this workload instead of labelhouse's slowest one "
                   "(import, list, label_seq, label_conc4, get, export_json, export_coco)")
    p.add_argument("--quick", action="store_true", help="smoke test: --sizes 2000 --runs 1 --no-profile")
    p.add_argument("--labelhouse-src", help="run labelhouse serve from this source tree (a checkout or "
                   "`git archive` export) instead of the installed one")
    p.add_argument("--work", default=str(REPO / "bench" / ".work" / "peer"))
    p.add_argument("--results", default=str(REPO / "bench" / "RESULTS.md"))
    p.add_argument("--no-report", action="store_true", help="do not touch bench/RESULTS.md")
    p.add_argument("--report-only", action="store_true",
                   help="re-render bench/RESULTS.md from <work>/results.json without running anything")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.no_profile = "2000", 1, True
        args.label_items, args.reads = min(args.label_items, 200), min(args.reads, 200)
    sizes = [int(s) for s in args.sizes.split(",")]
    named = {"all": set(sizes), "max": {max(sizes)}, "min": {min(sizes)}, "none": set()}
    rw_sizes = named[args.rw_sizes] if args.rw_sizes in named else {int(s) for s in args.rw_sizes.split(",")}

    work = Path(args.work).resolve()
    if args.report_only:
        raw = json.loads((work / "results.json").read_text())
        rows = [Result(**{k: v for k, v in r.items() if k != "throughput"}) for r in raw["results"]]
        write_report(Path(args.results), raw["meta"], rows, raw["profile"])
        print(f"wrote {args.results}")
        return 0
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    exports = work / "exports"
    exports.mkdir()

    started = time.time()
    kinds = [args.only] if args.only else ["labelhouse", "label-studio"]
    if "label-studio" in kinds:
        ensure_label_studio()
    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)), "machine": machine(),
            "versions": {"labelhouse": lh_version(), **({"label-studio": ls_version()} if "label-studio" in kinds else {})},
            "args": vars(args)}
    meta["labelhouse_source"] = args.labelhouse_src or _git_state()
    print(f"machine: {meta['machine']}\nversions: {meta['versions']}\nlabelhouse: {meta['labelhouse_source']}",
          flush=True)

    servers: dict[str, Server] = {}
    results: list[Result] = []
    profile: dict | None = None
    try:
        for kind in kinds:
            if kind == "labelhouse":
                servers[kind] = start_labelhouse(work, src=Path(args.labelhouse_src) if args.labelhouse_src else None)
            else:
                servers[kind] = start_label_studio(work)
            print(f"started {kind} at {servers[kind].url} in {servers[kind].started_in_s:.1f} s "
                  f"(pid {servers[kind].pid})", flush=True)
        meta["startup_s"] = {k: s.started_in_s for k, s in servers.items()}
        for run in range(1, args.runs + 1):
            for size in sizes:
                # labelhouse first: Label Studio's export caps are set from labelhouse's export times
                lh_export: dict[str, float] = {}
                for kind in kinds:
                    print(f"run {run}/{args.runs}  N={size}  {kind}", flush=True)
                    adapter = adapter_for(servers[kind])
                    if kind == "label-studio":
                        adapter.page_size = args.ls_page_size
                    try:
                        caps = {k: max(args.export_cap, 12 * lh_export.get(k, 0.0)) for k in ("json", "coco")}
                        bench = Bench(servers[kind], adapter, size, run, args.cap, exports,
                                      label_items=args.label_items, reads=args.reads,
                                      concurrency=args.concurrency, import_cap_s=args.import_cap,
                                      export_caps=caps)
                        done = bench.all(with_rw=size in rw_sizes)
                        results.extend(done)
                        if kind == "labelhouse":
                            lh_export = {r.workload.split("_", 1)[1]: r.wall_s for r in done
                                         if r.workload.startswith("export_")}
                    finally:
                        adapter.close()
                    _dump(work, meta, results, profile)
        meta["rss_end_mb"] = {k: s.peak_rss / 2**20 for k, s in servers.items()}
        meta["data_dir_mb"] = {k: _du(s.data_dir) / 2**20 for k, s in servers.items()}
        if not args.no_profile and "labelhouse" in servers:
            profile = profile_workload(servers["labelhouse"], results, work, args)
    finally:
        for kind, server in servers.items():
            server.stop()
            print(f"stopped {kind}", flush=True)
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    meta["total_s"] = time.time() - started
    _dump(work, meta, results, profile)
    if not args.no_report:
        write_report(Path(args.results), meta, results, profile)
        print(f"wrote {args.results}", flush=True)
    print(f"total {meta['total_s'] / 60:.1f} min; raw results in {work / 'results.json'}", flush=True)
    return 0


def _git_state() -> str:
    """The commit the labelhouse code is at, and whether server/SDK files differ from it."""
    def git(*a: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *a], check=False, capture_output=True,
                              text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD")
    dirty = [line for line in git("status", "--porcelain", "--", "server/src", "sdk/src").splitlines() if line]
    return f"commit {head}" + (f" + uncommitted changes in {len(dirty)} server/SDK files" if dirty else "")


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _dump(work: Path, meta: dict, results: list[Result], profile: dict | None) -> None:
    (work / "results.json").write_text(json.dumps(
        {"meta": meta, "results": [r.as_dict() for r in results], "profile": profile}, indent=1, default=str))


if __name__ == "__main__":
    raise SystemExit(main())
