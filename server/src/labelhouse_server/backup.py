"""``labelhouse backup`` and ``labelhouse restore``: a consistent copy of an installation while it keeps serving.

A backup is a folder:

    backup.json          what was backed up: format, database kind, schema revision, when the copy began
    labelhouse.sqlite3   SQLite: the database, written by ``VACUUM INTO`` (one read transaction: a consistent
                         snapshot that never blocks the server's writers in WAL mode, and compact)
    release-snapshots/   SQLite: the snapshot files of releases still being built (``releases.snapshot``), copied
                         after the database, so a release PENDING in the copy builds after a restore (one whose
                         file was removed in between, because its build finished, fails with a reason instead)
    database.pgdump      PostgreSQL: ``pg_dump --format=custom`` (one REPEATABLE READ snapshot; writers go on)
    objects/             the local object store (assets, release files), copied after the database snapshot
    upload-secret.key    the local store's signing secret (so upload links issued before the backup stay valid)

Files are immutable once written (every key is new), so copying them after the database snapshot gives every
file the snapshot refers to, except one deleted in between (its row was being deleted too). With the S3 store the
objects are not copied: ``backup.json`` says so, and the bucket is backed up with the object store's own tools
(``mc mirror``, ``aws s3 sync``, bucket versioning) — see docs/backup.md.

``restore`` turns a backup into a new data directory (and, for a PostgreSQL backup, restores into the empty
database given by ``--database-url`` with ``pg_restore``); ``labelhouse serve --data-dir NEW`` then serves it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from .releases.snapshot import complete_files, folder_for
from .settings import Settings
from .timeutil import now_iso

FORMAT = 1
MANIFEST = "backup.json"
SQLITE_FILE = "labelhouse.sqlite3"
PG_FILE = "database.pgdump"
SECRET = "upload-secret.key"
SNAPSHOTS = "release-snapshots"


class BackupError(Exception):
    pass


def _libpq_url(url: str) -> str:
    """``postgresql+psycopg://...`` -> ``postgresql://...`` (what pg_dump/pg_restore understand)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"not a SQLite database file: {url}")
    return Path(database)


def _empty_target(path: Path) -> None:
    if path.exists() and any(path.iterdir()):
        raise BackupError(f"{path} exists and is not empty")
    path.mkdir(parents=True, exist_ok=True)


def _schema_revision(url: str) -> str | None:
    from sqlalchemy import create_engine, text

    # ``text()`` rather than ``db.sql.run``: a throwaway engine on the backup's URL, one read for the manifest, no
    # session (and no app) to run it in.
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - informational only
        return None
    finally:
        engine.dispose()


def _copy_snapshots(folder: Path, dest: Path) -> None:
    for path in complete_files(folder):  # immutable once in place; one may be removed while we copy
        dest.mkdir(exist_ok=True)
        try:
            shutil.copy2(path, dest / path.name)
        except FileNotFoundError:
            pass


def backup(settings: Settings, dest: Path) -> dict[str, Any]:
    """Write a backup of the installation ``settings`` describes to the new folder ``dest``."""
    url = settings.resolved_database_url()
    _empty_target(dest)
    began = now_iso()
    manifest: dict[str, Any] = {"format": FORMAT, "began_at": began, "schema_revision": _schema_revision(url),
                                "storage_backend": settings.storage_backend}
    if url.startswith("sqlite"):
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"no database at {source}")
        conn = sqlite3.connect(source, timeout=60)
        try:
            conn.execute("VACUUM INTO ?", (str(dest / SQLITE_FILE),))
        finally:
            conn.close()
        manifest["database"] = {"kind": "sqlite", "file": SQLITE_FILE}
        _copy_snapshots(folder_for(source.resolve()), dest / SNAPSHOTS)
    elif url.startswith("postgresql"):
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed: install the PostgreSQL client tools (same major version "
                              "as the server) or back up the database with your own pg_dump / base backups")
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dest / PG_FILE),
                               _libpq_url(url)], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        manifest["database"] = {"kind": "postgresql", "file": PG_FILE}
    else:
        raise BackupError(f"unsupported database URL: {url}")
    if settings.storage_backend.lower() == "local":
        objects = settings.data_dir / "objects"
        if objects.exists():
            shutil.copytree(objects, dest / "objects")
        secret = settings.data_dir / SECRET
        if secret.exists():
            shutil.copy2(secret, dest / SECRET)
        manifest["objects"] = "objects"
    else:
        manifest["objects"] = None
        manifest["objects_note"] = (f"objects are in the S3 bucket {settings.s3_bucket!r}; back it up with the "
                                    "object store's tools (see docs/backup.md)")
    manifest["finished_at"] = now_iso()
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def restore(source: Path, data_dir: Path, database_url: str | None = None) -> dict[str, Any]:
    """Create the data directory ``data_dir`` (new or empty) from the backup in ``source``."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} is not a labelhouse backup (no {MANIFEST})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
    _empty_target(data_dir)
    kind = manifest["database"]["kind"]
    if kind == "sqlite":
        if database_url and not database_url.startswith("sqlite"):
            raise BackupError("this is a SQLite backup: restore it into a data directory, without --database-url")
        target = _sqlite_path(database_url) if database_url else data_dir / SQLITE_FILE
        shutil.copy2(source / SQLITE_FILE, target)
        if (source / SNAPSHOTS).is_dir():
            shutil.copytree(source / SNAPSHOTS, folder_for(target.resolve()), dirs_exist_ok=True)
        with sqlite3.connect(target) as conn:  # the integrity of what we restored, before anyone serves it
            if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError("the restored database fails SQLite's integrity check")
    else:
        if not database_url or not database_url.startswith("postgresql"):
            raise BackupError("this is a PostgreSQL backup: give the (empty) database to restore into with "
                              "--database-url")
        if shutil.which("pg_restore") is None:
            raise BackupError("pg_restore is not installed (PostgreSQL client tools)")
        done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq_url(database_url),
                               str(source / PG_FILE)], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    if (source / "objects").exists():
        shutil.copytree(source / "objects", data_dir / "objects")
    if (source / SECRET).exists():
        shutil.copy2(source / SECRET, data_dir / SECRET)
    return manifest
