"""Release-build benchmark: N labeled samples in a SQLite database, then create a release (the snapshot copy)
and build its file (stream -> local object store -> SUCCEEDED) in a fresh subprocess, measuring wall time and
peak RSS of that process. Usage:

    .venv/bin/python bench/releases_bench.py 10000 100000 1000000

Each N gets its own database under bench/.work/releases/ (filled once, in another process, so the fill does not count
towards the build's memory). Prints one JSON line per N."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / ".work" / "releases"
NOW = "2024-01-01T00:00:00.000000Z"
SAMPLE = '{{"image":{{"url":"https://example.com/images/{i:07d}.jpg"}}}}'
LABEL = ('{{"format_version":"0.1","annotations":[{{"id":1,"category_id":1,"type":"bbox","points":[[{a},12],'
         '[{b},80]]}},{{"id":2,"category_id":2,"type":"polygon","points":[[1,2],[3,4],[5,{a}]]}}]}}')


def fill(db: Path, n: int) -> None:
    import sqlite3

    from labelhouse_server.db.migrate import upgrade

    if db.exists():
        db.unlink()
    upgrade(f"sqlite:///{db}")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    cur = conn.cursor()
    cur.execute("INSERT INTO accounts (username, is_organization, is_admin, created_at) VALUES ('bench', 0, 0, ?)",
                (NOW,))
    uid = cur.lastrowid
    cur.execute("INSERT INTO datasets (owner_id, name, description, category, public, archived, task_type, "
                "data_type, task_attributes, readme, metadata, options, created_at, updated_at) VALUES "
                "(?, 'bench', '', 'other', 0, 0, 'vector', 'IMAGE', ?, '', '{}', '{}', ?, ?)",
                (uid, json.dumps({"format_version": "0.1", "categories": [{"id": 1, "name": "car"},
                                                                           {"id": 2, "name": "road"}]}), NOW, NOW))
    did = cur.lastrowid
    cur.execute("INSERT INTO labelsets (dataset_id, name, description, is_groundtruth, created_at) "
                "VALUES (?, 'ground-truth', '', 1, ?)", (did, NOW))
    lsid = cur.lastrowid
    step = 50_000
    for lo in range(0, n, step):
        rows = [(str(uuid.uuid4()), did, f"sample-{i:07d}.jpg", SAMPLE.format(i=i), f'{{"i":{i}}}', NOW, NOW)
                for i in range(lo, min(n, lo + step))]
        cur.executemany("INSERT INTO samples (uuid, dataset_id, name, attributes, metadata, priority, readme, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, '', ?, ?)", rows)
        first_id = cur.execute("SELECT min(id) FROM samples WHERE name = ?", (rows[0][2],)).fetchone()[0]
        cur.executemany("INSERT INTO labels (sample_id, labelset_id, dataset_id, label_status, attributes, "
                        "created_by_id, updated_by_id, created_at, updated_at) VALUES (?, ?, ?, 'LABELED', ?, ?, ?, "
                        "?, ?)", [(first_id + k, lsid, did, LABEL.format(a=k % 50, b=k % 50 + 30), uid, uid, NOW, NOW)
                                  for k in range(len(rows))])
        conn.commit()
    conn.close()


def build(db: Path) -> dict:
    """Runs in its own process: create the release (snapshot) and build its file; report time and peak RSS."""
    from labelhouse_server.datasets.permissions import DatasetAccess
    from labelhouse_server.db import Account, Dataset, Release
    from labelhouse_server.db.engine import make_engine, make_sessionmaker
    from labelhouse_server.jobs import queue
    from labelhouse_server.jobs.registry import JobContext
    from labelhouse_server.releases.jobs import BuildRelease
    from labelhouse_server.releases.service import create_release
    from labelhouse_server.settings import Settings
    from labelhouse_server.storage import make_store
    from sqlalchemy import select

    data_dir = db.parent / f"{db.stem}-data"
    settings = Settings(database_url=f"sqlite:///{db}", data_dir=data_dir, public_url="http://127.0.0.1:1")
    engine = make_engine(settings.resolved_database_url())
    sessions = make_sessionmaker(engine)
    store = make_store(settings)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    name = f"r-{uuid.uuid4().hex[:6]}"
    t0, c0 = time.perf_counter(), time.process_time()
    with sessions() as session:
        user = session.scalar(select(Account).where(Account.username == "bench"))
        dataset = session.scalar(select(Dataset).where(Dataset.name == "bench"))
        release = create_release(session, DatasetAccess(dataset=dataset, user=user, role="owner"), name, "",
                                 settings)
        release_id = release.id
    t_create, c_create = time.perf_counter() - t0, time.process_time() - c0
    with sessions() as session:
        job = queue.claim(session, "bench")
    ctx = JobContext(job_id=job.id, attempt=job.attempt, worker_id="bench", settings=settings,
                     sessionmaker=sessions, store_factory=lambda: store)
    t1, c1 = time.perf_counter(), time.process_time()
    result = BuildRelease().run(ctx, job.payload)
    t_build, c_build = time.perf_counter() - t1, time.process_time() - c1
    with sessions() as session:
        status = session.get(Release, release_id).status
    store.delete(result["key"])
    engine.dispose()
    return {"samples": result["samples_count"], "status": status, "file_mb": round(result["bytes"] / 1e6, 1),
            "create_s": round(t_create, 2), "build_s": round(t_build, 2), "total_s": round(t_create + t_build, 2),
            "create_cpu_s": round(c_create, 2), "build_cpu_s": round(c_build, 2),  # this process's CPU (SQLite's too)
            "rss_before_mb": round(rss_before / 1024, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--fill"]:
        fill(Path(argv[1]), int(argv[2]))
        return
    if argv[:1] == ["--build"]:
        print(json.dumps(build(Path(argv[1]))))
        return
    DATA.mkdir(exist_ok=True)
    for n in [int(a) for a in argv] or [10_000, 100_000]:
        db = DATA / f"releases-{n}.sqlite3"
        if not db.exists():
            t = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--fill", str(db), str(n)], check=True)
            print(f"# filled {n} samples in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        out = subprocess.run([sys.executable, __file__, "--build", str(db)], check=True, capture_output=True,
                             text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
