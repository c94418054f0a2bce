"""Where labelhouse spends its time on its slowest workload: py-spy attached to the running server.

The profiled pass is an extra pass on a fresh dataset after the measured runs, so sampling never perturbs the
reported figures. The collapsed stacks are summarised by leaf function, by our own functions (inclusive) and by
library, which is what the report prints.
"""

from __future__ import annotations

import collections
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from .clients import Labelhouse
from .servers import REPO, Server
from .workloads import Bench, Result, median

RATE = 200  # py-spy samples per second
ORDER = ["import", "list", "label_seq", "label_conc", "get", "export_json", "export_coco"]
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
AREAS = [("sqlite3", "sqlite (C driver, queries)"), ("sqlalchemy", "SQLAlchemy"), ("orjson", "orjson"),
         ("json/", "stdlib json"), ("pydantic", "pydantic"), ("labelhouse_server", "labelhouse code"),
         ("starlette", "starlette"), ("fastapi", "FastAPI"), ("uvicorn", "uvicorn"), ("anyio", "anyio/threads"),
         ("asyncio", "asyncio"), ("threading", "threading"), ("concurrent", "threading")]


# Leaf frames where a thread waits (uvloop's C loop shows as Runner.run; worker threads park in Condition.wait
# or their queue.get); these samples are idle time, not work.
IDLE_LEAVES = ("Runner.run", "Condition.wait", "Event.wait", "WorkerThread.run", "select", "poll", "sleep",
               "_wait_for_tstate_lock", "Thread._bootstrap_inner")


# Named costs worth calling out (substring of a frame -> what it means), inclusive share of busy samples.
HOT_SPOTS = {
    "_sqlite_begin": "BEGIN (IMMEDIATE): opening the transaction, incl. waiting for SQLite's write lock",
    "account_for_key": "API-key lookup (auth) per request",
    "sample_access": "sample + dataset permission check",
    "do_commit": "COMMIT",
    "_generate_cache_key": "SQLAlchemy statement cache-key generation",
    "usernames": "username lookups for the response",
    "claim (labelhouse_server/jobs": "in-process job runner polling the jobs table",
    "orjson": "orjson encode/decode",
    "JSONBytesResponse": "response rendering",
}


def _area(file: str) -> str:
    for needle, name in AREAS:
        if needle in file:
            return name
    return "other"


def summarize(collapsed: Path, top: int = 15) -> dict[str, Any]:
    total = idle = 0
    leaf: collections.Counter[str] = collections.Counter()
    ours: collections.Counter[str] = collections.Counter()
    areas: collections.Counter[str] = collections.Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        m = FRAME.match(frames[-1])
        if m and m["func"] in IDLE_LEAVES:
            idle += n
            continue
        total += n
        leaf_name = f"{m['func']} ({_short(m['file'])})" if m else frames[-1]
        leaf[leaf_name] += n
        # the area of a sample is that of the innermost frame that is not stdlib plumbing
        area = "other"
        for frame in reversed(frames):
            fm = FRAME.match(frame)
            if fm:
                area = _area(fm["file"])
                if area != "other":
                    break
        areas[area] += n
        seen = set()
        for frame in frames:
            fm = FRAME.match(frame)
            if fm and "labelhouse_server" in fm["file"]:
                name = f"{fm['func']} ({_short(fm['file'])})"
                if name not in seen:
                    seen.add(name)
                    ours[name] += n

    spots = {label: 0 for label in HOT_SPOTS.values()}
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        m = FRAME.match(stack.split(";")[-1])
        if m and m["func"] in IDLE_LEAVES:
            continue
        hit = {label for needle, label in HOT_SPOTS.items() if needle in stack}
        for label in hit:
            spots[label] += int(count)

    def pct(c: collections.Counter[str]) -> list[tuple[str, float]]:
        return [(k, 100.0 * v / total) for k, v in c.most_common(top)] if total else []

    return {"hot_spots": [(k, 100.0 * v / total) for k, v in spots.items() if v] if total else [],
            "samples": total, "idle_samples": idle, "leaf": pct(leaf), "ours_inclusive": pct(ours),
            "areas": pct(areas)}


def _short(file: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def choose_target(results: list[Result], forced: str | None) -> tuple[str | None, int, str]:
    """The workload to profile: the one furthest below its target ratio (or, without Label Studio figures,
    the one with the largest median wall time), at the largest N it ran on."""
    from .report import TARGETS, _key, aggregate, ratio

    agg = aggregate(results)
    sizes: dict[str, int] = {}
    for r in results:
        if r.server == "labelhouse":
            sizes[r.workload] = max(sizes.get(r.workload, 0), r.size)
    if not sizes:
        return None, 0, ""
    if forced:
        return forced, sizes.get(forced, max(sizes.values())), "chosen with --profile-workload"
    scored = []
    for w, n in sizes.items():
        lh, ls = agg.get(("labelhouse", n, _key(w))), agg.get(("label-studio", n, _key(w)))
        if lh and ls:
            r, shown = ratio(lh, ls, _key(w))
            target = TARGETS[_key(w)][1]
            scored.append((r / target, w, n, f"ratio {shown} vs target {target}x, the furthest below/closest to it"))
    if scored:
        _, w, n, why = min(scored)
        return w, n, why
    w = max(sizes, key=lambda k: median([r.wall_s for r in results
                                         if r.server == "labelhouse" and r.workload == k and r.size == sizes[k]]))
    return w, sizes[w], "largest median wall time"


def profile_workload(server: Server, results: list[Result], work: Path, args: Any) -> dict[str, Any] | None:
    py_spy = shutil.which("py-spy") or str(REPO / ".venv" / "bin" / "py-spy")
    if not Path(py_spy).exists():
        print("py-spy not installed (pip install py-spy into .venv); skipping the profile", flush=True)
        return None
    target, size, why = choose_target(results, getattr(args, "profile_workload", None))
    if target is None:
        return None
    print(f"profiling labelhouse: {target} at N={size} ({why})", flush=True)
    out = work / f"profile-{target}.collapsed"
    adapter = Labelhouse(server.url, server.headers)
    bench = Bench(server, adapter, size, 0, cap_s=600, out_dir=work / "exports", label_items=args.label_items,
                  reads=args.reads, concurrency=args.concurrency)
    n = args.label_items

    def labels(concurrent: bool) -> Result:
        ids = bench._ensure_ids(2 * n)
        if concurrent:
            return bench._requests("label_conc", ids[n:2 * n], "write_label", args.concurrency)
        return bench._requests("label_seq", ids[:n], "write_label", 1)

    steps = {"import": bench.import_items, "list": bench.list_all, "label_seq": lambda: labels(False),
             "label_conc": lambda: labels(True), "get": bench.reads_by_id,
             "export_json": lambda: bench.export("json"), "export_coco": lambda: bench.export("coco")}
    key = "label_conc" if target.startswith("label_conc") else target
    order = ["import", "list"] + (["label_seq", "label_conc"] if key.startswith("export") else []) + [key]
    if key in ("import", "list"):
        order = order[: order.index(key) + 1]
    spy = None
    measured: Any = None
    try:
        for step in order[: order.index(key) + 1]:
            if step == key:
                spy = subprocess.Popen([py_spy, "record", "--pid", str(server.pid), "--rate", str(RATE), "--format",
                                        "raw", "--output", str(out), "--nonblocking"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(1.0)  # let py-spy attach
            measured = steps[step]()
    finally:
        adapter.close()
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            try:
                spy.wait(timeout=60)
            except subprocess.TimeoutExpired:
                spy.kill()
    if not out.exists():
        print(f"py-spy wrote no profile: {spy.stderr.read().decode()[-500:] if spy and spy.stderr else ''}")
        return None
    summary = summarize(out)
    summary.update({"workload": target, "size": size, "file": str(out), "why": why})
    if isinstance(measured, Result):
        ops = measured.done or measured.target
        summary.update({"wall_s": measured.wall_s, "ops": ops, "unit": measured.unit,
                        "busy_ms_per_op": summary["samples"] / RATE / max(ops, 1) * 1e3,
                        "busy_share": summary["samples"] / RATE / measured.wall_s})
    return summary
