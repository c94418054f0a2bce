"""Release loader and exports on release files we build here, validated with pycocotools and by decoding masks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from labelhouse import ReleaseDataset
from labelhouse.export import export_dataset
from labelhouse.export._rle import encode
from labelhouse.utils import bitmap_to_png, png_to_bitmap
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

H, W = 40, 60


def _png(path: Path, array: np.ndarray) -> str:
    Image.fromarray(array).save(path)
    return path.as_uri()


def segmentation_release(tmp: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Two labelled samples and one unlabeled; category 1 'car' (thing), 2 'road' (stuff), instance 300 > 255."""
    bitmaps = {}
    a = np.zeros((H, W), np.uint32)
    a[5:15, 5:20] = 1          # car
    a[20:30, 30:50] = 2        # car
    a[35:40, :] = 3            # road, part 1
    a[0:3, 40:60] = 4          # road, part 2 (stuff: merged into one panoptic segment)
    b = np.zeros((H, W), np.uint32)
    b[10:20, 10:12] = 300      # car with a 16-bit id
    bitmaps["a.jpg"], bitmaps["b.jpg"] = a, b
    samples = []
    for name, bitmap, anns in [
        ("a.jpg", a, [{"id": 1, "category_id": 1}, {"id": 2, "category_id": 1}, {"id": 3, "category_id": 2},
                      {"id": 4, "category_id": 2}, {"id": 9, "category_id": 1}]),  # 9: listed but no pixels
        ("b.jpg", b, [{"id": 300, "category_id": 1}]),
    ]:
        (tmp / (name + ".label.png")).write_bytes(bitmap_to_png(bitmap))
        samples.append({
            "uuid": f"u-{name}", "name": name, "metadata": {"split": "train" if name == "a.jpg" else "val"},
            "attributes": {"image": {"url": _png(tmp / name.replace(".jpg", ".png"), np.zeros((H, W, 3), np.uint8))}},
            "labels": {"ground-truth": {"label_status": "REVIEWED", "attributes": {
                "format_version": "0.1", "annotations": anns,
                "segmentation_bitmap": {"url": (tmp / (name + ".label.png")).as_uri()}}}},
        })
    samples.append({"uuid": "u-c", "name": "c.jpg", "metadata": {}, "labels": {"ground-truth": None},
                    "attributes": {"image": {"url": _png(tmp / "c.png", np.zeros((H, W, 3), np.uint8))}}})
    release = {"name": "v1", "dataset": {
        "name": "streets", "owner": "jane", "task_type": "segmentation-bitmap",
        "task_attributes": {"format_version": "0.1", "categories": [
            {"id": 1, "name": "car", "color": [255, 0, 0], "has_instances": True},
            {"id": 2, "name": "road", "has_instances": False}]},
        "labelsets": [{"name": "ground-truth", "description": ""}], "samples": samples}}
    return release, bitmaps


def vector_release(tmp: Path) -> dict[str, Any]:
    annotations = [
        {"id": 1, "category_id": 1, "type": "bbox", "points": [[10, 5], [30, 25]]},
        {"id": 2, "category_id": 2, "type": "polygon", "points": [[0, 0], [20, 0], [20, 10], [0, 10]]},
        {"id": 3, "category_id": 1, "type": "point", "points": [[7, 8]]},
        {"id": 4, "category_id": 2, "type": "polyline", "points": [[1, 1], [5, 5]]},
    ]
    return {"name": "v2", "dataset": {
        "name": "boxes", "owner": "jane", "task_type": "vector",
        "task_attributes": {"categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "sign"}]},
        "labelsets": [{"name": "ground-truth"}],
        "samples": [{"uuid": "v1", "name": "img", "metadata": {},
                     "attributes": {"image": {"url": _png(tmp / "img.png", np.zeros((H, W, 3), np.uint8))}},
                     "labels": {"ground-truth": {"label_status": "LABELED",
                                                 "attributes": {"annotations": annotations}}}}]}}


@pytest.fixture
def seg(tmp_path: Path) -> tuple[ReleaseDataset, dict[str, np.ndarray], Path]:
    release, bitmaps = segmentation_release(tmp_path)
    path = tmp_path / "release.json"
    path.write_text(json.dumps(release))
    return ReleaseDataset(str(path)), bitmaps, tmp_path


def test_release_loader_decodes_bitmaps_and_filters(seg: tuple[ReleaseDataset, dict, Path]) -> None:
    dataset, bitmaps, tmp = seg
    assert len(dataset) == 3 and dataset.dataset_identifier == "jane/streets" and dataset.name == "v1"
    assert [c.name for c in dataset.categories] == ["car", "road"]
    first = dataset[0]
    assert np.array_equal(first["segmentation_bitmap"], bitmaps["a.jpg"])
    assert (first["width"], first["height"], first["file_name"]) == (W, H, "a.jpg")
    assert dataset[2]["annotations"] is None and dataset[2]["label_status"] == "UNLABELED"
    release = json.loads((tmp / "release.json").read_text())
    assert len(ReleaseDataset(release, filter_by="unlabeled")) == 1
    assert [s["name"] for s in ReleaseDataset(release, filter_by_metadata={"split": "val"})] == ["b.jpg"]
    with pytest.raises(ValueError, match="Labelset"):
        ReleaseDataset(release, labelset="predictions")


def test_coco_instance_from_bitmaps_loads_in_pycocotools(seg: tuple[ReleaseDataset, dict, Path]) -> None:
    dataset, bitmaps, tmp = seg
    path = export_dataset(dataset, tmp / "out", "coco-instance")
    coco = COCO(str(path))
    assert len(coco.getImgIds()) == 3
    assert len(coco.getAnnIds()) == 5  # 4 instances in a.jpg (id 9 has no pixels) + 1 in b.jpg
    assert len(coco.getAnnIds(catIds=[1])) == 3 and len(coco.getAnnIds(catIds=[2])) == 2
    for ann in coco.loadAnns(coco.getAnnIds()):
        image = coco.loadImgs(ann["image_id"])[0]
        expected = bitmaps[image["file_name"]] == ann["instance_id"]
        assert np.array_equal(coco.annToMask(ann).astype(bool), expected)
        assert ann["area"] == int(expected.sum()) == int(mask_utils.area(ann["segmentation"]))
        assert ann["bbox"] == mask_utils.toBbox(ann["segmentation"]).tolist()


def test_coco_instance_from_vectors(tmp_path: Path) -> None:
    dataset = ReleaseDataset(vector_release(tmp_path))
    coco = COCO(str(export_dataset(dataset, tmp_path / "out", "coco-instance")))
    anns = {a["instance_id"]: a for a in coco.loadAnns(coco.getAnnIds())}
    assert set(anns) == {1, 2, 3}  # the polyline has no COCO instance form
    assert anns[1]["bbox"] == [10, 5, 20, 20] and anns[1]["area"] == 400
    assert anns[2]["area"] == 200 and coco.annToMask(anns[2]).sum() > 0
    assert anns[3]["keypoints"] == [7, 8, 2]


def test_coco_panoptic(seg: tuple[ReleaseDataset, dict, Path]) -> None:
    dataset, bitmaps, tmp = seg
    json_path, png_dir = export_dataset(dataset, tmp / "out")
    doc = json.loads(Path(json_path).read_text())
    assert len(doc["images"]) == 3 and len(doc["annotations"]) == 2
    assert {c["id"]: c["isthing"] for c in doc["categories"]} == {1: 1, 2: 0}
    for ann in doc["annotations"]:
        image = next(i for i in doc["images"] if i["id"] == ann["image_id"])
        ids = png_to_bitmap((Path(png_dir) / ann["file_name"]).read_bytes())
        present = set(np.unique(ids).tolist()) - {0}
        assert present == {s["id"] for s in ann["segments_info"]}
        source = bitmaps[image["file_name"]]
        for segment in ann["segments_info"]:
            assert segment["area"] == int((ids == segment["id"]).sum())
            if segment["category_id"] == 1:  # things keep their instance masks exactly
                assert np.array_equal(ids == segment["id"], source == segment["id"])
    a = next(x for x in doc["annotations"] if x["image_id"] == 1)
    road = [s for s in a["segments_info"] if s["category_id"] == 2]
    assert len(road) == 1 and road[0]["area"] == int(np.isin(bitmaps["a.jpg"], [3, 4]).sum())  # stuff merged


def test_semantic_and_instance_masks_decode_to_the_labelled_ids(seg: tuple[ReleaseDataset, dict, Path]) -> None:
    dataset, bitmaps, tmp = seg
    out = export_dataset(dataset, tmp / "masks", "instance")
    for name, bitmap in bitmaps.items():
        decoded = np.asarray(Image.open(out / f"{name[:-4]}_instance.png")).astype(np.int64)
        assert np.array_equal(decoded, bitmap.astype(np.int64))  # b.jpg holds id 300: a 16-bit PNG
    out = export_dataset(dataset, tmp / "masks", "semantic", id_increment=10)
    semantic = np.asarray(Image.open(out / "a_semantic.png")).astype(np.int64)
    expected = np.zeros((H, W), np.int64)
    expected[np.isin(bitmaps["a.jpg"], [1, 2])] = 11
    expected[np.isin(bitmaps["a.jpg"], [3, 4])] = 12
    assert np.array_equal(semantic, expected)
    export_dataset(dataset, tmp / "masks", "semantic-color")
    colored = np.asarray(Image.open(tmp / "masks" / "a_semantic_colored.png"))
    assert tuple(colored[6, 6]) == (255, 0, 0)  # the car category's color
    assert not (tmp / "masks" / "c_instance.png").exists()  # unlabeled samples are skipped


def test_yolo(tmp_path: Path) -> None:
    dataset = ReleaseDataset(vector_release(tmp_path))
    labels = export_dataset(dataset, tmp_path / "yolo", "yolo", include_polygons=True)
    lines = (labels / "img.txt").read_text().splitlines()
    assert lines[0].split() == ["0", f"{20 / W:.6f}", f"{15 / H:.6f}", f"{20 / W:.6f}", f"{20 / H:.6f}"]
    assert lines[1].split()[0] == "1" and len(lines) == 2
    assert (tmp_path / "yolo" / "classes.txt").read_text() == "car\nsign\n"
    with pytest.raises(ValueError, match="YOLO"):
        export_dataset(ReleaseDataset(segmentation_release(tmp_path)[0]), tmp_path / "y2", "yolo")


@pytest.mark.parametrize("seed", range(20))
def test_rle_encoder_matches_pycocotools(seed: int) -> None:
    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 50, size=2)
    mask = rng.random((h, w)) < rng.random()
    ours = encode(mask)
    theirs = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    assert ours["counts"] == theirs["counts"].decode() and ours["size"] == list(theirs["size"])


def test_segments_compatible_names(seg: tuple[ReleaseDataset, dict, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from labelhouse import SegmentsDataset
    from labelhouse.utils import bitmap2file, load_release

    _, bitmaps, tmp = seg
    monkeypatch.setenv("SEGMENTS_DIR", str(tmp / "cache"))
    dataset = SegmentsDataset(str(tmp / "release.json"), filter_by=["REVIEWED"])
    assert len(dataset) == 2 and any((tmp / "cache").iterdir())  # preloaded into the cache dir
    assert np.array_equal(dataset[1]["segmentation_bitmap"], bitmaps["b.jpg"])
    assert png_to_bitmap(bitmap2file(bitmaps["a.jpg"]).read()).tolist() == bitmaps["a.jpg"].tolist()
    assert load_release(str(tmp / "release.json"))["name"] == "v1"
