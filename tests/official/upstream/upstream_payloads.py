"""Our own request payloads for the official segments-ai test suite, written from the wire contract
(``contract/segments-api.md`` §8.3, §9) and the SDK 1.33.0 typed models — one per sample/label attribute type the
official tests iterate over. Used twice: by the fixtures of the inner (official) test run and by the seeding code.

Keys are the names the official tests index by (``SAMPLE_ATTRIBUTE_TYPES`` / ``LABEL_ATTRIBUTE_TYPES``).
"""

from __future__ import annotations

import copy
from typing import Any

PLACEHOLDER_IMAGE = "https://assets.example.com/frames/street-0001.jpg"
PLACEHOLDER_PCD = "https://assets.example.com/lidar/sweep-0001.bin"
PLACEHOLDER_BITMAP = "https://assets.example.com/labels/street-0001-label.png"

# Object- and image-level attributes as the platform stores them: str, bool, number, list of str, null.
OBJECT_ATTRIBUTES: dict[str, Any] = {"occluded": False, "colour": "red", "lanes": 2, "tags": ["night", "rain"],
                                     "note": None}
IMAGE_ATTRIBUTES: dict[str, Any] = {"scene": "intersection", "daylight": True, "visibility_m": 120.5}


def dataset_arguments(owner: str) -> dict[str, Any]:
    """Keyword arguments for ``client.add_dataset``: a vector dataset whose categories use every attribute input
    type, link restrictions (non-empty, empty and omitted) and both kinds of warning rules."""
    return {
        "name": "add_dataset",
        "description": "Created, updated and deleted by the official add/update/delete test.",
        "task_type": "vector",
        "task_attributes": {
            "format_version": "0.1",
            "categories": [
                {
                    "name": "vehicle",
                    "id": 1,
                    "color": [230, 25, 75, 255],
                    "attributes": [
                        {"name": "occlusion", "input_type": "select", "values": ["none", "partial", "full"],
                         "default_value": "none"},
                        {"name": "plate", "input_type": "text", "default_value": ""},
                        {"name": "passengers", "input_type": "number", "min": 0, "max": 9, "step": 1,
                         "default_value": 1},
                        {"name": "parked", "input_type": "checkbox", "default_value": True},
                    ],
                    "link_category_restrictions": [2],
                },
                {"name": "trailer", "id": 2, "color": [60, 180, 75], "link_category_restrictions": [1]},
                {"name": "sign", "id": 3, "link_category_restrictions": []},
                {"name": "tree", "id": 4},
            ],
            "warning_rules": [
                {"name": "intersecting-cuboids", "excluded_categories": [3]},
                {"name": "intersecting-cuboids", "excluded_set_of_categories": [1, 2]},
                {"name": "cuboid-dimension-limits", "min": {"x": 0.2, "z": 0.1}},
                {"name": "cuboid-dimension-limits", "categories": [1], "max": {"x": 6.0, "y": 2.5, "z": 3.0}},
            ],
        },
        "category": "street_scenery",
        "public": False,
        "readme": "# add_dataset\nMade by the official SDK tests.",
        "enable_skip_labeling": True,
        "enable_skip_reviewing": True,
        "enable_ratings": True,
        "enable_object_linking": True,
        "enable_object_link_category_restrictions": True,
        "organization": owner,
    }


def _lidar_frame(pcd_url: str, index: int) -> dict[str, Any]:
    return {
        "pcd": {"url": pcd_url, "type": "binary-xyzi"},
        "ego_pose": {"position": {"x": 1.5 * index, "y": 0.25, "z": 0}, "heading": {"qx": 0, "qy": 0, "qz": 0, "qw": 1}},
        "default_z": -1.7,
        "name": f"sweep-{index:04d}",
        "timestamp": 1_700_000_000 + index,
    }


def sample_attributes(image_url: str = PLACEHOLDER_IMAGE, pcd_url: str = PLACEHOLDER_PCD) -> dict[str, Any]:
    """Sample attributes per sample attribute type."""
    image_sequence = {"frames": [{"image": {"url": image_url}, "name": "frame-0001"},
                                 {"image": {"url": image_url}, "name": "frame-0002", "timestamp": 2}]}
    pointcloud_sequence = {"frames": [_lidar_frame(pcd_url, 0), _lidar_frame(pcd_url, 1)]}
    return {
        "image": {"image": {"url": image_url}},
        "image-sequence": image_sequence,
        "pointcloud": _lidar_frame(pcd_url, 0),
        "pointcloud-sequence": pointcloud_sequence,
        "multi-sensor": {
            "sensors": [
                {"name": "Lidar", "task_type": "pointcloud-cuboid-sequence",
                 "attributes": copy.deepcopy(pointcloud_sequence)},
                {"name": "Camera 1", "task_type": "image-vector-sequence", "attributes": copy.deepcopy(image_sequence)},
                {"name": "Camera 2", "task_type": "image-vector-sequence", "attributes": copy.deepcopy(image_sequence)},
            ]
        },
    }


def _cuboid(object_id: int, category_id: int, **extra: Any) -> dict[str, Any]:
    return {"id": object_id, "category_id": category_id, "type": "cuboid",
            "position": {"x": 4.0 + object_id, "y": -1.25, "z": 0.8}, "dimensions": {"x": 4.2, "y": 1.8, "z": 1.5},
            "yaw": 0.35, "attributes": dict(OBJECT_ATTRIBUTES), **extra}


def _vector_annotations(tracked: bool) -> list[dict[str, Any]]:
    shapes = [
        ("bbox", [[10.0, 12.5], [40.0, 30.25]]),
        ("polygon", [[5.0, 5.0], [25.5, 6.0], [20.0, 22.0], [4.0, 18.5]]),
        ("polyline", [[1.0, 1.0], [9.0, 3.5], [17.25, 2.0]]),
        ("point", [[33.0, 44.0]]),
    ]
    annotations = []
    for index, (kind, points) in enumerate(shapes, start=1):
        annotation: dict[str, Any] = {"id": index, "category_id": index, "type": kind, "points": points,
                                      "attributes": dict(OBJECT_ATTRIBUTES)}
        if tracked:
            annotation.update(track_id=10 + index, is_keyframe=index % 2 == 1)
        annotations.append(annotation)
    return annotations


def label_attributes(bitmap_url: str = PLACEHOLDER_BITMAP) -> dict[str, Any]:
    """Label attributes per label attribute type. Category ids 1-4 exist in every seeded dataset."""
    image_vector_sequence = {
        "format_version": "0.2",
        "frames": [
            {"format_version": "0.1", "timestamp": "0001", "annotations": _vector_annotations(tracked=True),
             "image_attributes": dict(IMAGE_ATTRIBUTES)},
            {"annotations": []},
        ],
    }
    pointcloud_sequence_cuboid = {
        "format_version": "0.2",
        "frames": [
            {"format_version": "0.2", "timestamp": "0001",
             "annotations": [_cuboid(1, 1, track_id=1, is_keyframe=True),
                             _cuboid(2, 2, track_id=2, is_keyframe=False,
                                     rotation={"qx": 0, "qy": 0, "qz": 0.17, "qw": 0.98})]},
            {"format_version": "0.2", "timestamp": "0002",
             "annotations": [_cuboid(1, 1, track_id=1, is_keyframe=True)]},
        ],
    }
    return {
        "image-segmentation": {
            "format_version": "0.1",
            "annotations": [
                {"id": 1, "category_id": 1, "attributes": dict(OBJECT_ATTRIBUTES)},
                {"id": 2, "category_id": 2},
                {"id": 5, "category_id": 3, "attributes": {"occluded": True}},
            ],
            "segmentation_bitmap": {"url": bitmap_url},
            "image_attributes": dict(IMAGE_ATTRIBUTES),
        },
        "image-vector": {"format_version": "0.1", "annotations": _vector_annotations(tracked=False),
                         "image_attributes": dict(IMAGE_ATTRIBUTES)},
        "image-sequence-vector": image_vector_sequence,
        "pointcloud-segmentation": {
            "format_version": "0.1",
            "annotations": [{"id": 1, "category_id": 1}, {"id": 2, "category_id": 4,
                                                           "attributes": dict(OBJECT_ATTRIBUTES)}],
            "point_annotations": [0, 1, 1, 2, 2, 2, 0, 0, 1, 0],
        },
        "pointcloud-cuboid": {
            "format_version": "0.1",
            "annotations": [_cuboid(1, 1), _cuboid(2, 3, type="cuboid-sync",
                                                   velocity={"relative": None, "absolute": 2.5})],
            "image_attributes": dict(IMAGE_ATTRIBUTES),
            "links": [{"from_id": 1, "to_id": 2, "attributes": {"relation": "tows"}}],
        },
        "pointcloud-sequence-segmentation": {
            "format_version": "0.2",
            "frames": [
                {"format_version": "0.2", "annotations": [{"id": 1, "category_id": 1, "track_id": 1},
                                                          {"id": 2, "category_id": 2, "track_id": 2}],
                 "point_annotations": [0, 0, 1, 1, 2, 2]},
                {"annotations": [{"id": 1, "category_id": 1, "track_id": 1}], "point_annotations": [1, 1, 0, 0, 0, 0]},
            ],
        },
        "pointcloud-sequence-cuboid": pointcloud_sequence_cuboid,
        "pointcloud-sequence-vector": {
            "format_version": "0.2",
            "frames": [
                {"format_version": "0.2", "timestamp": "0001",
                 "annotations": [
                     _cuboid(1, 1, track_id=1, is_keyframe=True),
                     {"id": 2, "category_id": 2, "type": "polygon", "track_id": 2, "is_keyframe": True,
                      "points": [[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [2.0, 3.0, 0.1]]},
                     {"id": 3, "category_id": 3, "type": "point", "track_id": 3, "is_keyframe": False,
                      "points": [[5.5, -2.0, 0.3]]},
                 ]},
            ],
            "links": [{"from_id": 1, "to_id": 2, "frames": [{"attributes": {"distance": 3.5}}]}],
        },
        "multi-sensor": {
            "sensors": [
                {"name": "Lidar", "task_type": "pointcloud-cuboid-sequence",
                 "attributes": copy.deepcopy(pointcloud_sequence_cuboid)},
                {"name": "Camera 1", "task_type": "image-vector-sequence",
                 "attributes": copy.deepcopy(image_vector_sequence)},
                {"name": "Camera 2", "task_type": "image-vector-sequence", "attributes": []},
            ]
        },
    }


def bad_image_segmentation_label() -> dict[str, Any]:
    """An image-segmentation label with exactly one mistake (an annotation without a category id)."""
    label = copy.deepcopy(label_attributes()["image-segmentation"])
    label["annotations"][1]["category_id"] = None
    return label
