"""Releases with the official SDK against a real server: add_release / get_release until SUCCEEDED, then the
official ``SegmentsDataset`` loads the release file, downloads images and segmentation bitmaps from our server
(or our S3 store), and the official ``export_dataset`` writes coco-instance, coco-panoptic, yolo, semantic and
instance outputs. Two lanes: SQLite + local store, and PostgreSQL + S3 store (moto server started here)."""

from __future__ import annotations

import io
import json
import os
import time
import warnings
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from segments.dataset import SegmentsDataset
from segments.exceptions import AlreadyExistsError, NotFoundError
from segments.utils import bitmap2file, export_dataset
from support import PG_URL_ENV, live_server, unique

CATEGORIES = [
    {"id": 1, "name": "car", "color": [0, 200, 0], "has_instances": True},
    {"id": 2, "name": "road", "color": [128, 128, 128], "has_instances": False},
]
TASK_ATTRIBUTES = {"format_version": "0.1", "categories": CATEGORIES}
W, H = 40, 30


def _lanes() -> list[str]:
    return ["sqlite-local", "postgresql-s3"] if os.environ.get(PG_URL_ENV) else ["sqlite-local"]


@pytest.fixture(scope="module", params=_lanes())
def lane(request, tmp_path_factory):
    backend, store = request.param.split("-")
    env = {"LABELHOUSE_JOB_HEARTBEAT_SECONDS": "0.5"}
    if store == "s3":
        endpoint = request.getfixturevalue("moto_endpoint")
        env.update({"LABELHOUSE_STORAGE_BACKEND": "s3", "LABELHOUSE_S3_ENDPOINT_URL": endpoint,
                    "LABELHOUSE_S3_BUCKET": unique("bucket"), "LABELHOUSE_S3_ACCESS_KEY_ID": "testing",
                    "LABELHOUSE_S3_SECRET_ACCESS_KEY": "testing", "LABELHOUSE_S3_REGION": "us-east-1"})
    with live_server(backend, tmp_path_factory.mktemp(request.param), env=env) as srv:
        srv.store = store
        yield srv


@pytest.fixture
def client(lane):
    _, key = lane.create_user()
    c = lane.segments(key)
    yield c
    c.close()


def wait_release(client, dataset: str, name: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        release = client.get_release(dataset, name)
        if release.status != "PENDING" or time.monotonic() > deadline:
            return release
        time.sleep(0.2)


def image_png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (H, W, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def instance_bitmap(seed: int) -> np.ndarray:
    bitmap = np.zeros((H, W), dtype=np.uint32)
    bitmap[0:10, 0:W] = 1  # road
    bitmap[12:20, 5 + seed:15 + seed] = 2  # car instance
    bitmap[22:28, 20:30] = 3  # another car
    return bitmap


def export(dataset, folder, fmt):
    """The official export; scikit-image/Pillow inside it warn about uint32 -> uint8 casts (SDK behaviour,
    contract §6.3), which must not fail the run."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"(skimage|PIL|segments)\b.*")
        return export_dataset(dataset, folder, fmt)


def _segmentation_dataset(client, name: str, n: int = 3, unlabeled: int = 1):
    ds = client.add_dataset(name, task_type="segmentation-bitmap", task_attributes=TASK_ATTRIBUTES)
    expected = {}
    for i in range(n + unlabeled):
        img = image_png(i)
        asset = client.upload_asset(io.BytesIO(img), filename=f"img{i}.png")
        sample = client.add_sample(ds.full_name, f"sample-{i}.png", {"image": {"url": asset.url}},
                                   metadata={"index": i, "split": "train" if i % 2 == 0 else "val"})
        if i < n:
            bitmap = instance_bitmap(i)
            label_asset = client.upload_asset(bitmap2file(bitmap), filename="label.png")
            client.add_label(sample.uuid, "ground-truth", {
                "format_version": "0.1",
                "annotations": [{"id": 1, "category_id": 2}, {"id": 2, "category_id": 1},
                                {"id": 3, "category_id": 1}],
                "segmentation_bitmap": {"url": label_asset.url},
            }, label_status="LABELED")
        expected[f"sample-{i}.png"] = (img, instance_bitmap(i) if i < n else None)
    return ds, expected


def test_segmentation_release_loads_and_exports(lane, client, tmp_path):
    ds, expected = _segmentation_dataset(client, unique("seg"))
    created = client.add_release(ds.full_name, "v1.0", description="first")
    assert created.status in ("PENDING", "SUCCEEDED") and created.release_type == "JSON"
    release = wait_release(client, ds.full_name, "v1.0")
    assert release.status == "SUCCEEDED", release
    assert release.samples_count == 4 and release.attributes.url
    if lane.store == "s3":  # the release file and the assets live in the S3 bucket, not on our server
        assert release.attributes.url.startswith(lane.env["LABELHOUSE_S3_ENDPOINT_URL"])
        assert all(s["attributes"]["image"]["url"].startswith(lane.env["LABELHOUSE_S3_ENDPOINT_URL"])
                   for s in httpx.get(release.attributes.url).json()["dataset"]["samples"])
    else:
        assert release.attributes.url.startswith(lane.url + "/files/releases/")

    raw = httpx.get(release.attributes.url)  # no auth, like the SDK
    assert raw.status_code == 200
    doc = raw.json()
    assert doc["name"] == "v1.0" and doc["dataset"]["name"] == ds.name and doc["dataset"]["owner"] == ds.owner.username
    assert [s["name"] for s in doc["dataset"]["samples"]] == list(expected)
    assert doc["dataset"]["labelsets"][0]["name"] == "ground-truth"

    dataset = SegmentsDataset(release, segments_dir=str(tmp_path / "segments"))
    assert len(dataset) == 4
    assert [c.name for c in dataset.categories] == ["car", "road"]
    for item in dataset:
        img, bitmap = expected[item["name"]]
        assert np.array_equal(np.array(item["image"]), np.array(Image.open(io.BytesIO(img))))
        if bitmap is None:
            assert item["segmentation_bitmap"] is None
        else:
            assert np.array_equal(np.asarray(item["segmentation_bitmap"]), bitmap)
            assert [a["category_id"] for a in item["annotations"]] == [2, 1, 1]

    labeled = SegmentsDataset(release, filter_by="LABELED", segments_dir=str(tmp_path / "segments"))
    assert len(labeled) == 3
    train = SegmentsDataset(release, filter_by_metadata={"split": "train"}, segments_dir=str(tmp_path / "segments"))
    assert len(train) == 2

    out = tmp_path / "export"
    out.mkdir()
    json_path, _ = export(labeled, str(out), "coco-panoptic")
    panoptic = json.loads(Path(json_path).read_text())
    assert len(panoptic["annotations"]) == 3 and {c["id"] for c in panoptic["categories"]} == {1, 2}
    assert [len(a["segments_info"]) for a in panoptic["annotations"]] == [3, 3, 3]
    json_path, _ = export(labeled, str(out), "coco-instance")
    instance_doc = json.loads(Path(json_path).read_text())
    assert len(instance_doc["images"]) == 3
    assert sorted(a["category_id"] for a in instance_doc["annotations"]) == [1] * 6 + [2] * 3
    export(labeled, str(out), "semantic")
    export(labeled, str(out), "instance")
    semantic = sorted(out.rglob("*_semantic.png"))
    instance = sorted(out.rglob("*_instance.png"))
    assert len(semantic) == 3 and len(instance) == 3
    sem = np.array(Image.open(semantic[0]))
    assert set(np.unique(sem)) == {0, 1, 2}
    assert (sem[0:10] == 2).all()  # road rows carry category id 2


def test_bbox_release_yolo_and_coco_instance(client, tmp_path):
    ds = client.add_dataset(unique("boxes"), task_type="bboxes", task_attributes=TASK_ATTRIBUTES)
    for i in range(3):
        asset = client.upload_asset(io.BytesIO(image_png(10 + i)), filename=f"b{i}.png")
        sample = client.add_sample(ds.full_name, f"box-{i}.png", {"image": {"url": asset.url}})
        client.add_label(sample.uuid, "ground-truth", {"format_version": "0.1", "annotations": [
            {"id": 1, "category_id": 1, "type": "bbox", "points": [[4, 6], [14 + i, 16]]},
            {"id": 2, "category_id": 2, "type": "bbox", "points": [[0, 0], [W, 10]]},
        ]}, label_status="REVIEWED")
    client.add_release(ds.full_name, "v1")
    release = wait_release(client, ds.full_name, "v1")
    assert release.status == "SUCCEEDED" and release.samples_count == 3
    dataset = SegmentsDataset(release, segments_dir=str(tmp_path / "segments"))
    assert len(dataset) == 3 and dataset[0]["image"].size == (W, H)
    out = tmp_path / "export"
    out.mkdir()
    export(dataset, str(out), "yolo")
    txts = sorted(p for p in (tmp_path / "segments").rglob("*.txt"))
    assert len(txts) == 3
    first = txts[0].read_text().split("\n")[0].split()
    assert first[0] == "1"
    xc, yc, bw, bh = map(float, first[1:])
    assert (xc, yc, bw, bh) == pytest.approx(((4 + 14) / 2 / W, (6 + 16) / 2 / H, 10 / W, 10 / H))
    json_path, _ = export(dataset, str(out), "coco-instance")
    coco = json.loads(Path(json_path).read_text())
    assert len(coco["images"]) == 3 and len(coco["annotations"]) == 6
    assert coco["annotations"][0]["bbox"] == [4, 6, 10, 10]


def test_release_is_an_immutable_snapshot(client):
    ds = client.add_dataset(unique("snap"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
    samples = []
    for i in range(3):
        s = client.add_sample(ds.full_name, f"s{i}", {"image": {"url": f"https://example.com/{i}.png"}},
                              metadata={"v": 1})
        client.add_label(s.uuid, "ground-truth", {"format_version": "0.1", "annotations": [
            {"id": 1, "category_id": 1, "type": "bbox", "points": [[0, 0], [1, 1]]}]}, label_status="LABELED")
        samples.append(s)
    client.add_release(ds.full_name, "before-edits")
    # Edits right after creation — whether or not the build has run yet — never reach the release.
    client.update_label(samples[0].uuid, "ground-truth", attributes={"format_version": "0.1", "annotations": []},
                        label_status="REJECTED")
    client.update_sample(samples[1].uuid, metadata={"v": 2})
    client.delete_sample(samples[2].uuid)
    client.add_sample(ds.full_name, "late", {"image": {"url": "https://example.com/late.png"}})
    release = wait_release(client, ds.full_name, "before-edits")
    assert release.status == "SUCCEEDED" and release.samples_count == 3
    doc = httpx.get(release.attributes.url).json()
    by_name = {s["name"]: s for s in doc["dataset"]["samples"]}
    assert sorted(by_name) == ["s0", "s1", "s2"]
    assert by_name["s0"]["labels"]["ground-truth"]["label_status"] == "LABELED"
    assert len(by_name["s0"]["labels"]["ground-truth"]["attributes"]["annotations"]) == 1
    assert by_name["s1"]["metadata"] == {"v": 1}
    # A release made now sees the edits; the first one's file is unchanged.
    client.add_release(ds.full_name, "after-edits")
    after = wait_release(client, ds.full_name, "after-edits")
    names = sorted(s["name"] for s in httpx.get(after.attributes.url).json()["dataset"]["samples"])
    assert names == ["late", "s0", "s1"]
    assert httpx.get(release.attributes.url).json() == doc


def test_list_get_delete_and_errors(lane, client):
    ds = client.add_dataset(unique("rel"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
    client.add_sample(ds.full_name, "one", {"image": {"url": "https://example.com/1.png"}})
    client.add_release(ds.full_name, "a", description="A")
    with pytest.raises(AlreadyExistsError):
        client.add_release(ds.full_name, "a")
    client.add_release(ds.full_name, "b")
    a = wait_release(client, ds.full_name, "a")
    b = wait_release(client, ds.full_name, "b")
    assert a.description == "A" and a.samples_count == 1 and b.status == "SUCCEEDED"
    listed = client.get_releases(ds.full_name)
    assert [r.name for r in listed] == ["b", "a"]
    assert a.attributes.url != b.attributes.url
    client.delete_release(ds.full_name, "a")
    with pytest.raises(NotFoundError):
        client.get_release(ds.full_name, "a")
    with pytest.raises(NotFoundError):
        client.delete_release(ds.full_name, "a")
    assert httpx.get(a.attributes.url).status_code in (403, 404)  # the file went with it
    assert [r.name for r in client.get_releases(ds.full_name)] == ["b"]
    # A release name may be reused after deletion, and a fresh (maybe still pending) release can be deleted.
    client.add_release(ds.full_name, "a")
    client.delete_release(ds.full_name, "a")
    assert [r.name for r in client.get_releases(ds.full_name)] == ["b"]
    with lane.client(lane.create_user()[1]) as stranger:
        assert stranger.get(f"/datasets/{ds.full_name}/releases/").status_code == 404
    with lane.client(lane.create_user()[1]) as c:
        assert c.post(f"/datasets/{ds.full_name}/releases/", json={"name": ""}).status_code == 404


def test_deleting_a_dataset_deletes_its_release_files(lane, client):
    ds = client.add_dataset(unique("gone"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
    client.add_sample(ds.full_name, "one", {"image": {"url": "https://example.com/1.png"}})
    urls = []
    for name in ("v1", "v2"):
        client.add_release(ds.full_name, name)
        release = wait_release(client, ds.full_name, name)
        assert release.status == "SUCCEEDED"
        assert httpx.get(release.attributes.url).status_code == 200
        urls.append(release.attributes.url)
    client.delete_dataset(ds.full_name)
    for url in urls:
        assert httpx.get(url).status_code in (403, 404), url


def test_release_permissions(lane, client):
    """Readers (any collaborator role) list and get releases; creating and deleting needs manager or admin."""
    from segments.exceptions import AuthorizationError

    ds = client.add_dataset(unique("perm"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
    client.add_release(ds.full_name, "v1")
    labeler, labeler_key = lane.create_user()
    manager, manager_key = lane.create_user()
    client.add_dataset_collaborator(ds.full_name, labeler, role="labeler")
    client.add_dataset_collaborator(ds.full_name, manager, role="manager")
    as_labeler = lane.segments(labeler_key)
    as_manager = lane.segments(manager_key)
    try:
        assert [r.name for r in as_labeler.get_releases(ds.full_name)] == ["v1"]
        assert as_labeler.get_release(ds.full_name, "v1").name == "v1"
        with pytest.raises(AuthorizationError):
            as_labeler.add_release(ds.full_name, "v2")
        with pytest.raises(AuthorizationError):
            as_labeler.delete_release(ds.full_name, "v1")
        as_manager.add_release(ds.full_name, "v2")
        assert wait_release(as_manager, ds.full_name, "v2").status == "SUCCEEDED"
        as_manager.delete_release(ds.full_name, "v2")
    finally:
        as_labeler.close()
        as_manager.close()


def test_bad_release_bodies(lane):
    _, key = lane.create_user()
    with lane.client(key) as c:
        c.post("/user/datasets/", json={"name": "bodies", "task_type": "vector",
                                        "task_attributes": TASK_ATTRIBUTES}).raise_for_status()
        owner = c.get("/user").json()["username"]
        path = f"/datasets/{owner}/bodies/releases/"
        for body, field in (({}, "name"), ({"name": ""}, "name"), ({"name": 5}, "name"),
                            ({"name": "x", "description": 3}, "description"), ([], "body")):
            r = c.post(path, json=body)
            assert r.status_code == 400 and r.json()["field"] == field, (body, r.text)


def test_upload_asset_bytes_round_trip(lane, client):
    """upload_asset in each lane (local: our /uploads/ target; S3: a real presigned POST), then an anonymous GET
    of the returned URL gives back the same bytes."""
    data = image_png(99)
    asset = client.upload_asset(io.BytesIO(data), filename="round.png")
    got = httpx.get(asset.url)
    assert got.status_code == 200 and got.content == data
    if lane.store == "s3":
        assert asset.presignedPostFields.url.startswith(lane.env["LABELHOUSE_S3_ENDPOINT_URL"])
        assert asset.presignedPostFields.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
