"""The official SDK's ``upload_asset`` against a real server (local store): the presigned-POST handshake, the
upload, and an unauthenticated GET of the returned URL that gives back the same bytes. Plus the limits."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
from PIL import Image
from segments.exceptions import AuthorizationError, NetworkError

AWS_FIELDS = ["acl", "Content-Type", "key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "policy",
              "x-amz-signature"]


def png_bytes(width: int = 32, height: int = 24, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def test_upload_asset_round_trip(segments_client):
    data = png_bytes()
    asset = segments_client.upload_asset(io.BytesIO(data), filename="photo.png")
    assert asset.filename == "photo.png" and asset.uuid and asset.created_at
    assert list(asset.presignedPostFields.fields) == AWS_FIELDS
    got = httpx.get(asset.url)  # no auth header
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["content-type"] == "image/png"


def test_upload_asset_file_object_and_jpeg(segments_client, tmp_path):
    path = tmp_path / "cat.jpg"
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(path, format="JPEG")
    with open(path, "rb") as fh:
        asset = segments_client.upload_asset(fh, filename="cat.jpg")
    assert asset.url.endswith(".jpg")
    got = httpx.get(asset.url)
    assert got.content == path.read_bytes() and got.headers["content-type"] == "image/jpeg"


def test_disallowed_type_is_refused_clearly(server, user):
    with server.client(user[1]) as c:
        r = c.post("/assets/", json={"filename": "evil.exe"})
        assert r.status_code == 415
        assert r.json()["field"] == "filename" and ".png" in r.json()["detail"]
        assert c.post("/assets/", json={"filename": ""}).status_code == 400
        assert c.post("/assets/", json={}).json()["field"] == "filename"
    assert httpx.post(f"{server.url}/assets/", json={"filename": "a.png"}).status_code == 401


def test_content_must_match_the_type(segments_client):
    with pytest.raises(NetworkError) as exc:
        segments_client.upload_asset(io.BytesIO(b"this is not a png"), filename="fake.png")
    assert "not a valid image/png" in str(exc.value)


def test_forged_or_reused_policy_is_refused(server, user):
    with server.client(user[1]) as c:
        first = c.post("/assets/", json={"filename": "a.png"}).json()["presignedPostFields"]
        second = c.post("/assets/", json={"filename": "b.png"}).json()["presignedPostFields"]
    # The key of one upload with the signature of another: refused, nothing stored.
    forged = {**second["fields"], "key": first["fields"]["key"]}
    r = httpx.post(first["url"], data=forged, files={"file": ("a.png", png_bytes())})
    assert r.status_code == 403 and "do not have permission" in r.json()["detail"]
    tampered = {**first["fields"], "x-amz-signature": "0" * 64}
    assert httpx.post(first["url"], data=tampered, files={"file": ("a.png", png_bytes())}).status_code == 403
    url = f"{server.url}/files/{first['fields']['key']}"
    assert httpx.get(url).status_code == 404


def test_size_limit(tmp_path_factory):
    """A server with a 1 KiB limit refuses a larger upload with 413 and keeps nothing."""
    from support import live_server

    with live_server("sqlite", tmp_path_factory.mktemp("small"),
                     env={"LABELHOUSE_MAX_UPLOAD_BYTES": "1024"}) as srv:
        _, key = srv.create_user()
        client = srv.segments(key)
        big = png_bytes(200, 200)
        assert len(big) > 1024
        with pytest.raises(NetworkError) as exc:
            client.upload_asset(io.BytesIO(big), filename="big.png")
        assert "1024 bytes" in str(exc.value)
        small = png_bytes(4, 4)
        assert len(small) <= 1024
        asset = client.upload_asset(io.BytesIO(small), filename="small.png")
        assert httpx.get(asset.url).content == small
        client.close()


def test_unauthorised_upload_error_type(server, user):
    """A refused upload maps to the SDK's AuthorizationError (body says 'do not have permission')."""
    from segments import SegmentsClient  # noqa: F401 - the official client is what raises below

    with server.client(user[1]) as c:
        post = c.post("/assets/", json={"filename": "a.png"}).json()["presignedPostFields"]
    fields = {**post["fields"], "policy": post["fields"]["policy"][:-4] + "AAAA"}
    client = server.segments(user[1])
    try:
        with pytest.raises(AuthorizationError):
            client._upload_to_aws(io.BytesIO(png_bytes()), post["url"], fields)
    finally:
        client.close()
