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
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.orm import Session

from ..db import Job
from ..db.rows import JOB
from ..db.sql import run
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


def _locking(session: Session) -> str:
    """PostgreSQL: the rows a statement picks are locked, skipping those another runner holds (never waits)."""
    return " FOR UPDATE SKIP LOCKED" if session.bind.dialect.name == "postgresql" else ""  # type: ignore[union-attr]


def claim(session: Session, worker_id: str) -> Claimed | None:
    """Take the oldest queued job, or None. Commits."""
    now = now_iso()
    pick = "SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1" + _locking(session)
    row = run(session,
              "UPDATE jobs SET status = 'running', worker_id = ?, attempts = attempts + 1, started_at = ?, "
              f"heartbeat_at = ?, finished_at = NULL WHERE id = ({pick}) AND status = 'queued' "
              f"RETURNING {JOB.sql()}", (worker_id, now, now)).first()
    session.commit()
    if row is None:
        return None
    job = JOB.make(row)
    return Claimed(id=job.id, kind=job.kind, payload=orjson.loads(job.payload) if job.payload else {},
                   attempt=job.attempts, max_attempts=job.max_attempts)


# Parameters: job id, worker id, attempt.
_FENCE = "id = ? AND worker_id = ? AND attempts = ? AND status = 'running'"
_HEARTBEAT = f"UPDATE jobs SET heartbeat_at = ? WHERE {_FENCE}"
_HEARTBEAT_PROGRESS = f"UPDATE jobs SET heartbeat_at = ?, progress = ? WHERE {_FENCE}"
_FINISH = f"UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, worker_id = ? WHERE {_FENCE}"


def heartbeat(session: Session, job_id: int, worker_id: str, attempt: int, progress: int | None = None) -> bool:
    """Prove the worker lives. False when the job is no longer ours. Commits."""
    fence = (job_id, worker_id, attempt)
    if progress is None:
        n = run(session, _HEARTBEAT, (now_iso(), *fence)).rowcount
    else:
        n = run(session, _HEARTBEAT_PROGRESS, (now_iso(), progress, *fence)).rowcount
    session.commit()
    return n == 1


def finish(session: Session, ctx: JobContext, status: str, *, result: Any = None, error: str | None = None) -> bool:
    """Fenced final transition (succeeded / failed / queued for retry) in the caller's transaction."""
    requeued = status == "queued"
    n = run(session, _FINISH, (status, orjson.dumps(result).decode() if result is not None else None, error,
                               None if requeued else now_iso(), None if requeued else ctx.worker_id,
                               ctx.job_id, ctx.worker_id, ctx.attempt)).rowcount
    return n == 1


def stale_cutoff(stale_seconds: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=stale_seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def reap_stale(session: Session, stale_seconds: float) -> list[tuple[int, str, dict[str, Any], str]]:
    """Re-queue (or, out of attempts, fail) running jobs whose heartbeat is older than ``stale_seconds``.
    Returns the failed ones as (id, kind, payload, reason) so their handlers can record the failure — the caller
    does that in this same transaction and commits."""
    cutoff = stale_cutoff(stale_seconds)
    rows = run(session, f"SELECT {JOB.sql()} FROM jobs WHERE status = 'running' AND heartbeat_at < ? "
                        f"ORDER BY id{_locking(session)}", (cutoff,))
    failed: list[tuple[int, str, dict[str, Any], str]] = []
    for job in map(JOB.make, rows):
        silence = f"worker {job.worker_id} stopped sending heartbeats (none for {stale_seconds:g}s)"
        if job.attempts >= job.max_attempts:
            reason = f"{silence} on attempt {job.attempts} of {job.max_attempts}; giving up."
            run(session, "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, worker_id = NULL "
                         "WHERE id = ? AND status = 'running'", (reason, now_iso(), job.id))
            failed.append((job.id, job.kind, orjson.loads(job.payload) if job.payload else {}, reason))
            log.warning("job %s failed: %s", job.id, reason)
        else:
            run(session, "UPDATE jobs SET status = 'queued', error = ?, worker_id = NULL "
                         "WHERE id = ? AND status = 'running'", (f"{silence} on attempt {job.attempts}; re-queued.",
                                                                  job.id))
            log.warning("job %s re-queued: %s", job.id, silence)
    return failed


PRUNE_BATCH = 1000


def prune_finished(session: Session, retention_seconds: float, batch: int = PRUNE_BATCH) -> int:
    """Delete up to ``batch`` finished jobs (succeeded or failed) that finished more than ``retention_seconds``
    ago; the rows that referred to them keep their own state (their ``job_id`` is set to NULL by the foreign
    key). One short transaction per call: the caller repeats while a full batch was deleted. Commits."""
    # PostgreSQL: two runners pruning at once skip each other's rows instead of waiting on them.
    n = run(session, "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ('succeeded', 'failed') "
                     f"AND finished_at < ? ORDER BY id LIMIT ?{_locking(session)})",
            (stale_cutoff(retention_seconds), batch)).rowcount
    session.commit()
    return n
