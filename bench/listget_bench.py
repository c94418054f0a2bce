"""Issue 16's listing and single-GET rows, old code against new, alternating in the same minutes.

    .venv/bin/python bench/listget_bench.py --before-src /tmp/lh-before/server/src [--n 100000] [--rounds 5]
        [--seconds 5] [--only list|get]

``--before-src`` is the ``server/src`` of another checkout (``git archive <commit> server/src | tar -x -C DIR``),
served through ``PYTHONPATH`` in this venv; "after" is this checkout. Both are ``labelhouse serve`` (embedded
default, one process each, the rate limiter on with samples_bench's benchmark buckets) on ONE SQLite database:
N samples bulk-imported by the after server and labelled by SQL, as in ``perf_bench.py``. The two trees must share
the schema (no migration between them). Each round, in alternating order:

- list all N, per_page 1,000, ``labelset=ground-truth`` (label summaries), page by page by ``page=N`` as the
  Segments SDK does: wall time and the server's CPU seconds (/proc);
- GET one sample, wrk, 1 and 4 connections, ``--seconds`` each: rate and server CPU µs per request;
- the ceilings of ``perf_bench.py``: SELECT + orjson of the same rows, and a bare Starlette endpoint answering the
  same body under the same uvicorn (wrk, 1 and 4 connections).

Reported: medians per server, ratios to the same round's ceiling, after/before, and the load average per round.
"""

from __future__ import annotations

import argparse
import os
import statistics
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

from perf_bench import bare_endpoint, raw_scan_and_json
from samples_bench import (
    bodies,
    bulk_add,
    cpu_seconds,
    dataset_id,
    label_everything,
    list_all,
    machine,
    make_user,
    new_dataset,
    serve,
)
from wrk import wrk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before-src", type=Path, required=True)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--only", choices=("list", "get"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}, "ceiling": {}}
    load: list[float] = []
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        data = tmp / "data"
        data.mkdir()
        db_path = data / "labelhouse.sqlite3"
        db_url = f"sqlite:///{db_path}"
        servers: dict[str, dict[str, Any]] = {}
        after_url, after_pid = stack.enter_context(serve(db_url, data))
        user_id, key = make_user(db_url)
        headers = {"Authorization": f"APIKey {key}"}
        http = stack.enter_context(httpx.Client(base_url=after_url, headers=headers, timeout=300))
        dataset = new_dataset(http)
        bulk_add(http, dataset, bodies(args.n, "ab"))
        from sqlalchemy import create_engine

        engine = create_engine(db_url)
        label_everything(engine, dataset, user_id)
        ds_id, ls_id = dataset_id(engine, dataset)
        engine.dispose()
        before_data = tmp / "before"
        before_data.mkdir()
        before_url, before_pid = stack.enter_context(
            serve(db_url, before_data, extra_env={"PYTHONPATH": str(args.before_src.resolve())}))
        servers["after"] = {"url": after_url, "pid": after_pid,
                            "http": http}
        servers["before"] = {"url": before_url, "pid": before_pid,
                             "http": stack.enter_context(httpx.Client(base_url=before_url, headers=headers,
                                                                      timeout=300))}
        page = orjson.loads(http.get(f"/datasets/{dataset}/samples/?per_page=10&page=1").content)
        uuid = page[0]["uuid"]
        one = http.get(f"/samples/{uuid}/")
        assert servers["before"]["http"].get(f"/samples/{uuid}/").content == one.content
        body_file = tmp / "sample.json"
        body_file.write_bytes(one.content)
        bare = stack.enter_context(bare_endpoint(body_file))
        for s in servers.values():  # warm up
            wrk(f"{s['url']}/samples/{uuid}/", seconds=1, connections=1, headers=headers)
        for i in range(args.rounds):
            order = ("before", "after") if i % 2 == 0 else ("after", "before")
            ceiling = results["ceiling"]
            if args.only != "get":
                ceiling.setdefault("list_s", []).append(raw_scan_and_json(db_path, ds_id, ls_id))
            if args.only != "list":
                for conns in (1, 4):
                    ceiling.setdefault(f"get{conns}_rate", []).append(
                        wrk(f"{bare}/samples/{uuid}/", seconds=args.seconds, connections=conns).rate)
            for which in order:
                s, r = servers[which], results[which]
                if args.only != "get":
                    cpu0 = cpu_seconds(s["pid"])
                    seconds, count = list_all(s["http"], dataset, "")
                    assert count == args.n, count
                    r.setdefault("list_s", []).append(seconds)
                    r.setdefault("list_cpu_s", []).append(cpu_seconds(s["pid"]) - cpu0)
                    r.setdefault("list_ratio", []).append(ceiling["list_s"][-1] / seconds)
                if args.only != "list":
                    for conns in (1, 4):
                        cpu0 = cpu_seconds(s["pid"])
                        got = wrk(f"{s['url']}/samples/{uuid}/", seconds=args.seconds, connections=conns,
                                  headers=headers)
                        r.setdefault(f"get{conns}_rate", []).append(got.rate)
                        r.setdefault(f"get{conns}_cpu_us", []).append(
                            (cpu_seconds(s["pid"]) - cpu0) / got.requests * 1e6)
                        r.setdefault(f"get{conns}_ratio", []).append(got.rate / ceiling[f"get{conns}_rate"][-1])
            load.append(os.getloadavg()[0])
            print(f"round {i + 1}/{args.rounds} done, load {load[-1]:.1f}", file=sys.stderr, flush=True)
    med = {w: {k: statistics.median(v) for k, v in r.items()} for w, r in results.items()}
    out = {"n": args.n, "rounds": args.rounds, "seconds": args.seconds, "median": med, "all": results,
           "load_1min_per_round": load, "machine": machine(), "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if args.json:
        args.json.write_text(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
    print("| measure | before | after | after/before | ceiling (same rounds) |\n|---|---|---|---|---|")
    for k in med["before"]:
        b, a = med["before"][k], med["after"][k]
        c = med["ceiling"].get(k)
        print(f"| {k} | {b:,.3f} | {a:,.3f} | {a / b:.2f} | {'' if c is None else f'{c:,.3f}'} |")
    print(f"load average (1 min) per round: {', '.join(f'{x:.1f}' for x in load)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
