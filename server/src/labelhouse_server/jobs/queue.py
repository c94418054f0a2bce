"""The queue operations, as SQL on the ``jobs`` table.

Claiming is atomic: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` inside the claiming UPDATE (workers never
wait on each other and never get the same row); on SQLite a compare-and-set ``UPDATE ... WHERE status='queued'``
under the database write lock (``BEGIN IMMEDIATE``). Every later transition is *fenced* by (worker_id, attempt):
a worker whose job was reaped and handed to another worker can no longer complete, fail or heartbeat it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import CursorResult, text
from sqlalchemy.orm import Session

from ..db import Job
from ..timeutil import now_iso

if TYPE_CHECKING:
    from .registry import JobContext

log = logging.getLogger("labelhouse.jobs")


def enqueue(session: Session, kind: str, payload: dict[str, Any], *, max_attempts: int = 3,
            on_commit: Any = None) -> Job:
    """Add a job row to the caller's transaction. Runners only ever see committed rows, so a job can never run
    before the data it refers to exists; ``on_commit`` (e.g. ``runner.notify``) is called after the commit."""
    job = Job(kind=kind, payload=payload, status="queued", attempts=0, max_attempts=max_attempts,
              created_at=now_iso())
    session.add(job)
    session.flush()
    if on_commit is not None:
        from sqlalchemy import event

        event.listen(session, "after_commit", lambda _s: on_commit(), once=True)
    return job


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int


def claim(session: Session, worker_id: str) -> Claimed | None:
    """Take the oldest queued job, or None. Commits."""
    now = now_iso()
    pick = "SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1"
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        pick += " FOR UPDATE SKIP LOCKED"
    row = session.execute(text(
        "UPDATE jobs SET status = 'running', worker_id = :w, attempts = attempts + 1, started_at = :now, "
        f"heartbeat_at = :now, finished_at = NULL WHERE id = ({pick}) AND status = 'queued' "
        "RETURNING id, kind, payload, attempts, max_attempts"
    ), {"w": worker_id, "now": now}).first()
    session.commit()
    if row is None:
        return None
    return Claimed(id=row[0], kind=row[1], payload=orjson.loads(row[2]) if row[2] else {}, attempt=row[3],
                   max_attempts=row[4])


_FENCE = "id = :id AND worker_id = :w AND attempts = :a AND status = 'running'"


def heartbeat(session: Session, job_id: int, worker_id: str, attempt: int, progress: int | None = None) -> bool:
    """Prove the worker lives. False when the job is no longer ours. Commits."""
    sets = "heartbeat_at = :now" + (", progress = :p" if progress is not None else "")
    n = cast(CursorResult[Any], session.execute(
        text(f"UPDATE jobs SET {sets} WHERE {_FENCE}"),
        {"now": now_iso(), "p": progress, "id": job_id, "w": worker_id, "a": attempt})).rowcount
    session.commit()
    return n == 1


def finish(session: Session, ctx: JobContext, status: str, *, result: Any = None, error: str | None = None) -> bool:
    """Fenced final transition (succeeded / failed / queued for retry) in the caller's transaction."""
    worker = None if status == "queued" else ctx.worker_id
    n = cast(CursorResult[Any], session.execute(text(
        f"UPDATE jobs SET status = :s, result = :r, error = :e, finished_at = :now, worker_id = :nw "
        f"WHERE {_FENCE}"
    ), {"s": status, "r": orjson.dumps(result).decode() if result is not None else None, "e": error,
        "now": None if status == "queued" else now_iso(), "nw": worker, "id": ctx.job_id, "w": ctx.worker_id,
        "a": ctx.attempt})).rowcount
    return n == 1


def stale_cutoff(stale_seconds: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=stale_seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def reap_stale(session: Session, stale_seconds: float) -> list[tuple[int, str, dict[str, Any], str]]:
    """Re-queue (or, out of attempts, fail) running jobs whose heartbeat is older than ``stale_seconds``.
    Returns the failed ones as (id, kind, payload, reason) so their handlers can record the failure — the caller
    does that in this same transaction and commits."""
    cutoff = stale_cutoff(stale_seconds)
    lock = " FOR UPDATE SKIP LOCKED" if session.bind.dialect.name == "postgresql" else ""  # type: ignore[union-attr]
    rows = session.execute(text(
        "SELECT id, kind, payload, attempts, max_attempts, worker_id FROM jobs "
        f"WHERE status = 'running' AND heartbeat_at < :cutoff ORDER BY id{lock}"
    ), {"cutoff": cutoff}).all()
    failed: list[tuple[int, str, dict[str, Any], str]] = []
    for job_id, kind, payload, attempts, max_attempts, worker in rows:
        silence = f"worker {worker} stopped sending heartbeats (none for {stale_seconds:g}s)"
        if attempts >= max_attempts:
            reason = f"{silence} on attempt {attempts} of {max_attempts}; giving up."
            session.execute(text("UPDATE jobs SET status = 'failed', error = :e, finished_at = :now, "
                                 "worker_id = NULL WHERE id = :id AND status = 'running'"),
                            {"e": reason, "now": now_iso(), "id": job_id})
            failed.append((job_id, kind, orjson.loads(payload) if payload else {}, reason))
            log.warning("job %s failed: %s", job_id, reason)
        else:
            session.execute(text("UPDATE jobs SET status = 'queued', error = :e, worker_id = NULL "
                                 "WHERE id = :id AND status = 'running'"),
                            {"e": f"{silence} on attempt {attempts}; re-queued.", "id": job_id})
            log.warning("job %s re-queued: %s", job_id, silence)
    return failed


PRUNE_BATCH = 1000


def prune_finished(session: Session, retention_seconds: float, batch: int = PRUNE_BATCH) -> int:
    """Delete up to ``batch`` finished jobs (succeeded or failed) that finished more than ``retention_seconds``
    ago; the rows that referred to them keep their own state (their ``job_id`` is set to NULL by the foreign
    key). One short transaction per call: the caller repeats while a full batch was deleted. Commits."""
    # PostgreSQL: two runners pruning at once skip each other's rows instead of waiting on them.
    lock = " FOR UPDATE SKIP LOCKED" if session.bind.dialect.name == "postgresql" else ""  # type: ignore[union-attr]
    n = cast(CursorResult[Any], session.execute(text(
        "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ('succeeded', 'failed') "
        f"AND finished_at < :cutoff ORDER BY id LIMIT :batch{lock})"
    ), {"cutoff": stale_cutoff(retention_seconds), "batch": batch})).rowcount
    session.commit()
    return n
