"""Runners: threads that claim jobs from the table, run their handlers, heartbeat, and reap dead workers' jobs.

``ThreadedRunner`` runs inside the server (embedded default, ``jobs_backend=inprocess``) and inside each
``labelhouse worker`` process (production). Several runners — threads, processes, machines — can share one
database: claims are atomic and every transition is fenced (see ``queue``)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..db.engine import READ_ONLY, engine_for, make_sessionmaker
from ..db.sql import run
from ..settings import Settings
from . import queue
from .registry import JobContext, LeaseLost, PermanentJobError, handler_for

log = logging.getLogger("labelhouse.jobs")


class Runner(Protocol):
    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...

    def notify(self) -> None:
        """A job was committed: look for work now rather than at the next poll."""
        ...


class NullRunner:
    """For a server whose jobs run in separate ``labelhouse worker`` processes (they poll the table)."""

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 10.0) -> None:
        pass

    def notify(self) -> None:
        pass


class ThreadedRunner:
    def __init__(self, settings: Settings, *, concurrency: int = 1, engine: Engine | None = None,
                 poll_interval: float = 0.5, worker_id: str | None = None) -> None:
        self.settings = settings
        self.concurrency = max(1, concurrency)
        self._own_engine = engine is None
        self.engine = engine or engine_for(settings)
        self.sessions: sessionmaker[Session] = make_sessionmaker(self.engine)
        self.poll_interval = poll_interval
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._active: dict[int, JobContext] = {}
        self._active_lock = threading.Lock()
        self._store: Any = None
        self._store_lock = threading.Lock()

    # --- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> None:
        self.reap()  # jobs of a server or worker that died before this one started
        for i in range(self.concurrency):
            self._spawn(self._work_loop, f"lh-job-{i}")
        self._spawn(self._heartbeat_loop, "lh-job-heartbeat")
        self._spawn(self._reaper_loop, "lh-job-reaper")
        log.info("job runner %s started with %d thread(s)", self.worker_id, self.concurrency)

    def _spawn(self, target: Any, name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; interrupt running jobs (they are re-queued at once for another runner)."""
        self._stopping.set()
        self._wake.set()
        with self._active_lock:
            for ctx in self._active.values():
                ctx.cancelled.set()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        if self._own_engine:
            self.engine.dispose()

    def notify(self) -> None:
        self._wake.set()

    @property
    def store(self) -> Any:
        with self._store_lock:
            if self._store is None:
                from ..storage import make_store

                self._store = make_store(self.settings)
            return self._store

    # --- loops --------------------------------------------------------------------------------------------
    def _work_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                ran = self.run_one()
            except Exception:
                log.exception("job loop error")
                ran = False
            if not ran:
                self._wake.wait(self.poll_interval)
                self._wake.clear()

    def _heartbeat_loop(self) -> None:
        while not self._stopping.wait(self.settings.job_heartbeat_seconds):
            with self._active_lock:
                active = list(self._active.values())
            for ctx in active:
                try:
                    with self.sessions() as session:
                        if not queue.heartbeat(session, ctx.job_id, ctx.worker_id, ctx.attempt, ctx.progress):
                            log.warning("job %s: lease lost, stopping it", ctx.job_id)
                            ctx.cancelled.set()
                except Exception:
                    log.exception("heartbeat failed for job %s", ctx.job_id)

    def _reaper_loop(self) -> None:
        interval = max(0.5, min(self.settings.job_stale_seconds / 3, 30.0))
        # Upkeep on this loop, each at its own interval: pruning finished jobs, and (S3) noticing uploads.
        upkeep = [(self.prune, self.settings.job_prune_interval_seconds)]
        if self.settings.storage_backend == "s3":
            upkeep.append((self.mark_uploads, self.settings.asset_check_interval_seconds))
            interval = min(interval, self.settings.asset_check_interval_seconds)
        due = [time.monotonic()] * len(upkeep)  # at start, then every interval
        while not self._stopping.wait(interval):
            try:
                self.reap()
            except Exception:
                log.exception("reaper error")
            for i, (task, every) in enumerate(upkeep):
                if time.monotonic() >= due[i]:
                    due[i] = time.monotonic() + every
                    try:
                        task()
                    except Exception:
                        log.exception("%s error", task.__name__)

    # --- one step of each ---------------------------------------------------------------------------------
    def _any(self, sql: str, params: tuple[Any, ...] = ()) -> bool:
        """A read-only look before taking the write lock: an idle runner must not make SQLite writers queue."""
        with self.sessions() as session:
            session.connection(execution_options=READ_ONLY)
            return bool(run(session, sql, params))

    def reap(self) -> int:
        if not self._any("SELECT 1 FROM jobs WHERE status = 'running' AND heartbeat_at < ? LIMIT 1",
                         (queue.stale_cutoff(self.settings.job_stale_seconds),)):
            return 0
        with self.sessions() as session:
            failed = queue.reap_stale(session, self.settings.job_stale_seconds)
            for _job_id, kind, payload, reason in failed:
                handler = handler_for(kind)
                if handler is not None:
                    handler.on_failed(session, payload, reason)
            session.commit()
        if failed:
            self._wake.set()
        return len(failed)

    def prune(self) -> int:
        """Delete finished jobs past ``job_retention_hours`` (0: keep them), in short batches; returns how many."""
        retention = self.settings.job_retention_hours * 3600
        if retention <= 0:
            return 0
        if not self._any("SELECT 1 FROM jobs WHERE status IN ('succeeded', 'failed') AND finished_at < ? LIMIT 1",
                         (queue.stale_cutoff(retention),)):
            return 0
        total = 0
        while not self._stopping.is_set():
            with self.sessions() as session:
                n = queue.prune_finished(session, retention)
            total += n
            if n < queue.PRUNE_BATCH:
                break
        if total:
            log.info("pruned %d finished job(s) older than %g h", total, self.settings.job_retention_hours)
        return total

    def mark_uploads(self) -> int:
        """S3: record the uploads that arrived in the bucket since the last look (``assets/sweep.py``)."""
        from ..assets.sweep import mark_arrived_uploads

        return mark_arrived_uploads(self.sessions, self.store, READ_ONLY)

    def run_one(self) -> bool:
        """Claim and run one job; False when the queue is empty."""
        if not self._any("SELECT 1 FROM jobs WHERE status = 'queued' LIMIT 1"):
            return False
        with self.sessions() as session:
            job = queue.claim(session, self.worker_id)
        if job is None:
            return False
        ctx = JobContext(job_id=job.id, attempt=job.attempt, worker_id=self.worker_id, settings=self.settings,
                         sessionmaker=self.sessions, store_factory=lambda: self.store)
        with self._active_lock:
            self._active[job.id] = ctx
            if self._stopping.is_set():
                ctx.cancelled.set()
        try:
            self._execute(job, ctx)
        finally:
            with self._active_lock:
                self._active.pop(job.id, None)
        return True

    def _execute(self, job: queue.Claimed, ctx: JobContext) -> None:
        handler = handler_for(job.kind)
        try:
            if handler is None:
                raise PermanentJobError(f"unknown job kind {job.kind!r}")
            result = handler.run(ctx, job.payload)
        except LeaseLost:
            # Stopped by us (shutdown: give the job back now) or reaped (someone else owns it: touch nothing).
            with self.sessions() as session:
                if queue.finish(session, ctx, "queued", error="interrupted by runner shutdown; re-queued"):
                    session.commit()
            return
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            self._record_failure(job, ctx, handler, exc)
            return
        with self.sessions() as session:
            if queue.finish(session, ctx, "succeeded", result=result):
                session.commit()

    def _record_failure(self, job: queue.Claimed, ctx: JobContext, handler: Any, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        permanent = isinstance(exc, PermanentJobError) or job.attempt >= job.max_attempts
        if not isinstance(exc, PermanentJobError):
            log.error("job %s attempt %s failed: %s\n%s", job.id, job.attempt, reason, traceback.format_exc())
        with self.sessions() as session:
            if permanent:
                reason = str(exc) if isinstance(exc, PermanentJobError) else reason
                if queue.finish(session, ctx, "failed", error=reason):
                    if handler is not None:
                        handler.on_failed(session, job.payload, reason)
                    session.commit()
            elif queue.finish(session, ctx, "queued", error=f"attempt {job.attempt} failed: {reason}"):
                session.commit()
                self._wake.set()


def make_app_runner(settings: Settings, engine: Engine) -> Runner:
    """The server's runner: threads in this process (embedded default) or none (jobs run in workers)."""
    if settings.jobs_backend == "inprocess":
        return ThreadedRunner(settings, concurrency=2, engine=engine)
    if settings.jobs_backend == "worker":
        return NullRunner()
    raise ValueError(f"unknown jobs_backend {settings.jobs_backend!r}; use 'inprocess' or 'worker'")
