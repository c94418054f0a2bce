"""Finished job rows are pruned after ``job_retention_hours`` by the job runner, periodically, in both lanes:
queued, running and recent rows stay, and the rows that pointed at a pruned job keep their own state."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from labelhouse_server.db import Account, Dataset, Job, Release
from labelhouse_server.db.engine import make_engine, make_sessionmaker
from labelhouse_server.db.migrate import upgrade
from labelhouse_server.jobs import ThreadedRunner
from labelhouse_server.jobs import queue as job_queue
from labelhouse_server.settings import Settings
from sqlalchemy import select, text
from support import backends, fresh_database


def _ago(hours: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture(params=backends())
def db_url(request, tmp_path):
    with fresh_database(request.param, tmp_path) as url:
        upgrade(url)
        yield url


def _jobs(session, rows: list[tuple[str, float | None]]) -> list[int]:
    ids = []
    for status, finished_hours_ago in rows:
        job = Job(kind="test.none", payload={}, status=status, attempts=1, max_attempts=3,
                  created_at=_ago(1000), finished_at=None if finished_hours_ago is None else _ago(finished_hours_ago))
        session.add(job)
        session.flush()
        ids.append(job.id)
    session.commit()
    return ids


def test_runner_prunes_finished_jobs_past_retention_periodically(db_url, tmp_path):
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        old_ok, old_failed, recent_ok, queued, running = _jobs(session, [
            ("succeeded", 200), ("failed", 169), ("succeeded", 100), ("queued", None), ("running", None)])
        # a release that was built by the old job keeps its row (the foreign key only forgets the job)
        owner = Account(username="u", is_organization=False, is_admin=False, created_at="t")
        session.add(owner)
        session.flush()
        dataset = Dataset(owner_id=owner.id, name="d", task_type="vector", created_at="t", updated_at="t",
                          metadata_={}, options={})
        session.add(dataset)
        session.flush()
        session.add(Release(uuid="r-uuid", dataset_id=dataset.id, name="v1", status="SUCCEEDED", job_id=old_ok,
                            snapshot_at="t", created_at="t"))
        session.commit()
    settings = Settings(database_url=db_url, data_dir=tmp_path, job_stale_seconds=1.5, job_retention_hours=168,
                        job_prune_interval_seconds=0.5)
    runner = ThreadedRunner(settings, engine=engine, poll_interval=0.1)
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with sessions() as session:
                left = set(session.scalars(select(Job.id)))
            if old_ok not in left and old_failed not in left:
                break
            time.sleep(0.2)
        assert left == {recent_ok, queued, running}
        # periodically: a job that finished long ago, added while the runner runs, goes on a later round
        with sessions() as session:
            (late,) = _jobs(session, [("failed", 500)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with sessions() as session:
                if session.get(Job, late) is None:
                    break
            time.sleep(0.2)
        with sessions() as session:
            assert set(session.scalars(select(Job.id))) == {recent_ok, queued, running}
            assert session.execute(text("SELECT status, job_id FROM releases WHERE uuid = 'r-uuid'")).one() == \
                ("SUCCEEDED", None)
    finally:
        runner.stop()
        engine.dispose()


def test_prune_works_in_batches_and_retention_zero_keeps_everything(db_url, tmp_path):
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as session:
            ids = _jobs(session, [("succeeded", 500)] * 25)
        runner = ThreadedRunner(Settings(database_url=db_url, data_dir=tmp_path, job_retention_hours=0),
                                engine=engine)
        assert runner.prune() == 0
        with sessions() as session:
            assert job_queue.prune_finished(session, 3600, batch=10) == 10
            assert job_queue.prune_finished(session, 3600, batch=10) == 10
            assert job_queue.prune_finished(session, 3600, batch=10) == 5
            assert job_queue.prune_finished(session, 3600, batch=10) == 0
            assert session.scalars(select(Job.id).where(Job.id.in_(ids))).all() == []
    finally:
        engine.dispose()
