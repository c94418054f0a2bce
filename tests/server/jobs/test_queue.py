"""The job queue on a real database: claims are exclusive (two runners never run a job twice), jobs become
visible only when their row commits, dead workers' jobs are re-queued or failed with a reason, and a worker that
lost its job can no longer complete it."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from labelhouse_server.db import Job
from labelhouse_server.db.engine import READ_ONLY, make_engine, make_sessionmaker
from labelhouse_server.jobs import PermanentJobError, ThreadedRunner, enqueue, queue, register
from labelhouse_server.jobs.registry import JobContext
from labelhouse_server.settings import Settings
from sqlalchemy import select, text
from support import backends, fresh_database

RUNS: list[tuple[int, str]] = []
RUNS_LOCK = threading.Lock()
FAILED: list[tuple[dict, str]] = []


@register("test.record")
class Record:
    def run(self, ctx: JobContext, payload: dict) -> dict:
        with RUNS_LOCK:
            RUNS.append((ctx.job_id, ctx.worker_id))
        time.sleep(payload.get("sleep", 0.0))
        return {"n": payload.get("n")}

    def on_failed(self, session, payload, reason) -> None:
        FAILED.append((payload, reason))


@register("test.flaky")
class Flaky:
    def run(self, ctx: JobContext, payload: dict) -> None:
        if payload.get("permanent"):
            raise PermanentJobError("the input is unusable")
        raise RuntimeError(f"boom on attempt {ctx.attempt}")

    def on_failed(self, session, payload, reason) -> None:
        FAILED.append((payload, reason))


@pytest.fixture(params=backends())
def db_url(request, tmp_path):
    """A fresh, migrated database per test (SQLite file; PostgreSQL too when configured)."""
    from labelhouse_server.db.migrate import upgrade

    with fresh_database(request.param, tmp_path) as url:
        upgrade(url)
        yield url


def _settings(url: str, tmp: Path, **kw) -> Settings:
    return Settings(database_url=url, data_dir=tmp, job_heartbeat_seconds=0.2, job_stale_seconds=1.0, **kw)


@pytest.fixture
def sessions(db_url):
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _add_jobs(sessions, kind: str, payloads: list[dict], max_attempts: int = 3) -> list[int]:
    with sessions() as s:
        ids = [enqueue(s, kind, p, max_attempts=max_attempts).id for p in payloads]
        s.commit()
    return ids


def _wait(sessions, ids: list[int], timeout: float = 60.0) -> list[Job]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sessions() as s:
            jobs = list(s.scalars(select(Job).where(Job.id.in_(ids)).order_by(Job.id)))
        if all(j.status in ("succeeded", "failed") for j in jobs):
            return jobs
        time.sleep(0.05)
    raise AssertionError(f"jobs not finished: {[(j.id, j.status) for j in jobs]}")


def test_two_runners_never_run_a_job_twice(db_url, sessions, tmp_path):
    RUNS.clear()
    ids = _add_jobs(sessions, "test.record", [{"n": i, "sleep": 0.01} for i in range(80)])
    runners = [ThreadedRunner(_settings(db_url, tmp_path), concurrency=4, poll_interval=0.05) for _ in range(2)]
    for r in runners:
        r.start()
    try:
        jobs = _wait(sessions, ids)
    finally:
        for r in runners:
            r.stop()
    counts = Counter(job_id for job_id, _ in RUNS if job_id in ids)
    assert sorted(counts) == ids and set(counts.values()) == {1}
    assert all(j.status == "succeeded" and j.attempts == 1 and j.result == {"n": j.payload["n"]} for j in jobs)
    # both runners took part (the claim is shared, not a per-runner partition)
    assert len({w for job_id, w in RUNS if job_id in ids}) == 2


def test_job_is_invisible_until_its_row_commits(sessions):
    notified = []
    with sessions() as s:
        job = enqueue(s, "test.record", {"n": 1}, on_commit=lambda: notified.append(True))
        s.flush()
        with sessions() as other:  # uncommitted: no runner can see it (on SQLite a claim would wait for the lock)
            other.connection(execution_options=READ_ONLY)
            assert other.execute(text("SELECT count(*) FROM jobs WHERE status = 'queued'")).scalar_one() == 0
            if other.bind.dialect.name == "postgresql":
                assert queue.claim(other, "w-early") is None
        assert notified == []
        s.commit()
    assert notified == [True]
    with sessions() as other:
        claimed = queue.claim(other, "w-late")
    assert claimed is not None and claimed.id == job.id and claimed.attempt == 1


def _age_heartbeat(sessions, job_id: int, seconds: float = 3600) -> None:
    with sessions() as s:
        s.execute(text("UPDATE jobs SET heartbeat_at = '2000-01-01T00:00:00.000000Z' WHERE id = :id"), {"id": job_id})
        s.commit()


def test_reaper_requeues_then_fails_with_reason(sessions):
    FAILED.clear()
    [job_id] = _add_jobs(sessions, "test.record", [{"n": 7}], max_attempts=2)
    for attempt in (1, 2):
        with sessions() as s:
            claimed = queue.claim(s, f"dead-{attempt}")
        assert claimed.attempt == attempt
        _age_heartbeat(sessions, job_id)
        with sessions() as s:
            failed = queue.reap_stale(s, 30)
            s.commit()
            job = s.get(Job, job_id)
        if attempt == 1:
            assert failed == [] and job.status == "queued" and "dead-1" in job.error
        else:
            assert [f[0] for f in failed] == [job_id] and job.status == "failed"
            assert "dead-2" in job.error and "attempt 2 of 2" in job.error


def test_runner_reaps_and_notifies_handler(db_url, sessions, tmp_path):
    FAILED.clear()
    [job_id] = _add_jobs(sessions, "test.record", [{"n": 9}], max_attempts=1)
    with sessions() as s:
        queue.claim(s, "a-worker-that-died")
    _age_heartbeat(sessions, job_id)
    runner = ThreadedRunner(_settings(db_url, tmp_path), concurrency=1, poll_interval=0.05)
    runner.start()  # reaps at start-up
    runner.stop()
    [job] = _wait(sessions, [job_id], timeout=5)
    assert job.status == "failed" and "a-worker-that-died" in job.error
    assert FAILED == [({"n": 9}, job.error)]


def test_lost_job_cannot_be_completed_by_its_old_worker(sessions):
    [job_id] = _add_jobs(sessions, "test.record", [{}])
    with sessions() as s:
        first = queue.claim(s, "slow")
    _age_heartbeat(sessions, job_id)
    with sessions() as s:
        queue.reap_stale(s, 30)
        s.commit()
    with sessions() as s:
        second = queue.claim(s, "fresh")
    assert second.attempt == 2
    old = JobContext(job_id=job_id, attempt=first.attempt, worker_id="slow", settings=None,  # type: ignore[arg-type]
                     sessionmaker=sessions, store_factory=lambda: None)
    with sessions() as s:
        assert queue.heartbeat(s, job_id, "slow", first.attempt) is False
        assert queue.finish(s, old, "succeeded", result={"stale": True}) is False
        s.commit()
        assert queue.heartbeat(s, job_id, "fresh", 2) is True
        job = s.get(Job, job_id)
        assert job.status == "running" and job.worker_id == "fresh"


def test_failures_retry_then_fail_and_permanent_errors_fail_at_once(db_url, sessions, tmp_path):
    FAILED.clear()
    flaky, permanent = _add_jobs(sessions, "test.flaky", [{"permanent": False}, {"permanent": True}],
                                 max_attempts=3)
    runner = ThreadedRunner(_settings(db_url, tmp_path), concurrency=2, poll_interval=0.05)
    runner.start()
    try:
        jobs = _wait(sessions, [flaky, permanent])
    finally:
        runner.stop()
    by_id = {j.id: j for j in jobs}
    assert by_id[flaky].status == "failed" and by_id[flaky].attempts == 3
    assert "boom on attempt 3" in by_id[flaky].error
    assert by_id[permanent].status == "failed" and by_id[permanent].attempts == 1
    assert by_id[permanent].error == "the input is unusable"
    assert sorted(reason for _, reason in FAILED) == sorted([by_id[flaky].error, "the input is unusable"])


def test_unknown_kind_fails_with_reason(db_url, sessions, tmp_path):
    [job_id] = _add_jobs(sessions, "no.such.kind", [{}])
    runner = ThreadedRunner(_settings(db_url, tmp_path), concurrency=1, poll_interval=0.05)
    runner.start()
    try:
        [job] = _wait(sessions, [job_id])
    finally:
        runner.stop()
    assert job.status == "failed" and "unknown job kind" in job.error
