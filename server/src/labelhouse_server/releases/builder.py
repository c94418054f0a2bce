"""The release-build job: snapshot rows -> release file (contract §6.2) -> object store -> SUCCEEDED.

Streaming: samples and their labels are read in keyset-paginated batches and written one by one with orjson to a
temporary file (stored JSON text is spliced in undecoded), so memory does not grow with the number of samples.
Each attempt uploads under its own key; the release row flips to SUCCEEDED (url, samples_count, checksum) in the
same transaction that completes the job, conditional on the release still being PENDING and the job still being
ours — so a half-written file is never served and a stale or duplicate attempt cannot win."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, BinaryIO

import orjson
from sqlalchemy.orm import Session, sessionmaker

from ..db.engine import READ_ONLY
from ..db.rows import RELEASE, RELEASE_SAMPLE
from ..db.sql import run
from .snapshot import Snapshot

log = logging.getLogger("labelhouse.releases")

BATCH = 2000

# The snapshot's rows come as the driver's tuples (``snapshot.Snapshot``; SQLAlchemy Row objects cost ~30% of the
# build): ``RELEASE_SAMPLE`` and ``RELEASE_LABEL`` rows, unpacked below in that order.
_sample_id = RELEASE_SAMPLE.getter("sample_id")
_EMPTY_OBJ = orjson.Fragment(b"{}")
_NULL = orjson.Fragment(b"null")


def release_key(release_uuid: str, attempt: int) -> str:
    return f"releases/{release_uuid}/release-{attempt}.json"


class _HashingWriter:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.sha.update(data)
        self.size += len(data)


def write_release_file(snapshot: Snapshot, release: dict[str, Any], payload: dict[str, Any],
                       out: BinaryIO, check: Callable[[int], None] = lambda n: None,
                       on_batch: Callable[[list[tuple], list[tuple]], None] | None = None) -> tuple[int, str, int]:
    """Write the release file for ``release`` (a dict of its row) to ``out``. Returns (samples, sha256, bytes).
    ``check(samples_written)`` is called between batches (progress, and a chance to abort); ``on_batch(samples,
    labels)`` with each batch's snapshot rows as read (the release's digests, ``diff.DigestRecorder``)."""
    w = _HashingWriter(out)
    ds = payload["dataset"]
    labelsets = payload["labelsets"]
    names = {ls["id"]: ls["name"] for ls in labelsets}
    dataset_head = orjson.dumps({
        "name": ds["name"], "owner": ds["owner"], "description": ds.get("description") or "",
        "task_type": ds["task_type"], "data_type": ds.get("data_type"),
        "task_attributes": ds.get("task_attributes"),
        "labelsets": [{"name": ls["name"], "description": ls["description"]} for ls in labelsets],
    })
    head = orjson.dumps({"name": release["name"], "description": release["description"] or "",
                         "created_at": release["created_at"], "release_type": "JSON", "uuid": release["uuid"]})
    # {"name":...,"dataset":{...,"samples":[  <samples>  ]}}
    w.write(head[:-1] + b',"dataset":' + dataset_head[:-1] + b',"samples":[')
    after = -1
    count = 0
    first = True
    ls_names = [ls["name"] for ls in labelsets]
    # Per row, the least Python that builds the same objects (this loop is most of a build's CPU): stored JSON is
    # text or NULL on both databases (``JSONText``), spliced by ``Fragment``; a sample without labels shares one
    # all-null ``labels`` object (orjson only reads it); with one labelset a sample's own dict is its ``labels``.
    fragment = orjson.Fragment
    no_labels = dict.fromkeys(ls_names)
    single = len(ls_names) == 1
    while True:
        check(count)
        samples, label_rows = snapshot.batch(after, BATCH)
        if not samples:
            break
        hi = _sample_id(samples[-1])  # the batch's last
        if on_batch is not None:
            on_batch(samples, label_rows)
        labels: dict[int, dict[str, Any]] = {}
        for (sid, lsid, status, attrs, score, cby, uby, rby, cat, uat) in label_rows:
            name = names.get(lsid)
            if name is None:
                continue  # labelset created after the snapshot
            label = {"label_status": status, "attributes": _NULL if attrs is None else fragment(attrs), "score": score,
                     "created_at": cat, "created_by": cby, "updated_at": uat, "updated_by": uby, "reviewed_by": rby}
            own = labels.get(sid)
            if own is None:
                labels[sid] = {name: label}
            else:
                own[name] = label
        parts: list[dict[str, Any]] = []
        append = parts.append
        for sid, uuid, name, attrs, meta, created_at in samples:
            own = labels.get(sid)
            append({
                "uuid": uuid, "name": name, "attributes": _NULL if attrs is None else fragment(attrs),
                "metadata": _EMPTY_OBJ if meta is None else fragment(meta), "created_at": created_at,
                "labels": no_labels if own is None else own if single else {n: own.get(n) for n in ls_names},
            })
        chunk = orjson.dumps(parts)[1:-1]  # the batch in one call, without its brackets
        w.write(chunk if first else b"," + chunk)
        first = False
        count += len(samples)
        after = hi
    w.write(b"]}}")
    return count, w.sha.hexdigest(), w.size


def _load_release(sessions: sessionmaker[Session], release_id: int) -> dict[str, Any] | None:
    with sessions() as session:
        row = run(session, f"SELECT {RELEASE.sql()} FROM releases WHERE id = ?", (release_id,)).first()
        return None if row is None else RELEASE.make(row)._asdict()


def drop_snapshot(sessions: sessionmaker[Session], release_id: int, batch: int = 50_000) -> None:
    """Remove a built release's snapshot rows (``snapshot.TableSnapshot``) in short transactions (never holding SQLite's write lock for
    long). Idempotent; rows left by a crash in between are swept by the next build (``sweep_snapshots``)."""
    after = -1
    while True:
        with sessions() as session:
            hi = run(session, "SELECT max(sample_id) FROM (SELECT sample_id FROM release_samples WHERE release_id = ? "
                              "AND sample_id > ? ORDER BY sample_id LIMIT ?) AS b", (release_id, after, batch)).scalar()
            if hi is None:
                run(session, "DELETE FROM release_labels WHERE release_id = ?", (release_id,))
                session.commit()
                return
            for table in ("release_labels", "release_samples"):
                run(session, f"DELETE FROM {table} WHERE release_id = ? AND sample_id > ? AND sample_id <= ?",
                    (release_id, after, hi))
            session.commit()
            after = hi


def sweep_snapshots(sessions: sessionmaker[Session]) -> None:
    """Snapshot rows of releases that are no longer PENDING (a builder died between finishing and cleaning)."""
    with sessions() as session:
        session.connection(execution_options=READ_ONLY)
        leftovers = run(session, "SELECT r.id FROM releases r WHERE r.status <> 'PENDING' AND EXISTS "
                                 "(SELECT 1 FROM release_samples rs WHERE rs.release_id = r.id)").scalars()
    for release_id in leftovers:
        drop_snapshot(sessions, release_id)
