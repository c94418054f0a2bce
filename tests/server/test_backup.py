"""``labelhouse backup`` while a writer keeps writing labels, ``labelhouse restore`` into a new data directory
(and, on PostgreSQL, a new database), then a server on the copy: every label committed before the backup began
is there, with its history, and the stored files came along."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import httpx
import pytest
from support import LiveServer, backends, fresh_database, live_server, unique

TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}
N_SAMPLES = 3000


def _label(i: int) -> dict:
    return {"label_status": "LABELED", "score": float(i), "attributes": {"format_version": "0.1", "annotations": [
        {"id": 1, "category_id": 1, "type": "bbox", "points": [[0, 0], [i % 50 + 1, 1]]}]}}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labelhouse_server.cli", *args], check=False, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("backend", backends())
def test_backup_while_writing_then_restore_and_serve(backend, tmp_path):
    (tmp_path / "live").mkdir()
    with live_server(backend, tmp_path / "live") as srv:
        _, key = srv.create_user()
        with srv.client(key) as http:
            ds = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": "bboxes",
                                                   "task_attributes": TASK}).json()["full_name"]
            r = http.post(f"/datasets/{ds}/samples_bulk/", json=[
                {"name": f"s{i:05d}", "attributes": {"image": {"url": "https://example.com/x.png"}}}
                for i in range(N_SAMPLES)])
            uuids = [s["uuid"] for s in r.json()]
            asset = http.post("/assets/", json={"filename": "note.txt"}).json()
            fields = asset["presignedPostFields"]
            up = httpx.post(fields["url"], data=fields["fields"], files={"file": ("note.txt", b"kept")})
            assert up.status_code in (200, 201, 204), up.text

        acked: list[int] = []
        stop = threading.Event()

        def writer() -> None:
            with srv.client(key) as w:
                for i, uuid in enumerate(uuids):
                    if stop.is_set():
                        return
                    assert w.put(f"/labels/{uuid}/ground-truth/", json=_label(i)).status_code == 201
                    if i % 3 == 0:  # some labels get a second revision
                        assert w.patch(f"/labels/{uuid}/ground-truth/", json={"label_status": "REVIEWED"}
                                       ).status_code == 200
                    acked.append(i)

        thread = threading.Thread(target=writer)
        thread.start()
        while len(acked) < 100:
            time.sleep(0.01)
        committed_before = list(acked)
        done = _cli("backup", str(tmp_path / "backup"), "--data-dir", str(srv.data_dir),
                    "--database-url", srv.database_url)
        during = len(acked) - len(committed_before)
        stop.set()
        thread.join(60)
        assert done.returncode == 0, done.stderr
        assert during > 0, "the writer should have kept writing while the backup ran"

    with fresh_database(backend, tmp_path / "restored-db") if backend == "postgresql" else _nothing() as new_url:
        new_dir = tmp_path / "restored"
        args = ["restore", str(tmp_path / "backup"), "--data-dir", str(new_dir)]
        if new_url:
            args += ["--database-url", new_url]
        done = _cli(*args)
        assert done.returncode == 0, done.stderr
        copy = LiveServer(backend=backend, database_url=new_url or f"sqlite:///{new_dir / 'labelhouse.sqlite3'}",
                          data_dir=new_dir)
        copy.env["LABELHOUSE_PUBLIC_URL"] = copy.url
        copy.start()
        try:
            with copy.client(key) as http:
                for i in committed_before:
                    label = http.get(f"/labels/{uuids[i]}/ground-truth/")
                    assert label.status_code == 200, (i, label.text)
                    assert label.json()["score"] == float(i)
                    history = http.get(f"/labels/{uuids[i]}/ground-truth/history/").json()
                    assert history[0]["label_status"] == label.json()["label_status"]
                    assert history[0]["attributes"] == label.json()["attributes"]
                    assert [h["revision"] for h in history] == list(range(len(history), 0, -1))
                    assert len(history) == (2 if i % 3 == 0 else 1)
                assert (new_dir / "objects").exists() and any(p.read_bytes() == b"kept" for p in
                                                               (new_dir / "objects").rglob("*") if p.is_file())
        finally:
            copy.stop()


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_restore_refuses_what_it_cannot_do(tmp_path):
    done = _cli("restore", str(tmp_path), "--data-dir", str(tmp_path / "new"))
    assert done.returncode == 1 and "not a labelhouse backup" in done.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    done = _cli("backup", str(tmp_path / "full"), "--data-dir", str(tmp_path / "nothing"))
    assert done.returncode == 1 and "not empty" in done.stderr
