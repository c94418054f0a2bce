"""COCO instance and COCO panoptic exports of a release."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..release import SEGMENTATION_TASK_TYPES, ReleaseDataset
from ..utils import ids_to_rgb
from . import _rle
from ._common import base_name, check_task_type, color_for, instance_categories, out_dir, safe_stem

COCO_INSTANCE_TASK_TYPES = (*SEGMENTATION_TASK_TYPES, "vector", "bboxes", "keypoints")


def _coco_categories(dataset: ReleaseDataset) -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "supercategory": c.name} for c in dataset.categories]


def _coco_image(image_id: int, sample: dict[str, Any]) -> dict[str, Any]:
    return {"id": image_id, "file_name": sample["file_name"], "width": sample["width"], "height": sample["height"],
            "uuid": sample["uuid"]}


def _polygon_area(points: list[list[float]]) -> float:
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    return float(abs(np.dot(xs, np.roll(ys, 1)) - np.dot(ys, np.roll(xs, 1))) / 2)


def _vector_annotation(annotation: dict[str, Any]) -> dict[str, Any] | None:
    """COCO fields for one vector annotation, or None for types COCO instances cannot hold (polylines)."""
    points = [[float(x) for x in p[:2]] for p in annotation.get("points") or []]
    kind = annotation.get("type")
    if kind == "bbox" and len(points) >= 2:
        (x0, y0), (x1, y1) = points[0], points[1]
        x, y, w, h = min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)
        return {"bbox": [x, y, w, h], "area": w * h,
                "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]]}
    if kind == "polygon" and len(points) >= 3:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return {"bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)], "area": _polygon_area(points),
                "segmentation": [[c for p in points for c in p]]}
    if kind == "point" and points:
        x, y = points[0]
        return {"bbox": [x, y, 0.0, 0.0], "area": 0.0, "keypoints": [x, y, 2], "num_keypoints": 1,
                "segmentation": []}
    return None


def coco_instance(dataset: ReleaseDataset) -> dict[str, Any]:
    """The COCO instance document (``images``, ``annotations``, ``categories``) as a dict."""
    check_task_type(dataset, COCO_INSTANCE_TASK_TYPES, "COCO instance")
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for image_id, sample in enumerate(dataset, start=1):
        images.append(_coco_image(image_id, sample))
        if sample["annotations"] is None:
            continue
        if dataset.task_type in SEGMENTATION_TASK_TYPES:
            bitmap = sample["segmentation_bitmap"]
            if bitmap is None:
                continue
            for instance_id, category_id in instance_categories(sample["annotations"]).items():
                mask = bitmap == instance_id
                area = int(mask.sum())
                if area == 0:
                    continue
                annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": category_id,
                                    "segmentation": _rle.encode(mask), "area": area, "bbox": _rle.bbox(mask),
                                    "iscrowd": 0, "instance_id": instance_id})
        else:
            for annotation in sample["annotations"]:
                fields = _vector_annotation(annotation)
                if fields is None:
                    continue
                annotations.append({"id": len(annotations) + 1, "image_id": image_id,
                                    "category_id": int(annotation["category_id"]), "iscrowd": 0,
                                    "instance_id": annotation.get("id"), **fields,
                                    "attributes": annotation.get("attributes") or {}})
    return {"info": {"description": f"{dataset.dataset_identifier} release {dataset.name}"},
            "images": images, "annotations": annotations, "categories": _coco_categories(dataset)}


def export_coco_instance(dataset: ReleaseDataset, export_folder: str | os.PathLike[str] = ".") -> Path:
    """Write ``export_coco-instance_<owner>_<dataset>_<release>.json``; returns its path."""
    folder = out_dir(export_folder)
    path = folder / f"{base_name(dataset, 'coco-instance')}.json"
    path.write_text(json.dumps(coco_instance(dataset)))
    return path


def export_coco_panoptic(dataset: ReleaseDataset, export_folder: str | os.PathLike[str] = "."
                         ) -> tuple[Path, Path]:
    """Write the COCO panoptic JSON and one PNG per labelled sample (segment id = R + 256 G + 65536 B).

    Things (categories with ``has_instances``, the default) keep one segment per instance; stuff categories
    get one segment per image. Returns ``(json_path, png_folder)``.
    """
    check_task_type(dataset, SEGMENTATION_TASK_TYPES, "COCO panoptic")
    folder = out_dir(export_folder)
    name = base_name(dataset, "coco-panoptic")
    png_folder = out_dir(folder / name)
    categories = dataset.categories
    is_thing = {c.id: c.has_instances is not False for c in categories}
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for image_id, sample in enumerate(dataset, start=1):
        images.append(_coco_image(image_id, sample))
        bitmap = sample["segmentation_bitmap"]
        if sample["annotations"] is None or bitmap is None:
            continue
        panoptic = np.zeros(bitmap.shape, dtype=np.uint32)
        segments: dict[int, dict[str, Any]] = {}
        stuff_segment: dict[int, int] = {}
        for instance_id, category_id in instance_categories(sample["annotations"]).items():
            mask = bitmap == instance_id
            if not mask.any():
                continue
            segment_id = instance_id
            if not is_thing.get(category_id, True):
                segment_id = stuff_segment.setdefault(category_id, instance_id)
            panoptic[mask] = segment_id
            segments.setdefault(segment_id, {"id": segment_id, "category_id": category_id, "iscrowd": 0})
        for segment_id, info in segments.items():
            mask = panoptic == segment_id
            info["area"] = int(mask.sum())
            info["bbox"] = _rle.bbox(mask)
        png_name = f"{safe_stem(sample['name'])}_{image_id}.png"
        Image.fromarray(ids_to_rgb(panoptic), "RGB").save(png_folder / png_name)
        annotations.append({"image_id": image_id, "file_name": png_name, "segments_info": list(segments.values())})
    doc = {
        "info": {"description": f"{dataset.dataset_identifier} release {dataset.name}"},
        "images": images,
        "annotations": annotations,
        "categories": [{"id": c.id, "name": c.name, "supercategory": c.name, "isthing": int(is_thing[c.id]),
                        "color": list(color_for(i, c.color))} for i, c in enumerate(categories)],
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path, png_folder
