"""The SQL floor of a label PUT: the statements one PUT runs, straight on ``sqlite3`` (no HTTP, no ASGI, no
framework), on a database the app made, to set the PUT rows of issue 16 against what SQLite alone costs here:

    .venv/bin/python bench/put_floor.py [--n 3000] [--group 1] [--rounds 3]

The app (``create_app``, driven through ASGI as ``harden_instr.py`` does) makes a fresh SQLite data dir with one
user and key, a vector dataset of 200 samples and a label on each. Then, per round, ``--n`` PUTs of the 2-box
label of ``harden_instr.put_body`` rotate over the samples, each as the fast lane runs it: the key-and-access read
(``access._SAMPLE_ACCESS_BY_KEY``), ``BEGIN IMMEDIATE``, the label upsert, the content and revision inserts
(``labels.history``), the workunit insert, ``COMMIT`` (every ``--group`` PUTs: a write group of that size),
with the app's pragmas (WAL, ``synchronous=NORMAL``, foreign keys on). Reported: CPU and wall time per PUT
(automatic checkpoints on, as served), wall time per statement, and WAL frames (pages) written per PUT, counted in
a second pass with automatic checkpoints off. The statements come from the source tree on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harden_instr  # sets the benchmark's rate limits before the app is imported

STEPS = ("access", "begin", "upsert", "content", "revision", "workunit", "commit")


async def make_database(tmp: Path) -> tuple[Path, str]:
    """A data dir made by the app: (database file, API key)."""
    from labelhouse_server.app import create_app
    from labelhouse_server.auth.keys import issue_key
    from labelhouse_server.db.migrate import upgrade
    from labelhouse_server.settings import Settings
    from labelhouse_server.users.service import create_user

    path = tmp / "labelhouse.sqlite3"
    settings = Settings(data_dir=tmp, database_url=f"sqlite:///{path}")
    settings.prepare_data_dir()
    upgrade(settings.database_url)
    app = create_app(settings)
    session = app.state.sessionmaker()
    _, key = issue_key(session, create_user(session, "floor", None))
    session.commit()
    session.close()
    client = harden_instr.Client(app, key)
    ds = await client.ok("POST", "/user/datasets/", {"name": "floor", "task_type": "vector",
                                                     "task_attributes": harden_instr.TASK_ATTRIBUTES})
    name = ds["full_name"]
    await client.ok("POST", f"/datasets/{name}/samples_bulk/",
                    [{"name": f"s{i}.jpg", "attributes": {"image": {"url": f"https://example.com/{i}.jpg"}}}
                     for i in range(200)])
    for s in await client.ok("GET", f"/datasets/{name}/samples/?per_page=200&page=1"):
        await client.ok("PUT", f"/labels/{s['uuid']}/ground-truth/", harden_instr.put_body(0))
    app.state.engine.dispose()
    if app.state.write_groups is not None:
        app.state.write_groups.close()
    if app.state.held_reads is not None:
        app.state.held_reads.close()
    return path, key


def run_puts(path: Path, key: str, n: int, group: int, checkpoints: bool) -> dict[str, Any]:
    from labelhouse_server.access import _SAMPLE_ACCESS_BY_KEY
    from labelhouse_server.auth.keys import hash_key
    from labelhouse_server.ids import new_uuid
    from labelhouse_server.labels.history import _CONTENT, _REVISION
    from labelhouse_server.labels.service import _UPSERT_LABEL
    from labelhouse_server.timeutil import now_iso
    from labelhouse_server.workunits.service import _INSERT

    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("synchronous=NORMAL", "foreign_keys=ON", "cache_size=-8192",
                   *(() if checkpoints else ("wal_autocheckpoint=0",))):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    uuids = [r[0] for r in conn.execute("SELECT s.uuid FROM samples s JOIN labels l ON l.sample_id = s.id")]
    bodies = [orjson.loads(harden_instr.put_body(i + 1))["attributes"] for i in range(n)]
    key_hash = hash_key(key)
    spent = dict.fromkeys(STEPS, 0.0)
    clock = time.perf_counter
    cpu0, wall0 = time.process_time(), clock()
    for i in range(n):
        sample_uuid = uuids[i % len(uuids)]
        t0 = clock()
        row = conn.execute(_SAMPLE_ACCESS_BY_KEY, (sample_uuid, key_hash)).fetchone()
        # the key's account (6 columns), then the sample (13), then its dataset
        user_id, sample_id, sample_name, dataset_id = row[0], row[6], row[8], row[19]
        attributes = orjson.dumps(bodies[i]).decode()
        t1 = clock()
        if i % group == 0:
            conn.execute("BEGIN IMMEDIATE")
        t2 = clock()
        now = now_iso()
        labelset_id = conn.execute(_UPSERT_LABEL, (sample_id, dataset_id, "LABELED", attributes, None, user_id,
                                                   user_id, None, now, now, None, dataset_id, "ground-truth")
                                   ).fetchall()[0][-1]
        t3 = clock()
        digest = hashlib.blake2b(attributes.encode(), digest_size=16).digest()
        conn.execute(_CONTENT, (dataset_id, digest, attributes))
        t4 = clock()
        conn.execute(_REVISION, (sample_id, labelset_id, dataset_id, "updated", "LABELED", digest, None, user_id,
                                 now, sample_id, labelset_id)).fetchall()
        t5 = clock()
        conn.execute(_INSERT, (new_uuid(), dataset_id, sample_id, sample_uuid, sample_name, "ground-truth", user_id,
                               "label", "LABELED", now))
        t6 = clock()
        if i % group == group - 1 or i == n - 1:
            conn.execute("COMMIT")
        t7 = clock()
        for step, (a, b) in zip(STEPS, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6), (t6, t7)),
                                strict=True):
            spent[step] += b - a
    out: dict[str, Any] = {"cpu_us": (time.process_time() - cpu0) / n * 1e6, "wall_us": (clock() - wall0) / n * 1e6,
                           "step_wall_us": {k: round(v / n * 1e6, 1) for k, v in spent.items()}}
    if not checkpoints:
        wal = Path(f"{path}-wal").stat().st_size
        out["wal_frames"] = (wal - 32) / (conn.execute("PRAGMA page_size").fetchone()[0] + 24) / n
    conn.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--group", type=int, default=1, help="PUTs per transaction (a write group's size)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lh-put-floor-") as tmp_name:
        path, key = asyncio.run(make_database(Path(tmp_name)))
        rounds = [run_puts(path, key, args.n, args.group, checkpoints=True) for _ in range(args.rounds)]
        frames = run_puts(path, key, min(args.n, 1000), args.group, checkpoints=False)["wal_frames"]
    result = {"n": args.n, "group": args.group, "rounds": rounds,
              "median_cpu_us": statistics.median(r["cpu_us"] for r in rounds),
              "median_wall_us": statistics.median(r["wall_us"] for r in rounds),
              "median_step_wall_us": {s: statistics.median(r["step_wall_us"][s] for r in rounds) for s in STEPS},
              "wal_frames_per_put": round(frames, 2), "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    print(orjson.dumps(result).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
