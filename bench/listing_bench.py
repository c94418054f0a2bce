"""Issue 16's listing row alone: list N samples, per_page 1,000, label summaries, ``page=N`` as the Segments SDK
pages, against ``perf_bench.py``'s ceiling (SELECT + orjson of the same rows, in-process) in the same rounds.

    .venv/bin/python bench/listing_bench.py [--n 100000] [--rounds 3] [--data DIR] [--before-src SRC]
        [--pyspy OUT.txt]

The database is built as ``perf_bench.py`` builds it (one ``labelhouse serve`` on the embedded default, N samples
bulk-imported through the API in gzip requests of 1,000, every sample labelled by SQL in ground truth). With
``--data DIR`` it is kept there and reused by the next run (its API key and dataset in ``DIR/bench.json``).

``--before-src`` is the ``server/src`` of another checkout (``git archive <commit> server/src | tar -x -C DIR``)
served through ``PYTHONPATH`` beside this checkout, on the same database, old and new alternating each round.
Each round walks the listing twice per server: with an SDK-style client (httpx + ``orjson.loads``: ``list_s``,
``list_cpu_s``) and with ``perf_bench.py``'s cheap client (http.client, bodies not parsed: ``cheap_s``,
``cheap_cpu_s``, the row's figure). Reported per server: wall times (meaningless on a loaded machine), the server's
CPU seconds (/proc), and the cheap client's wall ratio to the ceiling of the same round; with the load average per
round. ``--pyspy`` records the (last) server's
listing with py-spy (``--format raw``, collapsed stacks) during one extra listing after the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

from perf_bench import list_cheap_client, raw_scan_and_json
from samples_bench import (
    bodies,
    bulk_add,
    cpu_seconds,
    dataset_id,
    label_everything,
    list_all,
    make_user,
    new_dataset,
    serve,
)


def build(data: Path, n: int) -> dict[str, Any]:
    """Import N samples and label them (as ``perf_bench.py``); what the rounds need, saved in ``bench.json``."""
    state = data / "bench.json"
    if state.exists():
        return orjson.loads(state.read_bytes())
    data.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{data / 'labelhouse.sqlite3'}"
    with serve(db_url, data) as (url, _pid):
        user_id, key = make_user(db_url)
        with httpx.Client(base_url=url, headers={"Authorization": f"APIKey {key}"}, timeout=300) as http:
            dataset = new_dataset(http)
            bulk_add(http, dataset, bodies(n, "perf"))
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    label_everything(engine, dataset, user_id)
    ds_id, ls_id = dataset_id(engine, dataset)
    engine.dispose()
    out = {"n": n, "key": key, "dataset": dataset, "dataset_id": ds_id, "labelset_id": ls_id}
    state.write_bytes(orjson.dumps(out))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=None, help="keep (and reuse) the database here")
    parser.add_argument("--before-src", type=Path, default=None)
    parser.add_argument("--pyspy", type=Path, default=None)
    args = parser.parse_args()
    import tempfile

    with ExitStack() as stack:
        data = args.data or Path(stack.enter_context(tempfile.TemporaryDirectory())) / "data"
        st = build(data, args.n)
        db_path = data / "labelhouse.sqlite3"
        db_url = f"sqlite:///{db_path}"
        headers = {"Authorization": f"APIKey {st['key']}"}
        servers: dict[str, dict[str, Any]] = {}
        variants = [("after", {})]
        if args.before_src is not None:
            variants.insert(0, ("before", {"PYTHONPATH": str(args.before_src.resolve())}))
        for which, env in variants:
            log_dir = data / f"log-{which}"
            log_dir.mkdir(exist_ok=True)
            url, pid = stack.enter_context(serve(db_url, log_dir, extra_env=env))
            http = stack.enter_context(httpx.Client(base_url=url, headers=headers, timeout=600))
            servers[which] = {"pid": pid, "http": http, "url": url}
        first = {w: s["http"].get(f"/datasets/{st['dataset']}/samples/?per_page=1000&page=7&labelset=ground-truth")
                 for w, s in servers.items()}
        bodies_seen = {w: r.content for w, r in first.items()}
        if len(set(bodies_seen.values())) != 1:
            raise SystemExit("the servers answer different bytes for the same page")
        results: dict[str, dict[str, list[float]]] = {w: {} for w in [*servers, "ceiling"]}
        load: list[float] = []
        for i in range(args.rounds):
            results["ceiling"].setdefault("list_s", []).append(
                raw_scan_and_json(db_path, st["dataset_id"], st["labelset_id"]))
            order = list(servers) if i % 2 == 0 else list(reversed(servers))
            for which in order:
                s, r = servers[which], results[which]
                cpu0 = cpu_seconds(s["pid"])
                seconds, count = list_all(s["http"], st["dataset"], "")
                assert count == st["n"], count
                r.setdefault("list_s", []).append(seconds)
                r.setdefault("list_cpu_s", []).append(cpu_seconds(s["pid"]) - cpu0)
                # perf_bench.py's row: the same walk with a client that costs little (http.client, no parsing)
                cpu0 = cpu_seconds(s["pid"])
                cheap_seconds = list_cheap_client(s["url"], st["key"], st["dataset"])[0]
                r.setdefault("cheap_s", []).append(cheap_seconds)
                r.setdefault("cheap_cpu_s", []).append(cpu_seconds(s["pid"]) - cpu0)
                r.setdefault("ratio", []).append(results["ceiling"]["list_s"][-1] / cheap_seconds)
            load.append(os.getloadavg()[0])
            print(f"round {i + 1}/{args.rounds}: " + ", ".join(
                f"{w} {results[w]['list_s'][-1]:.2f} s" + (f" (cpu {results[w]['list_cpu_s'][-1]:.2f} s)"
                                                            if w != "ceiling" else "")
                for w in results) + f", load {load[-1]:.1f}", file=sys.stderr, flush=True)
        if args.pyspy is not None:
            which = list(servers)[-1]
            spy = subprocess.Popen(["py-spy", "record", "--format", "raw", "-r", "200", "-o", str(args.pyspy),
                                    "--pid", str(servers[which]["pid"]), "--threads"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2)
            list_all(servers[which]["http"], st["dataset"], "")
            spy.send_signal(2)
            spy.wait(60)
    print("| measure (medians) | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for k in ("list_s", "list_cpu_s", "cheap_s", "cheap_cpu_s", "ratio"):
        print(f"| {k} | " + " | ".join(f"{statistics.median(r[k]):.3f}" if k in r else "" for r in results.values())
              + " |")
    print(f"load average (1 min) per round: {', '.join(f'{x:.1f}' for x in load)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
