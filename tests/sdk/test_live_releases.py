"""Assets and releases through our SDK against a real server: upload, release, wait, load, export."""

from __future__ import annotations

import asyncio
import io
import json

import numpy as np
import pytest
from labelhouse import AsyncSegmentsClient, SegmentsClient
from labelhouse import exceptions as exc
from labelhouse.export import export_dataset
from labelhouse.models import File, Release, ReleaseStatus
from labelhouse.utils import bitmap_to_png
from PIL import Image
from pycocotools.coco import COCO


def png_bytes(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_upload_asset_and_download_it(lh: SegmentsClient) -> None:
    data = png_bytes(8, 6)
    asset = lh.upload_asset(io.BytesIO(data), "tiny.png")
    assert isinstance(asset, File) and asset.filename == "tiny.png" and asset["url"] == asset.url
    assert lh._fetch(asset.url) == data
    assets = lh.upload_assets([(png_bytes(2, 2), "a.png"), (png_bytes(3, 3), "b.png")], progress=True)
    assert [a.filename for a in assets] == ["a.png", "b.png"] and assets[0].url != assets[1].url


def test_release_of_a_segmentation_dataset_exports_to_coco(lh: SegmentsClient, user: tuple[str, str], name: str,
                                                           tmp_path) -> None:
    lh.add_dataset(name, task_type="segmentation-bitmap", task_attributes={"format_version": "0.1", "categories": [
        {"id": 1, "name": "car", "has_instances": True}, {"id": 2, "name": "road", "has_instances": False}]})
    full = f"{user[0]}/{name}"
    bitmaps = {}
    for i in range(3):
        image = lh.upload_asset(png_bytes(32, 24), f"img{i}.png")
        sample = lh.add_sample(full, f"img{i}.png", {"image": {"url": image.url}}, metadata={"i": i})
        bitmap = np.zeros((24, 32), np.uint32)
        bitmap[2:10, 3 + i:12 + i] = 1
        bitmap[15:24, :] = 2
        if i == 2:
            bitmap[2:5, 20:30] = 3
        bitmaps[f"img{i}.png"] = bitmap
        label_png = lh.upload_asset(bitmap_to_png(bitmap), f"label{i}.png")
        annotations = [{"id": 1, "category_id": 1}, {"id": 2, "category_id": 2}] + (
            [{"id": 3, "category_id": 1}] if i == 2 else [])
        lh.add_label(sample.uuid, "ground-truth", {"format_version": "0.1", "annotations": annotations,
                                                   "segmentation_bitmap": {"url": label_png.url}},
                     label_status="LABELED")
    lh.add_sample(full, "unlabeled.png", {"image": {"url": lh.upload_asset(png_bytes(32, 24), "u.png").url}})

    created = lh.add_release(full, "v1", "first")
    assert isinstance(created, Release) and created.name == "v1"
    with pytest.raises(exc.AlreadyExistsError):
        lh.add_release(full, "v1")
    release = lh.wait_for_release(full, "v1", timeout=120, poll_interval=0.2)
    assert release.status == ReleaseStatus.SUCCEEDED and release.attributes.url
    assert release["samples_count"] == 4
    assert [r.name for r in lh.get_releases(full)] == ["v1"]
    assert lh.get_release(full, "v1").uuid == release.uuid

    dataset = lh.load_release(release, progress=True)
    assert len(dataset) == 4 and dataset.dataset_identifier == full
    by_name = {s["name"]: s for s in dataset}
    for sample_name, bitmap in bitmaps.items():
        assert np.array_equal(by_name[sample_name]["segmentation_bitmap"], bitmap)
        assert by_name[sample_name]["image"].size == (32, 24)
    assert by_name["unlabeled.png"]["label_status"] == "UNLABELED"
    assert len(lh.load_release(release, filter_by=["LABELED"], load_images=False)) == 3

    coco = COCO(str(export_dataset(dataset, tmp_path, "coco-instance")))
    assert len(coco.getImgIds()) == 4 and len(coco.getAnnIds()) == 7  # 2 + 2 + 3 instances
    for ann in coco.loadAnns(coco.getAnnIds()):
        image = coco.loadImgs(ann["image_id"])[0]
        assert np.array_equal(coco.annToMask(ann).astype(bool), bitmaps[image["file_name"]] == ann["instance_id"])
    json_path, _ = export_dataset(dataset, tmp_path)
    assert len(json.loads(json_path.read_text())["annotations"]) == 3
    masks = export_dataset(dataset, tmp_path / "masks", "instance")
    for sample_name, bitmap in bitmaps.items():
        decoded = np.asarray(Image.open(masks / f"{sample_name[:-4]}_instance.png")).astype(np.uint32)
        assert np.array_equal(decoded, bitmap)

    lh.delete_release(full, "v1")
    with pytest.raises(exc.NotFoundError):
        lh.get_release(full, "v1")


def test_release_with_async_client(server, user: tuple[str, str], name: str) -> None:
    async def main() -> None:
        async with AsyncSegmentsClient(user[1], api_url=server.url) as client:
            dataset = await client.add_dataset(name, task_type="bboxes")
            await client.add_sample(dataset.full_name, "a.jpg", {"image": {"url": "https://example.com/a.jpg"}})
            await client.add_release(dataset.full_name, "v1")
            release = await client.wait_for_release(dataset.full_name, "v1", timeout=120, poll_interval=0.2)
            loaded = await client.load_release(release, load_images=False)
            assert [s["name"] for s in loaded] == ["a.jpg"]

    asyncio.run(main())
