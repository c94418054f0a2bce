"""SQLite: a release's snapshot is a file of its own, copied from one read transaction (``releases.snapshot``).

Writers are not blocked while a create copies the dataset (the copy is paused half-way and a label write must
complete meanwhile), and the release is still the dataset at the create instant (that write is not in it). The
file goes once the release is built, deleted or failed; a build whose file is missing fails with a reason;
leftovers of a create that never committed are swept."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import pytest
from labelhouse_server.backup import backup, restore
from labelhouse_server.db.engine import make_engine
from labelhouse_server.jobs.runner import ThreadedRunner
from labelhouse_server.releases import snapshot
from labelhouse_server.settings import Settings
from sqlalchemy import create_engine, text
from support import in_process_app, unique

TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}


def _box(x: float) -> dict:
    return {"format_version": "0.1", "annotations": [{"id": 1, "category_id": 1, "type": "bbox",
                                                      "points": [[x, 2], [3, 4]]}]}


def _dataset(http: httpx.Client, n: int) -> tuple[str, list[str]]:
    ds = http.post("/user/datasets/", json={"name": unique("snapfile"), "task_type": "vector",
                                           "task_attributes": TASK}).json()["full_name"]
    uuids = []
    for i in range(n):
        r = http.post(f"/datasets/{ds}/samples/", json={"name": f"s{i}", "attributes": {"image": {"url": "x"}}})
        assert r.status_code == 201, r.text
        uuids.append(r.json()["uuid"])
        r = http.put(f"/labels/{uuids[-1]}/ground-truth/", json={"label_status": "LABELED", "attributes": _box(1)})
        assert r.status_code in (200, 201), r.text
    return ds, uuids


def _wait(http: httpx.Client, ds: str, name: str) -> dict:
    deadline = time.monotonic() + 60
    while (release := http.get(f"/datasets/{ds}/releases/{name}/").json())["status"] == "PENDING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return release


def _folder(app) -> Path:
    engine = create_engine(app.database_url)
    try:
        folder = snapshot.snapshot_dir(engine)
    finally:
        engine.dispose()
    assert folder is not None
    return folder


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    with in_process_app("sqlite", tmp_path_factory.mktemp("snapfile")) as application:
        yield application


def test_a_label_write_completes_while_a_create_copies_and_is_not_in_the_release(sqlite_app, monkeypatch):
    app = sqlite_app
    _, key = app.create_user()
    pinned, go = threading.Event(), threading.Event()

    def pause(_release_uuid: str) -> None:  # in the create's thread, between the samples' and labels' copies
        pinned.set()
        assert go.wait(30)

    monkeypatch.setattr(snapshot, "_copying", pause)
    with app.client(key) as http, app.client(key) as writer:
        ds, uuids = _dataset(http, 3)
        created: list[httpx.Response] = []
        create = threading.Thread(target=lambda: created.append(
            http.post(f"/datasets/{ds}/releases/", json={"name": "v1"})))
        create.start()
        try:
            assert pinned.wait(30), "the create never reached its copy"
            t = time.monotonic()
            r = writer.put(f"/labels/{uuids[0]}/ground-truth/", json={"label_status": "REVIEWED",
                                                                      "attributes": _box(9)})
            took = time.monotonic() - t
            assert r.status_code in (200, 201), r.text
            assert took < 5, f"a label write waited {took:.1f}s for the create"
            assert create.is_alive()  # the create was still copying while the write went through
        finally:
            go.set()
            create.join(60)
        assert created[0].status_code == 201, created[0].text
        assert created[0].json()["samples_count"] == 3
        release = _wait(http, ds, "v1")
        assert release["status"] == "SUCCEEDED"
        doc = http.get("/files/" + release["attributes"]["url"].split("/files/", 1)[1]).json()
        first = next(s for s in doc["dataset"]["samples"] if s["uuid"] == uuids[0])["labels"]["ground-truth"]
        assert first["label_status"] == "LABELED" and first["attributes"] == _box(1)  # the create instant
        assert http.get(f"/labels/{uuids[0]}/ground-truth/").json()["label_status"] == "REVIEWED"
        # built: the file is gone, and nothing went into the snapshot tables
        assert list(_folder(app).iterdir()) == []
        engine = create_engine(app.database_url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM release_samples")).scalar() == 0
        finally:
            engine.dispose()


def test_a_missing_snapshot_file_fails_the_release_with_a_reason(tmp_path):
    with in_process_app("sqlite", tmp_path, jobs_backend="worker") as app:  # no runner: the test runs the job
        _, key = app.create_user()
        with app.client(key) as http:
            ds, _ = _dataset(http, 2)
            r = http.post(f"/datasets/{ds}/releases/", json={"name": "lost"})
            assert r.status_code == 201, r.text
            files = list(_folder(app).iterdir())
            assert [p.name for p in files] == [f"{r.json()['uuid']}.sqlite3"]
            assert oct(files[0].stat().st_mode & 0o777) == "0o600"
            files[0].unlink()  # e.g. a data directory restored from a backup taken while it was PENDING
            engine = make_engine(app.database_url)
            try:
                assert ThreadedRunner(app.settings, engine=engine).run_one()
            finally:
                engine.dispose()
            release = http.get(f"/datasets/{ds}/releases/lost/").json()
            assert release["status"] == "FAILED"
            assert "snapshot file" in release["status_info"] and "create the release again" in release["status_info"]

            # deleting a PENDING release removes its file at once
            assert http.post(f"/datasets/{ds}/releases/", json={"name": "dropped"}).status_code == 201
            assert len(list(_folder(app).iterdir())) == 1
            assert http.delete(f"/datasets/{ds}/releases/dropped/").status_code == 204
            assert list(_folder(app).iterdir()) == []

            # a backup taken while a release is PENDING carries its snapshot: it builds after a restore
            assert http.post(f"/datasets/{ds}/releases/", json={"name": "carried"}).status_code == 201
            backup(app.settings, tmp_path / "backup")
            restored = tmp_path / "restored"
            restore(tmp_path / "backup", restored)
        settings = Settings(data_dir=restored, public_url=app.url, bootstrap_admin=False)
        engine = make_engine(settings.resolved_database_url())
        try:
            assert len(list(snapshot.snapshot_dir(engine).iterdir())) == 1
            runner = ThreadedRunner(settings, engine=engine)
            while runner.run_one():  # "dropped" (skipped: deleted), then "carried"
                pass
            with engine.connect() as conn:
                assert conn.execute(text("SELECT status, samples_count FROM releases WHERE name = 'carried'")
                                    ).one() == ("SUCCEEDED", 2)
            assert list(snapshot.snapshot_dir(engine).iterdir()) == []
        finally:
            engine.dispose()


def test_leftovers_of_a_create_that_never_committed_are_swept(sqlite_app):
    app = sqlite_app
    folder = _folder(app)
    folder.mkdir(exist_ok=True)
    old = time.time() - snapshot.ORPHAN_AGE_SECONDS - 60
    stale_partial = folder / "00000000-0000-0000-0000-000000000001.sqlite3.partial"
    stale_file = folder / "00000000-0000-0000-0000-000000000002.sqlite3"
    young = folder / "00000000-0000-0000-0000-000000000003.sqlite3.partial"  # a create still copying
    for path in (stale_partial, stale_file, young):
        path.write_bytes(b"")
    os.utime(stale_partial, (old, old))
    os.utime(stale_file, (old, old))
    snapshot.sweep_files(app.app.state.sessionmaker, folder)
    assert sorted(p.name for p in folder.iterdir()) == [young.name]
    young.unlink()
