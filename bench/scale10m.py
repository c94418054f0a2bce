"""Issue 16's 10,000,000-sample run: one dataset of --big samples on PostgreSQL against one of --small, same run.

    .venv/bin/python bench/scale10m.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        [--big 10000000] [--small 100000] [--json out.json] [--keep] [--reuse DBNAME]

One `labelhouse serve` (one process, embedded job runner) on a fresh PostgreSQL database. Two datasets, each
measured the same way, and for every operation the cost per item at --big against --small (the issue's target:
within 20 %):

1. import through the API: 1,000 samples per gzip ``POST .../samples_bulk/``, --concurrency clients. The big
   dataset is filled by direct SQL (rows shaped like the API's) but for its last --tail (100,000), imported through
   the API right after the same number into an empty dataset: the per-item import cost of a nearly full dataset
   (index depth and size at their worst) against an empty one, at the same moment (``--tail 0``: all through the API);
2. labels: 60 % LABELED, 20 % REVIEWED, 20 % none, by direct SQL (one INSERT ... SELECT; the API's label path is
   step 6), then VACUUM ANALYZE (what autovacuum does after a bulk load);
3. listing pages of 1,000 with label summaries: page 1, a page in the middle and the last page by ``page=N``
   (OFFSET), and the same deep page by the stateless continuation (``after=`` from the previous page's Link header);
4. filtering by label status (``label_status=REVIEWED``): first page, and a deep page by continuation;
5. a release: create (snapshot), build, download; seconds per sample;
6. label writes: --puts sequential ``PUT /labels/{uuid}/ground-truth/`` on random samples, median latency.

Sizes: table and index sizes of samples and labels, the database. The run checks free disk before the big import
and between steps (stops below --min-free-gib). ``--keep`` keeps the database and ``--reuse DBNAME`` (with --state) resumes or re-measures on it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT.parent / "tests")]

from perf_bench import release_round_trip
from samples_bench import CHUNK, machine, make_user, new_dataset, serve

LABEL_BODY = {"label_status": "LABELED", "attributes": {"format_version": "0.1", "annotations": [
    {"id": 1, "category_id": 1, "type": "bbox", "points": [[1, 1], [30, 40]]},
    {"id": 2, "category_id": 2, "type": "bbox", "points": [[5, 5], [60, 70]]}]}}


def log(*parts: Any) -> None:
    print(time.strftime("%H:%M:%S"), f"load {os.getloadavg()[0]:.1f}", *parts, flush=True)


def free_gib(path: str = "/work") -> float:
    return shutil.disk_usage(path).free / 2**30


def body(prefix: str, start: int, n: int) -> bytes:
    items = [{"name": f"{prefix}-{i:09d}.jpg",
              "attributes": {"image": {"url": f"https://example.com/images/{prefix}/{i}.jpg"}},
              "metadata": {"camera": i % 4, "weather": "sunny" if i % 3 else "rain"},
              "priority": float(i % 10)} for i in range(start, start + n)]
    return gzip.compress(orjson.dumps(items), compresslevel=1)


def import_api(url: str, headers: dict[str, str], dataset: str, n: int, concurrency: int,
               prefix: str) -> dict[str, float]:
    """Bulk-add n samples; returns the overall rate and the rate of the last 100,000 (or last tenth)."""
    chunks = list(range(0, n, CHUNK))
    tail_from = n - min(100_000, n // 10) if n >= 20 * CHUNK else 0
    done_at: dict[int, float] = {}
    lock = threading.Lock()
    nxt = iter(chunks)
    errors: list[str] = []
    hdrs = {**headers, "Content-Type": "application/json", "Content-Encoding": "gzip"}

    def worker() -> None:
        with httpx.Client(base_url=url, headers=hdrs, timeout=600) as http:
            while not errors:
                with lock:
                    start = next(nxt, None)
                if start is None:
                    return
                r = http.post(f"/datasets/{dataset}/samples_bulk/", content=body(prefix, start, min(CHUNK, n - start)))
                if r.status_code != 201:
                    errors.append(r.text[:300])
                    return
                with lock:
                    done_at[start] = time.perf_counter()
                    if len(done_at) % 500 == 0:
                        log(f"imported {len(done_at) * CHUNK:,} of {n:,}; free {free_gib():.0f} GiB")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])
    total = time.perf_counter() - started
    out = {"seconds": total, "per_s": n / total}
    if tail_from:
        times = sorted(done_at.values())
        k = (n - tail_from) // CHUNK
        out["tail_per_s"] = (n - tail_from) / (times[-1] - times[-k - 1])
    return out


def bulk_session(conn: Any) -> None:
    """The set-up's own bulk inserts (never a measured step): no per-row foreign-key triggers (the rows reference
    the dataset, labelset and user they were made for) and no wait for the WAL flush per transaction. Both settings
    are this transaction's only (SET LOCAL; session_replication_role needs a superuser, as the bench's URL is)."""
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    conn.execute(text("SET LOCAL synchronous_commit = off"))


def label(engine: Any, ds_id: int, ls_id: int, user_id: int) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        bulk_session(conn)
        conn.execute(text(
            "INSERT INTO labels (sample_id, labelset_id, dataset_id, label_status, attributes, score, "
            "created_by_id, updated_by_id, created_at, updated_at) "
            "SELECT id, :ls, dataset_id, CASE WHEN id % 5 = 0 THEN 'REVIEWED' ELSE 'LABELED' END, :attrs, 0.9, "
            ":uid, :uid, created_at, created_at FROM samples WHERE dataset_id = :ds AND id % 5 <> 1"),
            {"ls": ls_id, "attrs": orjson.dumps(LABEL_BODY["attributes"]).decode(), "uid": user_id, "ds": ds_id})
    return time.perf_counter() - started


def ids_of(engine: Any, full_name: str) -> tuple[int, int]:
    owner, name = full_name.split("/")
    with engine.connect() as conn:
        return tuple(conn.execute(text(
            "SELECT d.id, l.id FROM datasets d JOIN accounts a ON a.id = d.owner_id "
            "JOIN labelsets l ON l.dataset_id = d.id AND l.name = 'ground-truth' "
            "WHERE a.username = :o AND d.name = :n"), {"o": owner, "n": name}).one())  # type: ignore[return-value]


def timed_get(http: httpx.Client, path: str, rounds: int) -> tuple[float, httpx.Response]:
    times, r = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        r = http.get(path)
        times.append(time.perf_counter() - started)
        r.raise_for_status()
    assert r is not None
    return statistics.median(times), r


def next_link(r: httpx.Response) -> str:
    link = r.headers["Link"]
    full = link[link.index("<") + 1:link.index(">")]
    return full[full.index("/datasets/"):]


def listing(http: httpx.Client, dataset: str, n: int, rounds: int) -> dict[str, float]:
    base = f"/datasets/{dataset}/samples/?per_page={CHUNK}&labelset=ground-truth"
    pages = n // CHUNK
    out: dict[str, float] = {}
    out["page_1_s"], _ = timed_get(http, f"{base}&page=1", rounds)
    out["page_mid_s"], _ = timed_get(http, f"{base}&page={pages // 2}", rounds)
    out["page_last_s"], before_last = timed_get(http, f"{base}&page={pages - 1}", 1)
    out["page_last_s"], last = timed_get(http, f"{base}&page={pages}", rounds)
    assert len(orjson.loads(last.content)) == CHUNK
    out["after_last_s"], r = timed_get(http, next_link(before_last), rounds)
    assert r.content == last.content, "continuation and page=N disagree"
    # status filter: 20 % of the samples are REVIEWED
    fbase = f"{base}&label_status=REVIEWED"
    out["filter_page_1_s"], _ = timed_get(http, f"{fbase}&page=1", rounds)
    fpages = n // 5 // CHUNK
    out["filter_page_last_s"], fprev = timed_get(http, f"{fbase}&page={fpages - 1}", rounds)
    out["filter_after_last_s"], r = timed_get(http, next_link(fprev), rounds)
    items = orjson.loads(r.content)
    assert items and all(s["label"]["label_status"] == "REVIEWED" for s in items)
    return out


def label_puts(http: httpx.Client, uuids: list[str], count: int) -> dict[str, float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        r = http.put(f"/labels/{uuids[i % len(uuids)]}/ground-truth/", json=LABEL_BODY)
        times.append(time.perf_counter() - started)
        r.raise_for_status()
    times.sort()
    return {"p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * times[int(len(times) * 0.95)]}


def random_uuids(engine: Any, ds_id: int, k: int) -> list[str]:
    with engine.connect() as conn:
        lo, hi = conn.execute(text("SELECT min(id), max(id) FROM samples WHERE dataset_id = :d"), {"d": ds_id}).one()
        picks = random.Random(16).sample(range(lo, hi + 1), k)
        return list(conn.execute(text("SELECT uuid FROM samples WHERE id = ANY(:ids)"), {"ids": picks}).scalars())


def sizes(engine: Any) -> dict[str, str]:
    with engine.connect() as conn:
        out = {t: conn.execute(text(f"SELECT pg_size_pretty(pg_table_size('{t}')) || ' table + ' || "
                                    f"pg_size_pretty(pg_indexes_size('{t}')) || ' indexes'")).scalar()
               for t in ("samples", "labels")}
        out["database"] = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    return out


def prefill(engine: Any, ds_id: int, user_id: int, upto: int) -> float:
    """Direct SQL inserts until the dataset holds ``upto`` samples, shaped like the API's rows (uuid version 7,
    the same attributes and metadata), in transactions of 1,000,000 (bench/samples_bench.py's prefill)."""
    started = time.perf_counter()
    while True:
        with engine.connect() as conn:
            have = conn.execute(text("SELECT count(*) FROM samples WHERE dataset_id = :d"), {"d": ds_id}).scalar()
        m = min(1_000_000, upto - have)
        if m <= 0:
            return time.perf_counter() - started
        params = {"ds": ds_id, "uid": user_id, "m": m, "x0": have, "t0": time.time_ns() // 1_000_000 - 10 * upto}
        with engine.begin() as conn:
            bulk_session(conn)
            conn.execute(text(
                "INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, created_by_id, "
                "created_at, updated_at) SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 16, 3)"
                " || '-' || substr(r, 20, 4) || '-' || substr(r, 25, 12), :ds, 'pre-' || lpad(x::text, 9, '0') || "
                "'.jpg', '{\"image\":{\"url\":\"https://example.com/images/pre/' || x || '.jpg\"}}', "
                "'{\"camera\":' || (x % 4) || ',\"weather\":\"' || CASE WHEN x % 3 = 0 THEN 'rain' ELSE 'sunny' END"
                " || '\"}', (x % 10)::float, '', :uid, "
                "to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                "to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
                "FROM (SELECT x, lpad(to_hex(:t0 + x), 12, '0') AS h, gen_random_uuid()::text AS r "
                "FROM generate_series(:x0 + 1, :x0 + :m) AS x) AS g"), params)
        log(f"prefilled {have + m:,} of {upto:,}; free {free_gib():.0f} GiB")


def run(args: argparse.Namespace) -> dict[str, Any]:
    admin = create_engine(make_url(args.pg_url), isolation_level="AUTOCOMMIT")
    name = args.reuse or f"lh_scale_{int(time.time())}"
    if not args.reuse:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
    state_file = Path(args.state)
    out: dict[str, Any] = {"database": name, "big": args.big, "small": args.small, "tail": args.tail,
                           "concurrency": args.concurrency}
    tmp = Path(tempfile.mkdtemp(prefix="lh-scale-", dir=args.data_root))
    engine = create_engine(db_url)
    try:
        with serve(db_url, tmp) as (url, _pid):
            st = json.loads(state_file.read_text()) if args.reuse else {}
            if st:
                key, user_id = st["key"], st["user_id"]
            else:
                user_id, key = make_user(db_url)
            datasets: dict[str, str] = st.get("datasets", {})
            done: list[str] = st.get("done", [])
            out.update(st.get("results", {}))

            def save() -> None:
                state_file.write_text(json.dumps({"database": name, "key": key, "user_id": user_id,
                                                  "datasets": datasets, "done": done,
                                                  "results": {k: v for k, v in out.items() if k.startswith(
                                                      ("import", "label_", "prefill"))}}))

            headers = {"Authorization": f"APIKey {key}"}
            with httpx.Client(base_url=url, headers=headers, timeout=3600) as http:
                for label_name, n in (("small", args.small), ("big", args.big)):
                    if label_name in done:
                        continue
                    if n * 2e-6 > free_gib() - args.min_free_gib:  # ~2 KiB per sample with label, indexes, WAL
                        raise RuntimeError(f"not enough disk for {n:,} samples: {free_gib():.0f} GiB free")
                    if label_name not in datasets:
                        datasets[label_name] = new_dataset(http)
                    ds_id, ls_id = ids_of(engine, datasets[label_name])
                    if label_name == "big" and args.tail:
                        # Most of the big dataset by direct SQL, then the last --tail through the API (the per-item
                        # import cost of a nearly full dataset), right after the same through the API into an empty
                        # dataset (the 100,000 baseline, same moment, same load).
                        out["prefill_big_s"] = prefill(engine, ds_id, user_id, n - args.tail)
                        base = new_dataset(http)
                        log(f"import baseline: {args.tail:,} into an empty dataset")
                        out["import_baseline"] = import_api(url, headers, base, args.tail, args.concurrency, "b")
                        log("import baseline", out["import_baseline"])
                        log(f"import tail: {args.tail:,} into {n - args.tail:,}")
                        out["import_big_tail"] = import_api(url, headers, datasets[label_name], args.tail,
                                                            args.concurrency, "t")
                        log("import tail", out["import_big_tail"])
                    else:
                        log(f"import {label_name}: {n:,}")
                        out[f"import_{label_name}"] = import_api(url, headers, datasets[label_name], n,
                                                                 args.concurrency, "s")
                        log(f"import {label_name}", out[f"import_{label_name}"])
                    with engine.begin() as conn:
                        conn.execute(text("DELETE FROM labels WHERE dataset_id = :d"), {"d": ds_id})
                    out[f"label_{label_name}_s"] = label(engine, ds_id, ls_id, user_id)
                    log(f"labels {label_name}: {out[f'label_{label_name}_s']:.1f} s")
                    done.append(label_name)
                    save()
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    started = time.perf_counter()
                    conn.execute(text("VACUUM ANALYZE samples"))
                    conn.execute(text("VACUUM ANALYZE labels"))
                    out["vacuum_analyze_s"] = time.perf_counter() - started
                out["sizes"] = sizes(engine)
                log("sizes", out["sizes"])
                for label_name, n in (("small", args.small), ("big", args.big)):
                    ds_id, _ = ids_of(engine, datasets[label_name])
                    out[f"list_{label_name}"] = listing(http, datasets[label_name], n, args.rounds)
                    log(f"listing {label_name}", out[f"list_{label_name}"])
                    uuids = random_uuids(engine, ds_id, args.puts)
                    out[f"put_{label_name}"] = label_puts(http, uuids, args.puts)
                    log(f"puts {label_name}", out[f"put_{label_name}"])
                for label_name, n in (("small", args.small), ("big", args.big)):
                    if label_name == "big" and args.skip_big_release:
                        continue
                    if n * 1.5e-6 > free_gib() - args.min_free_gib:
                        raise RuntimeError(f"not enough disk for a release of {n:,}: {free_gib():.0f} GiB free")
                    log(f"release {label_name}")
                    seconds = release_round_trip(http, datasets[label_name], f"r-{int(time.time())}")
                    out[f"release_{label_name}_s"] = seconds
                    log(f"release {label_name}: {seconds:.1f} s")
    finally:
        engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    out["machine"] = {**machine(), "load_average_end": os.getloadavg()}
    return out


def table(r: dict[str, Any]) -> str:
    big, small = r["big"], r["small"]

    def row(what: str, s_small: float, s_big: float, unit: str, per_item: tuple[float, float] | None = None) -> str:
        a, b = per_item or (s_small, s_big)
        return f"| {what} | {s_small:{unit}} | {s_big:{unit}} | {b / a:.2f} |"

    lines = [f"| operation | {small:,} | {big:,} | per-item cost, big / small |", "|---|---|---|---|"]
    if "import_big_tail" in r:
        base, tail = r["import_baseline"], r["import_big_tail"]
        lines.append(f"| import {r['tail']:,} through the API (into an empty dataset / into {big - r['tail']:,}), "
                     f"samples/s | {base['per_s']:,.0f} | {tail['per_s']:,.0f} | {base['per_s'] / tail['per_s']:.2f} |")
    ls, lb = r["list_small"], r["list_big"]
    for key, what in (("page_1_s", "list page 1 (1,000, label summaries), s"),
                      ("page_mid_s", "list a middle page by page=N (OFFSET), s"),
                      ("page_last_s", "list the last page by page=N (OFFSET), s"),
                      ("after_last_s", "list the last page by continuation (after=), s"),
                      ("filter_page_1_s", "label_status=REVIEWED, page 1, s"),
                      ("filter_after_last_s", "label_status=REVIEWED, last page by continuation, s"),
                      ("filter_page_last_s", "label_status=REVIEWED, second-to-last page by page=N, s")):
        lines.append(row(what, ls[key], lb[key], ".3f"))
    ps, pb = r["put_small"], r["put_big"]
    lines.append(f"| label write (PUT), p50 / p95 ms | {ps['p50_ms']:.1f} / {ps['p95_ms']:.1f} | {pb['p50_ms']:.1f} / "
                 f"{pb['p95_ms']:.1f} | {pb['p50_ms'] / ps['p50_ms']:.2f} |")
    if "release_big_s" in r:
        lines.append(row("release (create, build, download), s", r["release_small_s"], r["release_big_s"], ".1f",
                         (r["release_small_s"] / small, r["release_big_s"] / big)))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("LABELHOUSE_TEST_DATABASE_URL"))
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--tail", type=int, default=100_000,
                        help="fill the big dataset by direct SQL but for its last --tail, imported through the API "
                             "(0: all of it through the API)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--puts", type=int, default=300)
    parser.add_argument("--min-free-gib", type=float, default=15)
    parser.add_argument("--data-root", default=None, help="where the server's data dir (release files) goes")
    parser.add_argument("--state", default="/tmp/lh-scale10m-state.json")
    parser.add_argument("--keep", action="store_true", help="keep the database (for --reuse)")
    parser.add_argument("--reuse", default=None, help="a kept database: skip import and labels")
    parser.add_argument("--skip-big-release", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if not args.pg_url:
        parser.error("--pg-url (or LABELHOUSE_TEST_DATABASE_URL) is required")
    if args.big % CHUNK or args.small % CHUNK:
        parser.error(f"--big and --small must be multiples of {CHUNK}")
    if min(args.big, args.small) < 10 * CHUNK:
        # the status filter's pages are a fifth of the samples: below 10 pages its second-to-last page is page 0
        parser.error(f"--big and --small must be at least {10 * CHUNK} (the listing rows read the second-to-last "
                     "page of a fifth of the samples)")
    result = run(args)
    text_ = json.dumps(result, default=str)
    print(text_)
    if args.json:
        Path(args.json).write_text(text_)
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
