"""S3 uploads go from the client straight to the bucket; the job runner notices them and records the asset's
``size`` and ``uploaded_at`` (it was never set on S3). An asset whose upload never came stays without one."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import create_engine, text
from support import backends, live_server, unique

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6364f8cf50000003860180e6a6c1f70000000049454e44ae426082")


@pytest.mark.parametrize("backend", backends())
def test_s3_upload_gets_uploaded_at_and_size(backend, tmp_path, moto_endpoint):
    env = {"LABELHOUSE_STORAGE_BACKEND": "s3", "LABELHOUSE_S3_ENDPOINT_URL": moto_endpoint,
           "LABELHOUSE_S3_BUCKET": unique("bucket"), "LABELHOUSE_S3_ACCESS_KEY_ID": "testing",
           "LABELHOUSE_S3_SECRET_ACCESS_KEY": "testing", "LABELHOUSE_S3_REGION": "us-east-1",
           "LABELHOUSE_ASSET_CHECK_INTERVAL_SECONDS": "0.5"}
    with live_server(backend, tmp_path, env=env) as srv:
        _, key = srv.create_user()
        with srv.client(key) as http:
            sent = http.post("/assets/", json={"filename": "a.png"}).json()
            never = http.post("/assets/", json={"filename": "b.png"}).json()
        form = sent["presignedPostFields"]
        r = httpx.post(form["url"], data=form["fields"], files={"file": ("a.png", PNG, "image/png")}, timeout=30)
        assert r.status_code in (200, 204), r.text
        engine = create_engine(srv.database_url)
        try:
            def row(uuid: str):
                with engine.connect() as conn:
                    return conn.execute(text("SELECT uploaded_at, size FROM assets WHERE uuid = :u"),
                                        {"u": uuid}).one()

            deadline = time.monotonic() + 30
            while row(sent["uuid"]).uploaded_at is None:
                assert time.monotonic() < deadline, "uploaded_at never set"
                time.sleep(0.2)
            uploaded_at, size = row(sent["uuid"])
            assert size == len(PNG)
            assert uploaded_at >= sent["created_at"]
            assert tuple(row(never["uuid"])) == (None, None)
        finally:
            engine.dispose()
