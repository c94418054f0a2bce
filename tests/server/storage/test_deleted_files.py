"""Files of deleted datasets and releases leave the object store (local folder and S3) through a background job
(``storage.delete_files``) enqueued in the deleting transaction, in both database lanes."""

from __future__ import annotations

import time

import boto3
import pytest
from server.jobs.test_worker_kill import TASK_ATTRIBUTES
from sqlalchemy import create_engine, text
from support import backends, live_server, unique


def _lanes() -> list[str]:
    return [f"{b}-{s}" for b in backends() for s in ("local", "s3")]


@pytest.fixture(scope="module", params=_lanes())
def lane(request, tmp_path_factory):
    backend, store = request.param.split("-")
    env: dict[str, str] = {}
    if store == "s3":
        endpoint = request.getfixturevalue("moto_endpoint")
        env = {"LABELHOUSE_STORAGE_BACKEND": "s3", "LABELHOUSE_S3_ENDPOINT_URL": endpoint,
               "LABELHOUSE_S3_BUCKET": unique("bucket"), "LABELHOUSE_S3_ACCESS_KEY_ID": "testing",
               "LABELHOUSE_S3_SECRET_ACCESS_KEY": "testing", "LABELHOUSE_S3_REGION": "us-east-1"}
    with live_server(backend, tmp_path_factory.mktemp(request.param), env=env) as srv:
        srv.store = store
        yield srv


def _stored_keys(srv) -> set[str]:
    if srv.store == "local":
        root = srv.data_dir / "objects"
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                and not p.name.startswith(".")}
    s3 = boto3.client("s3", endpoint_url=srv.env["LABELHOUSE_S3_ENDPOINT_URL"], aws_access_key_id="testing",
                      aws_secret_access_key="testing", region_name="us-east-1")
    listing = s3.list_objects_v2(Bucket=srv.env["LABELHOUSE_S3_BUCKET"])
    return {o["Key"] for o in listing.get("Contents", [])}


def _release_keys(srv) -> set[str]:
    return {k for k in _stored_keys(srv) if k.startswith("releases/")}


def _wait_for(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _built(client, full: str, name: str) -> None:
    _wait_for(lambda: client.get_release(full, name).status == "SUCCEEDED", f"release {name} built")


def test_deleting_a_release_and_a_dataset_removes_their_files(lane):
    srv = lane
    _, key = srv.create_user()
    client = srv.segments(key)
    keep = client.add_dataset(unique("keep"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
    gone = client.add_dataset(unique("gone"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
    for ds in (keep, gone):
        client.add_sample(ds.full_name, "one", {"image": {"url": "https://example.com/1.jpg"}})
    before = _release_keys(srv)
    client.add_release(keep.full_name, "v1")
    _built(client, keep.full_name, "v1")
    kept = _release_keys(srv) - before
    for name in ("v1", "v2", "v3"):
        client.add_release(gone.full_name, name)
        _built(client, gone.full_name, name)
    doomed = _release_keys(srv) - before - kept
    assert len(kept) == 1 and len(doomed) == 3

    client.delete_release(gone.full_name, "v3")
    _wait_for(lambda: len(_release_keys(srv) & doomed) == 2, "the deleted release's file removed")
    client.delete_dataset(gone.full_name)
    _wait_for(lambda: not (_release_keys(srv) & doomed), "the deleted dataset's release files removed")
    assert kept <= _release_keys(srv)  # another dataset's files stay

    engine = create_engine(srv.database_url)
    try:
        with engine.connect() as conn:
            jobs = conn.execute(text("SELECT status, payload FROM jobs WHERE kind = 'storage.delete_files'")).all()
    finally:
        engine.dispose()
    assert [status for status, _ in jobs] == ["succeeded", "succeeded"]
