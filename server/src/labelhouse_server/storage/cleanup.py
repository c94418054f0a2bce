"""Removing stored files whose rows are gone, as a background job (``storage.delete_files``).

Deleting a dataset (or a release) deletes its rows and, in the same transaction, enqueues one job naming the files
those rows pointed at (release files today). The job deletes them from the object store (local folder or S3)
after the commit, retried like any job while attempts remain, so a store that is down for a moment, or a server
that stops right after the commit, leaves no orphaned files behind — and the request does not wait for the store.
Deleting an absent object succeeds, so a retried job is harmless."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from ..jobs import enqueue

log = logging.getLogger("labelhouse.storage")

DELETE_FILES_JOB = "storage.delete_files"


def enqueue_file_deletion(session: Session, keys: list[str | None], *, on_commit: Callable[[], None] | None = None,
                          max_attempts: int = 5) -> int | None:
    """Add a ``storage.delete_files`` job for ``keys`` (empty ones skipped) to the caller's transaction; None when
    there is nothing to delete. The files go once the caller commits (a rolled-back delete keeps them)."""
    wanted = sorted({k for k in keys if k})
    if not wanted:
        return None
    return enqueue(session, DELETE_FILES_JOB, {"keys": wanted}, max_attempts=max_attempts, on_commit=on_commit).id


