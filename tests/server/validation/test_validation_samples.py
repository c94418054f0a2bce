"""Sample attributes: every sample type of contract §9.1 (+ seed 002 text), valid and invalid, with field paths."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from labelhouse_server.errors import Invalid
from labelhouse_server.validation import validate_sample_attributes

FORBIDDEN = ("not found", "does not exist", "already exists")

IMAGE = {"image": {"url": "https://example.com/a.jpg"}}
IMAGE_SEQUENCE = {"frames": [{"image": {"url": "https://example.com/1.jpg"}, "name": "f1", "timestamp": "00001"},
                             {"image": {"url": ""}, "timestamp": 2.5}]}
POINTCLOUD = {
    "pcd": {"url": "https://example.com/a.pcd", "type": "kitti"},
    "ego_pose": {"position": {"x": 0, "y": 0, "z": 0}, "heading": {"qx": 0, "qy": 0, "qz": 0, "qw": 1}},
    "default_z": -1, "name": "scan", "timestamp": 1000,
}
POINTCLOUD_FULL = {
    "pcd": {"url": "s3://bucket/a.bin", "signed_url": "https://signed", "type": "binary-xyzi"},
    "images": [
        {"url": "https://example.com/cam0.jpg", "row": 0, "col": 1,
         "intrinsics": {"intrinsic_matrix": [[1000, 0, 640], [0, 1000, 360], [0, 0, 1]]},
         "extrinsics": {"translation": {"x": 1, "y": 2, "z": 3}, "rotation": {"qx": 0, "qy": 0, "qz": 0, "qw": 1}},
         "distortion": {"model": "brown-conrady",
                        "coefficients": {"k1": 0.1, "k2": 0.01, "p1": 0, "p2": 0, "k3": 0, "k6": None}},
         "camera_convention": "OpenCV", "name": "front", "rotation": 90},
        {"url": None, "distortion": {"model": "fisheye", "coefficients": {"k1": 1, "k2": 2, "k3": 3, "k4": 4}}},
        {},
    ],
    "bounds": {"min_x": -50, "max_x": 50.5, "min_z": None},
    "ortho_images": [{"url": "https://example.com/ortho.png",
                      "corners": {"top_left": {"x": 0, "y": 10}, "top_right": {"x": 10, "y": 10},
                                  "bottom_right": {"x": 10, "y": 0}, "bottom_left": {"x": 0, "y": 0}},
                      "height_map": {"url": "https://example.com/h.png", "encoding": "rgb16",
                                     "offset": -2.5, "scale": 0.01}}],
    "extra_key_kept": {"anything": [1, 2]},
}
POINTCLOUD_SEQUENCE = {"frames": [POINTCLOUD, POINTCLOUD_FULL], "ortho_images": []}
MULTI_SENSOR = {"sensors": [
    {"name": "Lidar", "task_type": "pointcloud-cuboid-sequence", "attributes": POINTCLOUD_SEQUENCE},
    {"name": "Camera 1", "task_type": "image-vector-sequence", "attributes": IMAGE_SEQUENCE},
    {"name": "Camera 2", "task_type": "image-segmentation-sequence", "attributes": {"frames": []}},
]}

VALID: list[tuple[str, dict[str, Any]]] = [
    *[(t, IMAGE) for t in ("segmentation-bitmap", "segmentation-bitmap-highres", "bboxes", "vector", "keypoints")],
    ("vector", {"image": {}}),
    ("vector", {"image": {"url": None, "signed_url": "https://signed"}}),
    ("vector", {"image": {"url": "u"}, "unknown": 1}),
    ("image-vector-sequence", IMAGE_SEQUENCE),
    ("image-segmentation-sequence", {"frames": []}),
    ("pointcloud-cuboid", POINTCLOUD),
    ("pointcloud-segmentation", POINTCLOUD_FULL),
    ("pointcloud-vector", {"pcd": {"url": "u", "type": "splat"}, "images": []}),
    ("pointcloud-cuboid-sequence", POINTCLOUD_SEQUENCE),
    ("pointcloud-vector-sequence", {"frames": [POINTCLOUD]}),
    ("pointcloud-segmentation-sequence", {"frames": []}),
    ("multisensor-sequence", MULTI_SENSOR),
    ("text-named-entities", {"text": "Hello world"}),
    ("text-span-categorization", {"text": ""}),
    ("", {"whatever": True}),  # the empty task type has no format: any object
]


@pytest.mark.parametrize(("task_type", "attributes"), VALID)
def test_valid_sample_attributes_are_accepted_and_untouched(task_type: str, attributes: dict) -> None:
    before = copy.deepcopy(attributes)
    assert validate_sample_attributes(task_type, attributes) is None
    assert attributes == before


def _with(base: dict, path: list[Any], value: Any) -> dict:
    """A deep copy of ``base`` with the value at ``path`` replaced (or deleted when ``value`` is ``DELETE``)."""
    doc = copy.deepcopy(base)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


DELETE = object()

INVALID: list[tuple[str, Any, str]] = [
    ("vector", None, "attributes"),
    ("vector", [IMAGE], "attributes"),
    ("", "text", "attributes"),
    ("vector", {}, "attributes.image"),
    ("vector", {"image": "https://example.com/a.jpg"}, "attributes.image"),
    ("segmentation-bitmap", {"image": None}, "attributes.image"),
    ("vector", {"image": {"url": 5}}, "attributes.image.url"),
    ("vector", {"image": {"url": "u", "signed_url": ["x"]}}, "attributes.image.signed_url"),
    ("image-vector-sequence", {}, "attributes.frames"),
    ("image-vector-sequence", {"frames": {"0": IMAGE}}, "attributes.frames"),
    ("image-vector-sequence", _with(IMAGE_SEQUENCE, ["frames", 1], "frame"), "attributes.frames[1]"),
    ("image-vector-sequence", _with(IMAGE_SEQUENCE, ["frames", 1, "image"], DELETE), "attributes.frames[1].image"),
    ("image-vector-sequence", _with(IMAGE_SEQUENCE, ["frames", 0, "name"], 3), "attributes.frames[0].name"),
    ("image-vector-sequence", _with(IMAGE_SEQUENCE, ["frames", 0, "timestamp"], [1]),
     "attributes.frames[0].timestamp"),
    ("pointcloud-cuboid", {}, "attributes.pcd"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["pcd", "url"], DELETE), "attributes.pcd.url"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["pcd", "url"], None), "attributes.pcd.url"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["pcd", "type"], DELETE), "attributes.pcd.type"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["pcd", "type"], "xyz"), "attributes.pcd.type"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["images"], None), "attributes.images"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["ego_pose", "position", "z"], DELETE),
     "attributes.ego_pose.position.z"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["ego_pose", "heading", "qw"], "1"), "attributes.ego_pose.heading.qw"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["default_z"], float("inf")), "attributes.default_z"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["default_z"], float("nan")), "attributes.default_z"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["default_z"], True), "attributes.default_z"),
    ("pointcloud-cuboid", _with(POINTCLOUD, ["timestamp"], {}), "attributes.timestamp"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 0, "row"], 1.5), "attributes.images[0].row"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 0, "intrinsics", "intrinsic_matrix", 1, 2], "x"),
     "attributes.images[0].intrinsics.intrinsic_matrix[1][2]"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 0, "intrinsics"], {}),
     "attributes.images[0].intrinsics.intrinsic_matrix"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 0, "extrinsics", "rotation"], DELETE),
     "attributes.images[0].extrinsics.rotation"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 0, "distortion", "model"], "pinhole"),
     "attributes.images[0].distortion.model"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 0, "distortion", "coefficients", "p2"], DELETE),
     "attributes.images[0].distortion.coefficients.p2"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 1, "distortion", "coefficients", "k4"], None),
     "attributes.images[1].distortion.coefficients.k4"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 0, "camera_convention"], "Vulkan"),
     "attributes.images[0].camera_convention"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 0, "camera_convention"], None),
     "attributes.images[0].camera_convention"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["images", 2], "https://example.com/c.jpg"),
     "attributes.images[2]"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["bounds", "max_y"], "10"), "attributes.bounds.max_y"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["ortho_images", 0, "corners", "bottom_left"], DELETE),
     "attributes.ortho_images[0].corners.bottom_left"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["ortho_images", 0, "corners", "top_left", "y"], None),
     "attributes.ortho_images[0].corners.top_left.y"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["ortho_images", 0, "height_map", "encoding"], "rgb8"),
     "attributes.ortho_images[0].height_map.encoding"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["ortho_images", 0, "height_map", "scale"], 0),
     "attributes.ortho_images[0].height_map.scale"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["ortho_images", 0, "height_map", "offset"], None),
     "attributes.ortho_images[0].height_map.offset"),
    ("pointcloud-cuboid", _with(POINTCLOUD_FULL, ["ortho_images", 0, "url"], DELETE),
     "attributes.ortho_images[0].url"),
    ("pointcloud-cuboid-sequence", {"frames": [POINTCLOUD, {"pcd": {"url": "u"}}]}, "attributes.frames[1].pcd.type"),
    ("pointcloud-cuboid-sequence", {"frames": [], "ortho_images": {}}, "attributes.ortho_images"),
    ("pointcloud-cuboid-sequence", IMAGE, "attributes.frames"),
    ("multisensor-sequence", {}, "attributes.sensors"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 0, "name"], DELETE), "attributes.sensors[0].name"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 1, "task_type"], "vector"),
     "attributes.sensors[1].task_type"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 1, "attributes"], DELETE),
     "attributes.sensors[1].attributes"),
    # an image sequence under a point-cloud sensor task type
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 0, "attributes"], IMAGE_SEQUENCE),
     "attributes.sensors[0].attributes.frames[0].pcd"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 1, "attributes", "frames", 0, "image", "url"], 1),
     "attributes.sensors[1].attributes.frames[0].image.url"),
    ("text-named-entities", {}, "attributes.text"),
    ("text-span-categorization", {"text": None}, "attributes.text"),
]


@pytest.mark.parametrize(("task_type", "attributes", "field"), INVALID)
def test_invalid_sample_attributes_name_the_field(task_type: str, attributes: Any, field: str) -> None:
    before = copy.deepcopy(attributes)
    with pytest.raises(Invalid) as caught:
        validate_sample_attributes(task_type, attributes)
    assert caught.value.field == field
    assert caught.value.detail.startswith(f"{field}: ")
    assert not any(phrase in caught.value.detail.lower() for phrase in FORBIDDEN)
    assert repr(attributes) == repr(before)  # untouched (repr: nan != nan)


def test_messages_say_what_was_expected_and_what_came() -> None:
    with pytest.raises(Invalid) as caught:
        validate_sample_attributes("pointcloud-cuboid", _with(POINTCLOUD, ["pcd", "type"], "xyz"))
    assert caught.value.detail == ("attributes.pcd.type: expected one of 'pcd', 'binary-xyzi', 'kitti', "
                                   "'binary-xyzir', 'nuscenes', 'ply', 'las', 'splat', got a string ('xyz')")
    with pytest.raises(Invalid) as caught:
        validate_sample_attributes("vector", {})
    assert caught.value.detail == "attributes.image: this key is required"
    assert caught.value.body() == {"detail": "attributes.image: this key is required", "code": "invalid",
                                   "field": "attributes.image"}


def test_integers_beyond_64_bits_are_rejected() -> None:
    with pytest.raises(Invalid) as caught:
        validate_sample_attributes("pointcloud-cuboid", _with(POINTCLOUD, ["default_z"], 2**64))
    assert caught.value.field == "attributes.default_z"
