"""Label history and release diff benchmarks (issue 15). Usage, from the repository root:

    .venv/bin/python bench/history_bench.py writes      # label-write cost with and without history, same run
    .venv/bin/python bench/history_bench.py writes-http # the same over HTTP: two servers, wrk, alternating rounds
    .venv/bin/python bench/history_bench.py revisions   # 1,000,000 revisions: database growth
    .venv/bin/python bench/history_bench.py diff        # two 1,000,000-sample releases, 1 % changed

Options: --n (revisions / samples, default 1,000,000), --database-url (default: a SQLite file under bench/.work/).
Each prints one JSON line. SQLite files go to bench/.work/history/ (git-ignored).

``writes`` runs the label PUT service (``labels.service.put_label``: what the fast lane's PUT runs after parsing
and authentication) on a real database, alternating blocks of writes with the revision writer on and replaced
by a no-op, and compares medians of the same run. In-process on purpose: without HTTP around it the history's
share of a write is the largest it can be.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent
WORK = ROOT / ".work" / "history"
NOW = "2024-01-01T00:00:00.000000Z"
sys.path.insert(0, str(ROOT))


def _label(k: int, points: int = 4) -> dict:
    return {"format_version": "0.1", "annotations": [
        {"id": j + 1, "category_id": 1, "type": "bbox", "points": [[k % 97, j], [k % 89 + 20, j + 30]]}
        for j in range(points)]}


def _fresh_sqlite(name: str) -> str:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _setup(url: str, samples: int) -> tuple:
    """A user, a bboxes dataset and ``samples`` samples, by direct SQL; returns (engine, sessions, ids)."""
    from labelhouse_server.db.engine import make_engine, make_sessionmaker
    from labelhouse_server.db.migrate import upgrade
    from sqlalchemy import text

    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as s:
        uid = s.execute(text("INSERT INTO accounts (username, is_organization, is_admin, created_at) VALUES "
                             "(:u, false, false, :t) RETURNING id"), {"u": f"bench-{uuid.uuid4().hex[:6]}",
                                                                       "t": NOW}).scalar()
        did = s.execute(text(
            "INSERT INTO datasets (owner_id, name, description, category, public, archived, task_type, data_type, "
            "task_attributes, readme, metadata, options, created_at, updated_at) VALUES (:o, 'bench', '', 'other', "
            "false, false, 'bboxes', 'IMAGE', :ta, '', '{}', '{}', :t, :t) RETURNING id"),
            {"o": uid, "t": NOW, "ta": json.dumps({"format_version": "0.1",
                                                   "categories": [{"id": 1, "name": "car"}]})}).scalar()
        lsid = s.execute(text("INSERT INTO labelsets (dataset_id, name, description, is_groundtruth, created_at) "
                              "VALUES (:d, 'ground-truth', '', true, :t) RETURNING id"), {"d": did, "t": NOW}).scalar()
        for lo in range(0, samples, 50_000):
            s.execute(text("INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, "
                           "created_at, updated_at) VALUES (:u, :d, :n, :a, '{}', 0, '', :t, :t)"),
                      [{"u": str(uuid.uuid4()), "d": did, "n": f"s{i:07d}", "a": '{"image":{"url":"https://e/x"}}',
                        "t": NOW} for i in range(lo, min(samples, lo + 50_000))])
        s.commit()
        rows = s.execute(text("SELECT id, uuid FROM samples WHERE dataset_id = :d ORDER BY id"), {"d": did}).all()
    return engine, sessions, {"user": uid, "dataset": did, "labelset": lsid, "samples": rows}


def _size(engine) -> int:
    if engine.dialect.name == "sqlite":
        import sqlite3

        conn = sqlite3.connect(engine.url.database, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
        finally:
            conn.close()
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()


# ----------------------------------------------------------------------------------------------------- writes
def writes(url: str, rounds: int, block: int) -> dict:
    from labelhouse_server.access import sample_access
    from labelhouse_server.auth.keys import account_for_key  # noqa: F401  (warm imports)
    from labelhouse_server.db import Account
    from labelhouse_server.labels import history, service

    engine, sessions, ids = _setup(url, 2000)
    with sessions() as s:
        user = s.get(Account, ids["user"])
        s.expunge(user)
    real = history.record_revision
    timings: dict[str, list[float]] = {"history": [], "no_history": []}
    k = 0
    for r in range(rounds):
        for mode in (("history", "no_history") if r % 2 == 0 else ("no_history", "history")):
            history.record_revision = real if mode == "history" else (lambda *a, **kw: 0)
            for _ in range(block):
                uuid_ = ids["samples"][k % len(ids["samples"])][1]
                body = {"label_status": "LABELED", "attributes": _label(k), "score": float(k)}
                k += 1
                t = time.perf_counter()
                with sessions() as s:
                    sacc = sample_access(s, s.merge(user, load=False), uuid_, "label")
                    service.put_label(s, sacc, "ground-truth", body)
                timings[mode].append(time.perf_counter() - t)
    history.record_revision = real
    engine.dispose()
    med = {m: statistics.median(v) * 1e6 for m, v in timings.items()}
    return {"benchmark": "label writes with/without history", "database": engine.dialect.name,
            "writes_per_mode": len(timings["history"]), "median_us_history": round(med["history"], 1),
            "median_us_no_history": round(med["no_history"], 1),
            "slowdown": round(med["history"] / med["no_history"] - 1, 4),
            "mean_us_history": round(statistics.mean(timings["history"]) * 1e6, 1),
            "mean_us_no_history": round(statistics.mean(timings["no_history"]) * 1e6, 1)}


# ---------------------------------------------------------------------------------------------- writes over HTTP
_NO_HISTORY = ("import sys; import labelhouse_server.labels.history as h; h.record_revision = lambda *a, **k: 0; "
               "from labelhouse_server.cli import main; sys.exit(main(sys.argv[1:]))")
_WRK_PUT = """
local uuids = {%s}
local n = 0
request = function()
  n = n + 1
  local u = uuids[(n %% #uuids) + 1]
  local body = string.format('{"label_status":"LABELED","attributes":{"format_version":"0.1","annotations":[' ..
    '{"id":1,"category_id":1,"type":"bbox","points":[[%%d,1],[%%d,40]]},' ..
    '{"id":2,"category_id":1,"type":"bbox","points":[[1,%%d],[30,%%d]]}]},"score":%%d}', n %% 97, n %% 89 + 20,
    n %% 13, n %% 13 + 30, n)
  return wrk.format("PUT", "/labels/" .. u .. "/ground-truth/", nil, body)
end
"""


def _wrk(url: str, key: str, script: Path, seconds: int, connections: int) -> tuple[float, float, int]:
    """(requests/s, p50 latency in ms, requests) of one wrk run of ``script``."""
    from wrk import wrk

    run = wrk(url, seconds=seconds, connections=connections, script=script,
              headers={"Authorization": f"APIKey {key}", "Content-Type": "application/json"})
    return run.rate, run.p50_ms, run.requests


def writes_http(rounds: int, seconds: int, connections: int) -> dict:
    """Label PUTs through the whole server (uvicorn, middlewares, fast lane, SQLite commit) with history and with
    the revision writer replaced by a no-op, on two servers started alike; wrk, alternating rounds."""
    from samples_bench import cpu_seconds

    results: dict[str, dict[str, list[float]]] = {m: {"rate": [], "p50_ms": [], "server_cpu_us": []}
                                                  for m in ("history", "no_history")}
    with serve_pair() as servers:
        scripts = {}
        for mode, (url, key, uuids, _pid) in servers.items():
            path = WORK / f"put-{mode}.lua"
            path.write_text(_WRK_PUT % ", ".join(f'"{u}"' for u in uuids))
            scripts[mode] = path
            _wrk(url, key, path, 2, connections)  # warm-up: every label exists afterwards (updates from here on)
        for r in range(rounds):
            for mode in (("history", "no_history") if r % 2 == 0 else ("no_history", "history")):
                url, key, _, pid = servers[mode]
                cpu = cpu_seconds(pid)
                rate, p50, count = _wrk(url, key, scripts[mode], seconds, connections)
                results[mode]["server_cpu_us"].append((cpu_seconds(pid) - cpu) / count * 1e6)
                results[mode]["rate"].append(rate)
                results[mode]["p50_ms"].append(p50)
    med = {m: {k: statistics.median(v) for k, v in d.items()} for m, d in results.items()}
    return {"benchmark": "label PUT over HTTP with/without history", "database": "sqlite", "rounds": rounds,
            "seconds_per_round": seconds, "connections": connections, "median": med,
            "throughput_ratio": round(med["history"]["rate"] / med["no_history"]["rate"], 4),
            "p50_ratio": round(med["history"]["p50_ms"] / med["no_history"]["p50_ms"], 4),
            "server_cpu_ratio": round(med["history"]["server_cpu_us"] / med["no_history"]["server_cpu_us"], 4),
            "runs": results}


@contextmanager
def serve_pair():
    """Two servers on fresh SQLite data dirs, one without history; each with a user, a dataset and 500 samples:
    ``{mode: (url, api key, sample uuids, server pid)}``."""
    import httpx
    from samples_bench import make_user, serve

    with ExitStack() as stack:
        out = {}
        for mode in ("history", "no_history"):
            data = WORK / f"http-{mode}"
            if data.exists():
                shutil.rmtree(data)
            data.mkdir(parents=True)
            url_db = f"sqlite:///{data / 'labelhouse.sqlite3'}"
            launcher = [sys.executable, "-c", _NO_HISTORY] if mode == "no_history" else None
            url, pid = stack.enter_context(serve(url_db, data, launcher=launcher))
            _uid, key = make_user(url_db)
            http = stack.enter_context(httpx.Client(base_url=url, headers={"Authorization": f"APIKey {key}"},
                                                    timeout=60))
            name = f"h{uuid.uuid4().hex[:8]}"
            http.post("/user/datasets/", json={"name": name, "task_type": "vector", "task_attributes": {
                "format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}}).raise_for_status()
            full = http.get("/user").json()["username"] + "/" + name
            r = http.post(f"/datasets/{full}/samples_bulk/", json=[
                {"name": f"s{i:05d}.jpg", "attributes": {"image": {"url": f"https://example.com/{i}.jpg"}}}
                for i in range(500)])
            r.raise_for_status()
            uuids = [s["uuid"] for s in http.get(f"/datasets/{full}/samples/?per_page=500&page=1").json()]
            out[mode] = (url, key, uuids, pid)
        yield out


# -------------------------------------------------------------------------------------------------- revisions
def revisions(url: str, n: int, per_label: int) -> dict:
    """``n`` revisions over n / per_label labels: revision 1 creates; later ones change the attributes (half)
    or only the status/score (half) — the mix of a labeling-then-review workflow."""
    import orjson
    from labelhouse_server.labels.history import record_revision

    labels = n // per_label
    engine, sessions, ids = _setup(url, labels)
    before = _size(engine)
    attribute_bytes = 0
    documents = 0
    t0 = time.perf_counter()
    done = 0
    statuses = ("LABELED", "REVIEWED", "REJECTED")
    for lo in range(0, labels, 1000):
        with sessions() as s:
            for sid, _ in ids["samples"][lo:lo + 1000]:
                text = orjson.dumps(_label(sid)).decode()
                for r in range(per_label):
                    if r and r % 2 == 1:
                        text = orjson.dumps(_label(sid * 31 + r)).decode()  # new attributes
                        documents += 1
                    elif not r:
                        documents += 1
                    attribute_bytes += len(text)
                    record_revision(s, dataset_id=ids["dataset"], sample_id=sid, labelset_id=ids["labelset"],
                                    action="created" if r == 0 else "updated", label_status=statuses[r % 3],
                                    attributes=text, score=float(r), user_id=ids["user"], created_at=NOW)
                    done += 1
            s.commit()
    elapsed = time.perf_counter() - t0
    after = _size(engine)
    engine.dispose()
    return {"benchmark": "1,000,000 revisions", "database": engine.dialect.name, "revisions": done,
            "labels": labels, "distinct_documents": documents, "seconds": round(elapsed, 1),
            "revisions_per_s": round(done / elapsed), "db_growth_mb": round((after - before) / 1e6, 1),
            "bytes_per_revision": round((after - before) / done, 1),
            "attributes_inline_mb": round(attribute_bytes / 1e6, 1),
            "attributes_stored_mb_est": round(attribute_bytes / done * documents / 1e6, 1)}


# ------------------------------------------------------------------------------------------------------- diff
def diff_fill_and_build(n: int) -> dict:
    """Two real releases (snapshot + build job, digests included) of ``n`` samples, 1 % changed in between."""
    import sqlite3

    import releases_bench as rb

    db = WORK / f"diff-{n}.sqlite3"
    WORK.mkdir(parents=True, exist_ok=True)
    rb.fill(db, n)
    one = subprocess.run([sys.executable, rb.__file__, "--build", str(db)], check=True, capture_output=True,
                         text=True)
    first = json.loads(one.stdout.strip().splitlines()[-1])
    conn = sqlite3.connect(db)
    per = n // 100 // 5  # 1 % of the samples, in five kinds of change
    ids = [r[0] for r in conn.execute("SELECT id FROM samples ORDER BY id")]
    changed_attrs, changed_status, changed_meta, deleted = (ids[0:per], ids[per * 3:per * 4],
                                                             ids[per * 6:per * 7], ids[per * 9:per * 10])
    conn.executemany("UPDATE labels SET attributes = replace(attributes, '\"id\":2', '\"id\":3') WHERE sample_id = ?",
                     [(i,) for i in changed_attrs])
    conn.executemany("UPDATE labels SET label_status = 'REVIEWED' WHERE sample_id = ?", [(i,) for i in changed_status])
    conn.executemany("UPDATE samples SET metadata = '{\"changed\":true}' WHERE id = ?", [(i,) for i in changed_meta])
    conn.executemany("DELETE FROM samples WHERE id = ?", [(i,) for i in deleted])
    did = conn.execute("SELECT id FROM datasets WHERE name = 'bench'").fetchone()[0]
    conn.executemany("INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, "
                     "created_at, updated_at) VALUES (?, ?, ?, '{\"image\":{\"url\":\"https://e/new\"}}', '{}', 0, "
                     "'', ?, ?)", [(str(uuid.uuid4()), did, f"new-{i:07d}.jpg", NOW, NOW) for i in range(per)])
    conn.commit()
    conn.close()
    two = subprocess.run([sys.executable, rb.__file__, "--build", str(db)], check=True, capture_output=True,
                         text=True)
    second = json.loads(two.stdout.strip().splitlines()[-1])
    return {"db": str(db), "first_build": first, "second_build": second, "changes_made": per * 5}


def diff_measure(db: str) -> dict:
    """In a fresh process: the diff counts, then every page of changes; wall time and peak RSS."""
    from labelhouse_server.datasets.permissions import DatasetAccess
    from labelhouse_server.db import Account, Dataset, Release
    from labelhouse_server.db.engine import make_engine, make_sessionmaker
    from labelhouse_server.releases.diff import diff_changes, diff_summary
    from sqlalchemy import select

    engine = make_engine(f"sqlite:///{db}")
    sessions = make_sessionmaker(engine)
    with sessions() as s:
        user = s.scalar(select(Account).where(Account.username == "bench"))
        dataset = s.scalar(select(Dataset).where(Dataset.name == "bench"))
        names = [r.name for r in s.scalars(select(Release).where(Release.dataset_id == dataset.id)
                                           .order_by(Release.id))][-2:]
        acc = DatasetAccess(dataset=dataset, user=user, role="owner")
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        summary = diff_summary(s, acc, names[0], names[1])
        t_summary = time.perf_counter() - t0
        t1 = time.perf_counter()
        first_page = diff_changes(s, acc, names[0], names[1], 1, 1000)
        t_page = time.perf_counter() - t1
        t2 = time.perf_counter()
        total, page = len(first_page), 2
        while True:
            rows = diff_changes(s, acc, names[0], names[1], page, 1000)
            if not rows:
                break
            total += len(rows)
            page += 1
        t_all = time.perf_counter() - t2 + t_page
    engine.dispose()
    return {"summary": summary, "summary_s": round(t_summary, 2), "first_changes_page_s": round(t_page, 2),
            "all_changes": total, "all_changes_pages": page - 1, "all_changes_s": round(t_all, 1),
            "rss_before_mb": round(rss0 / 1024, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["writes", "writes-http", "revisions", "diff", "diff-measure"])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--block", type=int, default=200)
    parser.add_argument("--per-label", type=int, default=10)
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.what == "writes":
        out = writes(args.database_url or _fresh_sqlite("writes"), args.rounds, args.block)
    elif args.what == "writes-http":
        out = writes_http(args.rounds, args.seconds, args.connections)
    elif args.what == "revisions":
        out = revisions(args.database_url or _fresh_sqlite("revisions"), args.n, args.per_label)
    elif args.what == "diff-measure":
        out = diff_measure(args.db)
    else:
        built = diff_fill_and_build(args.n)
        measure = subprocess.run([sys.executable, __file__, "diff-measure", "--db", built["db"]], check=True,
                                 capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        out = {**built, **json.loads(measure.stdout.strip().splitlines()[-1])}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
