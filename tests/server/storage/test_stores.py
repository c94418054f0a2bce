"""Both object stores behind the one protocol: the local folder, and S3 against a real S3-compatible endpoint
(moto in server mode, started here on a free port)."""

from __future__ import annotations

import io
import os

import httpx
import pytest
from labelhouse_server.settings import Settings
from labelhouse_server.storage import ObjectStore, StoreError, make_store, validate_key
from support import unique


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> ObjectStore:
    if request.param == "local":
        return make_store(Settings(data_dir=tmp_path, public_url="http://files.example"))
    endpoint = request.getfixturevalue("moto_endpoint")
    return make_store(Settings(data_dir=tmp_path, storage_backend="s3", s3_endpoint_url=endpoint,
                               s3_bucket=unique("bucket"), s3_access_key_id="testing",
                               s3_secret_access_key="testing"))


def test_put_get_size_delete(store):
    assert isinstance(store, ObjectStore)
    assert store.put("a/b/one.json", iter([b'{"x":', b" 1}"])) == 8
    assert store.get("a/b/one.json") == b'{"x": 1}'
    assert store.exists("a/b/one.json") and store.size("a/b/one.json") == 8
    with store.open("a/b/one.json") as fh:
        assert fh.read() == b'{"x": 1}'
    store.put("a/b/one.json", io.BytesIO(b"replaced"))  # overwrite
    assert store.get("a/b/one.json") == b"replaced"
    store.delete("a/b/one.json")
    store.delete("a/b/one.json")  # absent is fine
    assert not store.exists("a/b/one.json") and store.size("a/b/one.json") is None
    with pytest.raises(StoreError):
        store.get("a/b/one.json")


def test_put_streams_large_files_from_disk(store, tmp_path):
    path = tmp_path / "big.bin"
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as fh:
        fh.writelines(block for _ in range(12))  # 12 MB: above boto3's 8 MB multipart threshold
    assert store.put("big/file.bin", path) == 12 * 1024 * 1024
    assert store.size("big/file.bin") == 12 * 1024 * 1024
    with store.open("big/file.bin") as fh:
        assert fh.read(1024 * 1024) == block


def test_failed_put_leaves_nothing(store, tmp_path):
    def broken():
        yield b"partial data"
        raise OSError("disk on fire")

    with pytest.raises(OSError):
        store.put("x/broken.json", broken())
    assert not store.exists("x/broken.json")
    if hasattr(store, "root"):
        assert [p for p in store.root.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/./b", "a/../b", "", "a\\b"])
def test_bad_keys_are_refused(store, key):
    with pytest.raises(StoreError):
        validate_key(key)
    with pytest.raises(StoreError):
        store.put(key, b"")


def test_presigned_post_has_exactly_the_sdk_fields(store):
    post = store.presigned_post("assets/u/x.png", "image/png", 1000)
    assert list(post.fields) == ["acl", "Content-Type", "key", "x-amz-algorithm", "x-amz-credential",
                                 "x-amz-date", "policy", "x-amz-signature"]
    assert post.fields["key"] == "assets/u/x.png" and post.fields["Content-Type"] == "image/png"


def test_s3_presigned_post_upload_and_public_get(moto_endpoint, tmp_path):
    store = make_store(Settings(data_dir=tmp_path, storage_backend="s3", s3_endpoint_url=moto_endpoint,
                                s3_bucket=unique("bucket"), s3_access_key_id="testing",
                                s3_secret_access_key="testing"))
    post = store.presigned_post("assets/u/y.png", "image/png", 1000)
    data = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    r = httpx.post(post.url, data=post.fields, files={"file": ("y.png", data)})  # the SDK's request shape
    assert r.status_code == 204 and r.content == b""
    got = httpx.get(store.public_url("assets/u/y.png"))
    assert got.status_code == 200 and got.content == data


def test_local_post_verification(tmp_path):
    store = make_store(Settings(data_dir=tmp_path, public_url="http://files.example"))
    post = store.presigned_post("assets/u/z.png", "image/png", 10)
    assert post.url == "http://files.example/uploads/"
    assert store.verify_post(post.fields)["max_bytes"] == 10
    for bad in ({**post.fields, "key": "assets/u/other.png"}, {**post.fields, "x-amz-signature": "00"},
                {k: v for k, v in post.fields.items() if k != "policy"}):
        with pytest.raises(StoreError):
            store.verify_post(bad)
    expired = store.presigned_post("assets/u/z.png", "image/png", 10, expires_in=-1)
    with pytest.raises(StoreError, match="expired"):
        store.verify_post(expired.fields)
    # The signing secret survives restarts (a new store object on the same data dir verifies old forms).
    again = make_store(Settings(data_dir=tmp_path, public_url="http://files.example"))
    assert again.verify_post(post.fields)["key"] == "assets/u/z.png"
    assert store.public_url("releases/r/release-1.json") == "http://files.example/files/releases/r/release-1.json"


def test_s3_policy_carries_the_size_limit(moto_endpoint, tmp_path):
    """The signed POST policy limits the size (S3 and MinIO enforce it; moto does not, so we check the policy)."""
    import base64
    import json

    store = make_store(Settings(data_dir=tmp_path, storage_backend="s3", s3_endpoint_url=moto_endpoint,
                                s3_bucket=unique("bucket"), s3_access_key_id="testing",
                                s3_secret_access_key="testing", max_upload_bytes=1234))
    post = store.presigned_post("assets/u/q.png", "image/png", 1234)
    conditions = json.loads(base64.b64decode(post.fields["policy"]))["conditions"]
    assert ["content-length-range", 1, 1234] in conditions
    assert {"Content-Type": "image/png"} in conditions and {"acl": "public-read"} in conditions
