"""Semantic and instance mask exports of segmentation releases.

- ``instance``: 16-bit grayscale PNG of instance ids (0 = background), exactly the label's ids.
- ``semantic``: PNG of category ids (+ ``id_increment``), 8-bit when they fit, else 16-bit; unlabelled 0.
- ``instance-color`` / ``semantic-color``: RGB PNGs for viewing (category colors, or a palette).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ..release import SEGMENTATION_TASK_TYPES, ReleaseDataset
from ._common import category_map, check_task_type, color_for, instance_categories, out_dir, safe_stem


def semantic_mask(bitmap: NDArray[np.uint32], annotations: list[dict[str, Any]] | None,
                  id_increment: int = 0) -> NDArray[np.int64]:
    """Category id (+ ``id_increment``) per pixel; pixels of unknown instances and background stay 0."""
    lookup = instance_categories(annotations)
    out = np.zeros(bitmap.shape, dtype=np.int64)
    for instance_id, category_id in lookup.items():
        out[bitmap == instance_id] = category_id + id_increment
    return out


def _save_gray(array: NDArray[Any], path: Path) -> None:
    if array.size and array.max() > 65535:
        raise ValueError("mask values above 65535 cannot be stored in a 16-bit PNG")
    if array.size == 0 or array.max() <= 255:
        Image.fromarray(array.astype(np.uint8), "L").save(path)
    else:
        Image.fromarray(array.astype(np.uint16)).save(path)  # mode I;16


def export_masks(dataset: ReleaseDataset, export_folder: str | os.PathLike[str] = ".", kind: str = "semantic",
                 id_increment: int = 0) -> Path:
    """Write one ``<name>_<kind>.png`` per labelled sample into ``export_folder``; returns the folder."""
    check_task_type(dataset, SEGMENTATION_TASK_TYPES, f"{kind} mask")
    if kind not in ("semantic", "instance", "semantic-color", "instance-color"):
        raise ValueError(f"unknown mask kind {kind!r}")
    folder = out_dir(export_folder)
    categories = category_map(dataset)
    order = {cid: i for i, cid in enumerate(categories)}
    for sample in dataset:
        bitmap = sample["segmentation_bitmap"]
        if bitmap is None or sample["annotations"] is None:
            continue
        path = folder / f"{safe_stem(sample['name'])}_{kind.replace('-color', '_colored')}.png"
        if kind == "instance":
            _save_gray(bitmap.astype(np.int64), path)
        elif kind == "semantic":
            _save_gray(semantic_mask(bitmap, sample["annotations"], id_increment), path)
        elif kind == "semantic-color":
            rgb = np.zeros(bitmap.shape + (3,), np.uint8)
            semantic = semantic_mask(bitmap, sample["annotations"])
            for category_id, category in categories.items():
                rgb[semantic == category_id] = color_for(order[category_id], category.color)
            Image.fromarray(rgb, "RGB").save(path)
        else:
            rgb = np.zeros(bitmap.shape + (3,), np.uint8)
            for instance_id in np.unique(bitmap):
                if instance_id:
                    rgb[bitmap == instance_id] = color_for(int(instance_id))
            Image.fromarray(rgb, "RGB").save(path)
    return folder
