"""The snapshot tables (PostgreSQL; SQLite keeps a file: ``test_snapshot_file.py``) have no foreign key to
``releases`` (migration 0012): deleting a release, or its dataset, while it is PENDING deletes its snapshot rows
explicitly, and a build of a release deleted meanwhile removes any left."""

from __future__ import annotations

import pytest
from labelhouse_server.db.engine import make_engine
from labelhouse_server.jobs.runner import ThreadedRunner
from sqlalchemy import create_engine, text
from support import backends, in_process_app, unique

TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}


def _rows(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return sum(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("release_samples",
                                                                                          "release_labels"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_deleting_a_pending_release_or_its_dataset_deletes_its_snapshot_rows(backend, tmp_path):
    with in_process_app(backend, tmp_path, jobs_backend="worker") as app:  # no runner: releases stay PENDING
        _, key = app.create_user()
        with app.client(key) as http:
            ds = http.post("/user/datasets/", json={"name": unique("rows"), "task_type": "vector",
                                                   "task_attributes": TASK}).json()["full_name"]
            for i in range(3):
                uuid = http.post(f"/datasets/{ds}/samples/", json={"name": f"s{i}", "attributes": {
                    "image": {"url": "x"}}}).json()["uuid"]
                assert http.put(f"/labels/{uuid}/ground-truth/", json={
                    "label_status": "LABELED", "attributes": {"format_version": "0.1", "annotations": []}
                }).status_code in (200, 201)
            tables = backend == "postgresql"
            for name in ("a", "b"):
                assert http.post(f"/datasets/{ds}/releases/", json={"name": name}).status_code == 201
            assert _rows(app.database_url) == (12 if tables else 0)
            assert http.delete(f"/datasets/{ds}/releases/a/").status_code == 204
            assert _rows(app.database_url) == (6 if tables else 0)
            assert http.delete(f"/datasets/{ds}/").status_code in (200, 204)
            assert _rows(app.database_url) == 0
            # the builds of both find their release gone (and nothing left to remove)
            engine = make_engine(app.database_url)
            try:
                runner = ThreadedRunner(app.settings, engine=engine)
                while runner.run_one():
                    pass
                with engine.connect() as conn:
                    results = conn.execute(text("SELECT result FROM jobs WHERE kind = 'release.build'")).scalars()
                    assert sorted(results) == ['{"skipped":"release was deleted"}'] * 2
            finally:
                engine.dispose()
