"""SIGKILL the server in the middle of a bulk import and of a burst of label writes (SQLite and PostgreSQL),
restart it on the same data: every acknowledged write is there, nothing half-written is visible, and label
history matches the labels exactly (the release-build case: tests/server/releases/test_restart.py)."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import orjson
import pytest
from sqlalchemy import create_engine, text
from support import backends, live_server, unique

TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}
IMAGE = {"image": {"url": "https://example.com/x.png"}}
BULK = 5000


def _kill(srv) -> None:
    os.killpg(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait(10)


def _dataset(http) -> str:
    r = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "bboxes", "task_attributes": TASK})
    assert r.status_code == 201, r.text
    return r.json()["full_name"]


@pytest.mark.parametrize("backend", backends())
def test_killed_mid_bulk_import(backend, tmp_path):
    with live_server(backend, tmp_path) as srv:
        _, key = srv.create_user()
        with srv.client(key) as http:
            ds = _dataset(http)
        acked: list[int] = []
        errors: list[Exception] = []

        def importer() -> None:
            with srv.client(key) as http:
                for batch in range(1000):
                    try:
                        r = http.post(f"/datasets/{ds}/samples_bulk/", json=[
                            {"name": f"b{batch:04d}-{i:05d}", "attributes": IMAGE} for i in range(BULK)])
                    except httpx.HTTPError as exc:  # the kill
                        errors.append(exc)
                        return
                    assert r.status_code == 201
                    acked.append(batch)

        thread = threading.Thread(target=importer)
        thread.start()
        deadline = time.monotonic() + 120
        while len(acked) < 2:
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.01)
        time.sleep(0.15)  # into the next request
        _kill(srv)
        thread.join(30)
        assert errors, "the kill should have interrupted an import"
        srv.start()
        with srv.client(key) as http:
            names = [s["name"] for s in http.get(f"/datasets/{ds}/samples/", params={"per_page": 1000}).json()]
            total = len(names)
            page = 2
            while True:
                more = http.get(f"/datasets/{ds}/samples/", params={"per_page": 1000, "page": page}).json()
                if not more:
                    break
                total += len(more)
                names += [s["name"] for s in more]
                page += 1
        batches = {n.split("-")[0] for n in names}
        # every acknowledged request is there, at most one more (committed just before the kill), all or nothing
        assert {f"b{b:04d}" for b in acked} <= batches and len(batches) <= len(acked) + 1
        assert total == len(batches) * BULK


def _state(revision_or_label: dict) -> tuple:
    return (revision_or_label["label_status"], revision_or_label["score"],
            orjson.dumps(revision_or_label["attributes"]))


@pytest.mark.parametrize("backend", backends())
def test_killed_mid_label_writes_history_matches_labels(backend, tmp_path):
    with live_server(backend, tmp_path) as srv:
        _, key = srv.create_user()
        with srv.client(key) as http:
            ds = _dataset(http)
            uuids = [s["uuid"] for s in http.post(f"/datasets/{ds}/samples_bulk/", json=[
                {"name": f"s{i:03d}", "attributes": IMAGE} for i in range(40)]).json()]
        # each writer owns 10 samples: the acknowledged writes of a sample are in a known order
        acked: dict[str, list[tuple]] = {u: [] for u in uuids}

        def writer(mine: list[str]) -> None:
            with srv.client(key) as http:
                for step in range(10_000):
                    uuid = mine[step % len(mine)]
                    url = f"/labels/{uuid}/ground-truth/"
                    try:
                        if step % 7 == 6:
                            r = http.delete(url)
                            if r.status_code == 204:
                                acked[uuid].append(("deleted",))
                            continue
                        body = {"label_status": "LABELED", "score": float(step), "attributes": {
                            "format_version": "0.1", "annotations": [
                                {"id": 1, "category_id": 1, "type": "bbox", "points": [[0, 0], [step % 90 + 1, 2]]}]}}
                        r = http.put(url, json=body)
                    except httpx.HTTPError:
                        return
                    assert r.status_code in (200, 201), r.text
                    acked[uuid].append(_state(body))

        threads = [threading.Thread(target=writer, args=(uuids[i::4],)) for i in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while sum(map(len, acked.values())) < 300:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        _kill(srv)
        for t in threads:
            t.join(30)
        srv.start()
        with srv.client(key) as http:
            for uuid in uuids:
                history = http.get(f"/labels/{uuid}/ground-truth/history/", params={"per_page": 1000})
                if not acked[uuid]:
                    continue
                revisions = history.json()[::-1]  # oldest first
                assert [r["revision"] for r in revisions] == list(range(1, len(revisions) + 1))
                # every acknowledged write is there, in order; at most one more (in flight, committed)
                assert len(acked[uuid]) <= len(revisions) <= len(acked[uuid]) + 1
                for want, got in zip(acked[uuid], revisions):
                    assert want == (("deleted",) if got["action"] == "deleted" else _state(got))
                label = http.get(f"/labels/{uuid}/ground-truth/")
                if revisions[-1]["action"] == "deleted":
                    assert label.status_code == 404
                else:
                    assert label.status_code == 200 and _state(label.json()) == _state(revisions[-1])
        # and across the whole database: each label equals its latest revision, each latest deletion has no label
        engine = create_engine(srv.database_url)
        try:
            with engine.connect() as conn:
                mismatched = conn.execute(text(
                    "SELECT count(*) FROM label_revisions r LEFT JOIN labels l ON l.sample_id = r.sample_id "
                    "AND l.labelset_id = r.labelset_id LEFT JOIN label_contents c ON c.dataset_id = r.dataset_id "
                    "AND c.hash = r.attributes_hash WHERE r.revision = (SELECT max(revision) FROM label_revisions x "
                    "WHERE x.sample_id = r.sample_id AND x.labelset_id = r.labelset_id) AND NOT ("
                    "(r.action = 'deleted' AND l.id IS NULL) OR (r.action <> 'deleted' AND l.id IS NOT NULL AND "
                    "l.label_status = r.label_status AND l.attributes = c.attributes AND "
                    "COALESCE(l.score, -1) = COALESCE(r.score, -1)))")).scalar()
                unrecorded = conn.execute(text(
                    "SELECT count(*) FROM labels l WHERE NOT EXISTS (SELECT 1 FROM label_revisions r "
                    "WHERE r.sample_id = l.sample_id AND r.labelset_id = l.labelset_id)")).scalar()
        finally:
            engine.dispose()
        assert (mismatched, unrecorded) == (0, 0)
