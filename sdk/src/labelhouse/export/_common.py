from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..release import ReleaseDataset


def check_task_type(dataset: ReleaseDataset, allowed: tuple[str, ...], fmt: str) -> None:
    if dataset.task_type not in allowed:
        raise ValueError(f"{fmt} export needs a dataset of task type {', '.join(allowed)}; "
                         f"this one is {dataset.task_type!r}.")


def safe_stem(name: str) -> str:
    stem = os.path.splitext(name)[0]
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", stem) or "sample"


def out_dir(export_folder: str | os.PathLike[str]) -> Path:
    path = Path(export_folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def base_name(dataset: ReleaseDataset, fmt: str) -> str:
    return f"export_{fmt}_{safe_stem(dataset.owner)}_{safe_stem(dataset.dataset_name)}_{safe_stem(dataset.name)}"


def category_map(dataset: ReleaseDataset) -> dict[int, Any]:
    return {c.id: c for c in dataset.categories}


def instance_categories(annotations: list[dict[str, Any]] | None) -> dict[int, int]:
    """instance id → category id from a segmentation label's annotations."""
    return {int(a["id"]): int(a["category_id"]) for a in annotations or [] if "id" in a and "category_id" in a}


DEFAULT_PALETTE = [
    (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
    (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (220, 190, 255),
    (170, 110, 40), (255, 250, 200), (128, 0, 0), (170, 255, 195), (128, 128, 0), (255, 215, 180),
]


def color_for(index: int, color: Any = None) -> tuple[int, int, int]:
    if color and len(color) >= 3:
        return int(color[0]), int(color[1]), int(color[2])
    return DEFAULT_PALETTE[index % len(DEFAULT_PALETTE)]
