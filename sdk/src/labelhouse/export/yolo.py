"""YOLO export: one ``<image stem>.txt`` per image with ``<class> <x_center> <y_center> <width> <height>``
(normalized to [0, 1]) for every bbox (and, with ``include_polygons``, the bounding box of every polygon).

Classes are 0-based indices into the dataset's category list, written to ``classes.txt`` (and ``data.yaml``),
because YOLO trainers expect contiguous class ids; pass ``class_ids="category_id"`` to write the category ids.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from ..release import ReleaseDataset
from ._common import check_task_type, out_dir, safe_stem

YOLO_TASK_TYPES = ("vector", "bboxes")


def export_yolo(dataset: ReleaseDataset, export_folder: str | os.PathLike[str] = ".",
                class_ids: Literal["index", "category_id"] = "index", include_polygons: bool = False) -> Path:
    """Write the label files to ``<export_folder>/labels/`` plus ``classes.txt``; returns ``labels/``."""
    check_task_type(dataset, YOLO_TASK_TYPES, "YOLO")
    folder = out_dir(export_folder)
    labels = out_dir(folder / "labels")
    categories = dataset.categories
    index = {c.id: i for i, c in enumerate(categories)}
    (folder / "classes.txt").write_text("".join(f"{c.name}\n" for c in categories))
    names = "".join(f"  {i}: {c.name!r}\n" for i, c in enumerate(categories))
    (folder / "data.yaml").write_text(f"path: {folder.resolve()}\nnc: {len(categories)}\nnames:\n{names}")
    for sample in dataset:
        if sample["annotations"] is None:
            continue
        width, height = sample["width"], sample["height"]
        if not width or not height:
            raise ValueError(f"Image size of sample {sample['name']!r} is unknown; load images to export YOLO.")
        lines = []
        for annotation in sample["annotations"]:
            kind = annotation.get("type")
            points = annotation.get("points") or []
            if kind == "bbox" or (include_polygons and kind == "polygon"):
                xs, ys = [p[0] for p in points], [p[1] for p in points]
            else:
                continue
            if not xs:
                continue
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            category = int(annotation["category_id"])
            cls = index.get(category) if class_ids == "index" else category
            if cls is None:
                continue
            lines.append(f"{cls} {(x0 + x1) / 2 / width:.6f} {(y0 + y1) / 2 / height:.6f} "
                         f"{(x1 - x0) / width:.6f} {(y1 - y0) / height:.6f}\n")
        (labels / f"{safe_stem(sample['name'])}.txt").write_text("".join(lines))
    return labels
