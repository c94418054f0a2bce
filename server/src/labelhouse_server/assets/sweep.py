"""S3 uploads go from the client straight to the bucket (the presigned POST of ``POST /assets/``), so the server
never sees them arrive. Each job runner (server threads or ``labelhouse worker``) therefore looks for them: every
``asset_check_interval_seconds`` it asks the store about the assets created within the upload window (the
presigned POST's lifetime, plus a margin) that have no ``uploaded_at`` yet, and records the size and the time it
saw each one that has arrived. The local store records uploads as they happen (``assets/routes.py``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ..db.rows import ASSET_UPLOAD
from ..db.sql import run, run_many
from ..timeutil import now_iso

log = logging.getLogger("labelhouse.assets")

PRESIGNED_POST_SECONDS = 3600  # storage.ObjectStore.presigned_post's default expiry, used by POST /assets/
UPLOAD_WINDOW_SECONDS = PRESIGNED_POST_SECONDS + 600
PAGE = 1000


def pending_since(window_seconds: float = UPLOAD_WINDOW_SECONDS) -> str:
    """The oldest ``created_at`` of an asset whose upload may still arrive."""
    return (datetime.now(timezone.utc) - timedelta(seconds=window_seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_NEWEST = f"SELECT {ASSET_UPLOAD.sql()} FROM assets ORDER BY id DESC LIMIT ?"
_OLDER = f"SELECT {ASSET_UPLOAD.sql()} FROM assets WHERE id < ? ORDER BY id DESC LIMIT ?"


def pending_uploads(session: Session, window_seconds: float = UPLOAD_WINDOW_SECONDS) -> list[tuple[int, str]]:
    """(id, key) of assets created within the window and not yet seen: a walk back from the newest asset by
    primary key, page by page, that stops at the first page reaching past the window (cost: the window's
    assets, not the table)."""
    since = pending_since(window_seconds)
    found: list[tuple[int, str]] = []
    before: int | None = None
    while True:
        if before is None:
            rows = list(map(ASSET_UPLOAD.make, run(session, _NEWEST, (PAGE,))))
        else:
            rows = list(map(ASSET_UPLOAD.make, run(session, _OLDER, (before, PAGE))))
        found.extend((r.id, r.key) for r in rows if r.uploaded_at is None and r.created_at >= since)
        if len(rows) < PAGE or rows[-1].created_at < since:
            return found
        before = rows[-1].id


def mark_arrived_uploads(sessions: sessionmaker[Session], store: Any, read_options: dict[str, Any]) -> int:
    """Record ``uploaded_at`` and ``size`` of the pending assets that are now in the store; returns how many."""
    with sessions() as session:
        session.connection(execution_options=read_options)
        pending = pending_uploads(session)
    arrived: list[tuple[Any, ...]] = []  # (now, size, asset id)
    for asset_id, key in pending:
        try:
            size = store.size(key)
        except Exception:  # the store is unreachable: try again at the next tick
            log.warning("could not look up upload %s", key, exc_info=True)
            return 0
        if size is not None:
            arrived.append((now_iso(), size, asset_id))
    if arrived:
        with sessions() as session:
            run_many(session, "UPDATE assets SET uploaded_at = ?, size = ? WHERE id = ? AND uploaded_at IS NULL",
                     arrived)
            session.commit()
    return len(arrived)
