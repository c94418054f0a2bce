"""Job kinds of this feature (``jobs.registry`` imports every feature's ``jobs`` module: a new kind edits no
central list)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..db.sql import run
from ..jobs import JobContext, PermanentJobError, register
from . import snapshot
from .builder import _load_release, drop_snapshot, release_key, sweep_snapshots, write_release_file
from .diff import DigestRecorder, clear_digests
from .service import BUILD_JOB

log = logging.getLogger("labelhouse.releases")


@register(BUILD_JOB)
class BuildRelease:
    def run(self, ctx: JobContext, payload: dict[str, Any]) -> Any:
        with ctx.sessionmaker() as session:
            folder = snapshot.snapshot_dir(session.get_bind())
        sweep_snapshots(ctx.sessionmaker)
        snapshot.sweep_files(ctx.sessionmaker, folder)
        release = _load_release(ctx.sessionmaker, payload["release_id"])
        if release is None:
            if payload.get("snapshot") != "file":  # normally removed with the release already
                drop_snapshot(ctx.sessionmaker, payload["release_id"])
            return {"skipped": "release was deleted"}
        if release["status"] != "PENDING":
            return {"skipped": f"release is already {release['status']}"}
        if payload.get("snapshot") == "file":
            if folder is None:
                raise PermanentJobError("the release's snapshot is a file next to a SQLite database, but this "
                                        "database is not one; create the release again")
            try:
                source: snapshot.Snapshot = snapshot.FileSnapshot(snapshot.file_of(folder, release["uuid"]))
            except snapshot.MissingSnapshot as exc:
                raise PermanentJobError(str(exc)) from None
        else:
            source = snapshot.TableSnapshot(ctx.sessionmaker, release["id"])
        try:
            result = self._build(ctx, payload, release, source)
        finally:
            source.close()
        if result.get("skipped") is None:
            if payload.get("snapshot") == "file":
                snapshot.remove(folder, release["uuid"])
            else:
                drop_snapshot(ctx.sessionmaker, release["id"])
        return result

    def _build(self, ctx: JobContext, payload: dict[str, Any], release: dict[str, Any],
               source: snapshot.Snapshot) -> dict[str, Any]:
        store = ctx.store
        tmp_dir = Path(ctx.settings.data_dir) / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        for stale in tmp_dir.glob(f"release-{release['uuid']}-*.json"):
            stale.unlink(missing_ok=True)  # left by an earlier attempt whose process died (or lost the job)
        fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=f"release-{release['uuid']}-", suffix=".json")
        key = release_key(release["uuid"], ctx.attempt)
        try:
            with os.fdopen(fd, "wb", buffering=1024 * 1024) as fh:

                def check(n: int) -> None:
                    ctx.progress = n
                    ctx.check()

                digests = DigestRecorder(ctx.sessionmaker, release["id"], release["dataset_id"], payload["labelsets"])
                count, checksum, size = write_release_file(source, release, payload, fh, check, digests.add)
            ctx.check()
            store.put(key, tmp, "application/json")
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        url = store.public_url(key)
        with ctx.sessionmaker() as session:
            flipped = run(session, "UPDATE releases SET status = 'SUCCEEDED', status_info = '', url = ?, file_key = ?, "
                                   "checksum = ?, samples_count = ? WHERE id = ? AND status = 'PENDING'",
                          (url, key, checksum, count, release["id"])).rowcount == 1
            result = {"url": url, "key": key, "samples_count": count, "bytes": size, "sha256": checksum}
            if flipped and ctx.complete_in(session, result):
                session.commit()
            else:
                session.rollback()
                store.delete(key)  # deleted meanwhile, or another attempt owns the job now
                if not flipped:
                    return {"skipped": "release was deleted or finished while building"}
                ctx.check()
                raise PermanentJobError("lost the job while finishing")
        for earlier in range(1, ctx.attempt):  # files of attempts whose worker died after uploading
            store.delete(release_key(release["uuid"], earlier))
        log.info("release %s built: %d samples, %d bytes", release["uuid"], count, size)
        return result

    def on_failed(self, session: Session, payload: dict[str, Any], reason: str) -> None:
        release_id = payload["release_id"]
        run(session, "UPDATE releases SET status = 'FAILED', status_info = ? WHERE id = ? AND status = 'PENDING'",
            (reason[:2000], release_id))
        snapshot.delete_rows(session, "release_id = ?", release_id)
        clear_digests(session, payload["release_id"])
        # A snapshot file: removed now if the release is gone or FAILED, else (a commit that does not happen) by
        # the next build's sweep.
        if payload.get("snapshot") == "file":
            release_uuid = run(session, "SELECT uuid FROM releases WHERE id = ?", (release_id,)).scalar()
            if release_uuid is not None:
                snapshot.remove(snapshot.snapshot_dir(session.get_bind()), release_uuid)
