"""Exports of a release (:class:`labelhouse.release.ReleaseDataset`) to common training formats.

>>> from labelhouse.export import export_dataset
>>> json_path = export_dataset(dataset, "out", "coco-instance")
"""

from __future__ import annotations

import os
from typing import Any

from ..models import ExportFormat
from ..release import ReleaseDataset
from .coco import coco_instance, export_coco_instance, export_coco_panoptic
from .masks import export_masks, semantic_mask
from .yolo import export_yolo

__all__ = [
    "coco_instance",
    "export_coco_instance",
    "export_coco_panoptic",
    "export_dataset",
    "export_masks",
    "export_yolo",
    "semantic_mask",
]


def export_dataset(dataset: ReleaseDataset, export_folder: str | os.PathLike[str] = ".",
                   export_format: ExportFormat | str = ExportFormat.COCO_PANOPTIC, id_increment: int = 0,
                   **kwargs: Any) -> Any:
    """Export in one of ``coco-panoptic``, ``coco-instance``, ``yolo``, ``instance``, ``instance-color``,
    ``semantic``, ``semantic-color`` (the names of ``segments.utils.export_dataset``)."""
    fmt = ExportFormat(export_format)
    if fmt == ExportFormat.COCO_PANOPTIC:
        return export_coco_panoptic(dataset, export_folder)
    if fmt == ExportFormat.COCO_INSTANCE:
        return export_coco_instance(dataset, export_folder)
    if fmt == ExportFormat.YOLO:
        return export_yolo(dataset, export_folder, **kwargs)
    return export_masks(dataset, export_folder, fmt.value, id_increment=id_increment)
