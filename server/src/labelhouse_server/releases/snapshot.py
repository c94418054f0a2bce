"""Where a release's snapshot lives while its file is built.

SQLite (a database file): **a snapshot file per release**, next to the database (``<database>-snapshots/
<release uuid>.sqlite3``). The copy runs on one connection that holds a single *read* transaction on the database
(WAL: one consistent point in time, which never blocks writers) and writes into the snapshot file, attached under
its own lock; so the database's writers go on during the copy. Copying into tables of the database instead (as
before) held SQLite's write lock for the whole copy: 6-65 s at 1,000,000 samples, during which every label write
waited (bench/RESULTS.md, issue 16 session 9). The file has no journal and no foreign keys (it is never updated:
written once, fsynced and renamed into place before the release row and its build job commit), and is removed with
one unlink once the release is built, failed or deleted (the table snapshot's DELETEs and their WAL are gone too).

PostgreSQL (and an in-memory SQLite database): the snapshot tables ``release_samples`` / ``release_labels``, filled
by one statement (one MVCC snapshot; PostgreSQL's writers are not blocked by it). Releases whose build payload
names no snapshot file (created before snapshot files existed) are built from those tables too.

The snapshot file is a private scratch database of this module, read and written with ``sqlite3`` directly: its
connection must ATTACH outside any transaction, which a session's connection never is.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from ..db.engine import READ_ONLY
from ..db.rows import RELEASE_LABEL, RELEASE_SAMPLE
from ..db.sql import run

# A snapshot file whose release row does not exist (its create failed or its process died before committing) is
# removed once it is this old; a younger one may belong to a create still running in another process.
ORPHAN_AGE_SECONDS = 3600.0
_SUFFIX = ".sqlite3"
_PARTIAL = ".partial"

_SAMPLE_COLUMNS = "sample_id, uuid, name, attributes, metadata, created_at"
_LABEL_COLUMNS = ("sample_id, labelset_id, label_status, attributes, score, created_by, updated_by, reviewed_by, "
                  "created_at, updated_at")
assert _SAMPLE_COLUMNS.replace(",", "").split() == list(RELEASE_SAMPLE.columns)
assert _LABEL_COLUMNS.replace(",", "").split() == list(RELEASE_LABEL.columns)
# The snapshot file's tables: the rows a build reads (``db.rows.RELEASE_SAMPLE``, ``RELEASE_LABEL``). No release id
# (one release per file), no foreign keys.
_SCHEMA = (
    ("CREATE TABLE snap.release_samples (sample_id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, name TEXT NOT NULL, "
     "attributes TEXT, metadata TEXT, created_at TEXT NOT NULL)"),
    ("CREATE TABLE snap.release_labels (sample_id INTEGER NOT NULL, labelset_id INTEGER NOT NULL, "
     "label_status TEXT NOT NULL, attributes TEXT, score REAL, created_by TEXT, updated_by TEXT, reviewed_by TEXT, "
     "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (sample_id, labelset_id))"),
)
_COPY_SAMPLES = (
    f"INSERT INTO snap.release_samples ({_SAMPLE_COLUMNS}) "
    "SELECT s.id, s.uuid, s.name, s.attributes, s.metadata, s.created_at FROM main.samples s WHERE s.dataset_id = ?")
_COPY_LABELS = (
    f"INSERT INTO snap.release_labels ({_LABEL_COLUMNS}) "
    "SELECT l.sample_id, l.labelset_id, l.label_status, l.attributes, l.score, cu.username, uu.username, "
    "ru.username, l.created_at, l.updated_at FROM main.labels l "
    "LEFT JOIN main.accounts cu ON cu.id = l.created_by_id LEFT JOIN main.accounts uu ON uu.id = l.updated_by_id "
    "LEFT JOIN main.accounts ru ON ru.id = l.reviewed_by_id WHERE l.dataset_id = ?")
_LABELSETS = "SELECT id, name, description FROM main.labelsets WHERE dataset_id = ? ORDER BY id"

# Reading a snapshot, batch by batch (``Snapshot.batch``).
_FILE_SAMPLES = f"SELECT {_SAMPLE_COLUMNS} FROM release_samples WHERE sample_id > ? ORDER BY sample_id LIMIT ?"
_FILE_LABELS = f"SELECT {_LABEL_COLUMNS} FROM release_labels WHERE sample_id > ? AND sample_id <= ?"
_TABLE_SAMPLES = (f"SELECT {RELEASE_SAMPLE.sql()} FROM release_samples "
                  "WHERE release_id = ? AND sample_id > ? ORDER BY sample_id LIMIT ?")
_TABLE_LABELS = (f"SELECT {RELEASE_LABEL.sql()} FROM release_labels WHERE release_id = ? AND sample_id > ? "
                 "AND sample_id <= ?")
_sample_id = RELEASE_SAMPLE.getter("sample_id")


class MissingSnapshot(Exception):
    """The release's snapshot file is gone (e.g. a data directory restored from a backup taken while it was
    PENDING): it cannot be built."""


def folder_for(database: Path) -> Path:
    """The folder of the snapshot files of the SQLite database file ``database`` (also ``backup``'s)."""
    return database.with_name(f"{database.name}-snapshots")


def snapshot_dir(bind: Engine | Connection) -> Path | None:
    """The folder of the database's snapshot files (``bind``: an engine, or a session's connection); None when
    snapshots are tables (PostgreSQL, in-memory)."""
    url = bind.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        return None
    return folder_for(Path(url.database).resolve())


def complete_files(folder: Path) -> list[Path]:
    """The snapshot files renamed into place (not those of a copy under way)."""
    return sorted(folder.glob(f"*{_SUFFIX}")) if folder.is_dir() else []


def file_of(folder: Path, release_uuid: str) -> Path:
    return folder / f"{release_uuid}{_SUFFIX}"


def _copying(release_uuid: str) -> None:
    """Called once the copy's read transaction holds its point in time and the samples are copied: a place for
    a test to act while the copy runs (``tests/server/releases/test_snapshot_file.py``)."""


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def take(engine: Engine, folder: Path, release_uuid: str, dataset_id: int) -> tuple[int, list[dict[str, Any]]]:
    """Copy the dataset's samples and labels, as of one instant, into the release's snapshot file; returns the
    number of samples and the dataset's labelsets at that same instant (``[{id, name, description}]``). The
    file is complete and durable when this returns; on any error it is removed."""
    folder.mkdir(mode=0o700, exist_ok=True)
    final = file_of(folder, release_uuid)
    partial = final.with_name(final.name + _PARTIAL)
    # Readable by its owner only, like the database it copies (SQLite would create it 0644).
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    raw = engine.raw_connection()
    conn: Any = raw.driver_connection
    attached = False
    try:
        conn.execute("ATTACH DATABASE ? AS snap", (str(partial),))
        attached = True
        # Durability comes from the fsync below, before the release commits; a file left half-written by a crash
        # is never used (it keeps its .partial name and is swept).
        conn.execute("PRAGMA snap.journal_mode=OFF")
        conn.execute("PRAGMA snap.synchronous=OFF")
        for statement in _SCHEMA:
            conn.execute(statement)
        # One read transaction on the database (its point in time is fixed by the first read) and the snapshot
        # file's write lock: the database's own write lock is never taken.
        conn.execute("BEGIN")
        try:
            samples = conn.execute(_COPY_SAMPLES, (dataset_id,)).rowcount
            _copying(release_uuid)
            conn.execute(_COPY_LABELS, (dataset_id,))
            labelsets = [{"id": i, "name": n, "description": d or ""}
                         for i, n, d in conn.execute(_LABELSETS, (dataset_id,)).fetchall()]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("DETACH DATABASE snap")
        attached = False
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    finally:
        if attached:
            raw.invalidate()  # never give the pool a connection with the file still attached
        raw.close()
    try:
        _fsync(partial)
        partial.rename(final)
        _fsync(folder, directory=True)
    except BaseException:
        for path in (partial, final):
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return samples, labelsets


class Snapshot(Protocol):
    """A release's snapshot as the build reads it: batches of samples in id order and their labels."""

    def batch(self, after: int, limit: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Up to ``limit`` samples with ids above ``after`` (``RELEASE_SAMPLE`` rows, by id) and their labels
        (``RELEASE_LABEL`` rows)."""
        ...

    def close(self) -> None: ...


class FileSnapshot:
    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise MissingSnapshot(f"the release's snapshot file {path.name} is missing; create the release again")
        # immutable: the file never changes once renamed into place (no locks, no change checks)
        self.conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def batch(self, after: int, limit: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        samples = self.conn.execute(_FILE_SAMPLES, (after, limit)).fetchall()
        if not samples:
            return samples, []
        return samples, self.conn.execute(_FILE_LABELS, (after, _sample_id(samples[-1]))).fetchall()

    def close(self) -> None:
        self.conn.close()


class TableSnapshot:
    def __init__(self, sessions: sessionmaker[Session], release_id: int) -> None:
        self.sessions = sessions
        self.release_id = release_id

    def batch(self, after: int, limit: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        with self.sessions() as session:
            session.connection(execution_options=READ_ONLY)
            samples = run(session, _TABLE_SAMPLES, (self.release_id, after, limit))
            if not samples:
                return samples, []
            return samples, run(session, _TABLE_LABELS, (self.release_id, after, _sample_id(samples[-1])))

    def close(self) -> None:
        pass


def delete_rows(session: Session, which: str, param: int) -> None:
    """The snapshot tables' rows of the releases ``which`` selects (a condition on ``release_id``, one parameter):
    they have no foreign key (migration 0012), so whatever deletes a release deletes them too."""
    for table in ("release_labels", "release_samples"):
        run(session, f"DELETE FROM {table} WHERE {which}", (param,))


def remove(folder: Path | None, release_uuid: str) -> None:
    if folder is not None:
        with contextlib.suppress(FileNotFoundError):
            file_of(folder, release_uuid).unlink()


def sweep_files(sessions: sessionmaker[Session], folder: Path | None) -> None:
    """Remove snapshot files no build will read: their release is built, failed or deleted, or (no release row
    after ``ORPHAN_AGE_SECONDS``) its create never committed."""
    if folder is None or not folder.is_dir():
        return
    files = [p for p in folder.iterdir() if p.name.endswith((_SUFFIX, _SUFFIX + _PARTIAL))]
    if not files:
        return
    statuses: dict[str, str | None] = {}
    with sessions() as session:
        session.connection(execution_options=READ_ONLY)
        for path in files:
            uuid_ = path.name.split(".", 1)[0]
            if uuid_ not in statuses:
                statuses[uuid_] = run(session, "SELECT status FROM releases WHERE uuid = ?", (uuid_,)).scalar()
    now = time.time()
    for path in files:
        status = statuses[path.name.split(".", 1)[0]]
        if status == "PENDING" and path.name.endswith(_SUFFIX):
            continue
        if status is None:
            try:
                if now - path.stat().st_mtime < ORPHAN_AGE_SECONDS:
                    continue
            except FileNotFoundError:
                continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
