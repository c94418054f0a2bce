"""Sample ``attributes`` by dataset task type (contract §7 table, §9.1, Appendix A of segments-ai 1.33.0).

Each validator mirrors one pydantic model of ``segments.typing``: required keys must be present, non-nullable
fields reject null, enums reject unknown values, unknown keys are allowed (the SDK models ignore extras).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._checks import (
    check_enum,
    check_list,
    check_number,
    check_number_rows,
    check_object,
    check_str,
    check_url,
    check_xyz,
    check_xyzw,
    expected,
    is_number,
    missing,
    opt_int,
    opt_number,
    opt_str,
    opt_timestamp,
    required,
)

PCD_TYPES = ("pcd", "binary-xyzi", "kitti", "binary-xyzir", "nuscenes", "ply", "las", "splat")
CAMERA_CONVENTIONS = ("OpenGL", "OpenCV")
DISTORTION_MODELS = ("fisheye", "brown-conrady")
HEIGHT_MAP_ENCODINGS = ("rgb16",)
POINTCLOUD_SENSOR_TASK_TYPES = ("pointcloud-cuboid-sequence", "pointcloud-vector-sequence",
                                "pointcloud-segmentation-sequence")
IMAGE_SENSOR_TASK_TYPES = ("image-vector-sequence", "image-segmentation-sequence")
ORTHO_CORNERS = ("top_left", "top_right", "bottom_right", "bottom_left")


# ---- image ------------------------------------------------------------------------------------------------------

def image_sample(attrs: dict, path: str) -> None:
    """``ImageSampleAttributes {image: URL}``."""
    image = attrs.get("image")
    if type(image) is dict:  # fast path for the bulk-insert case
        url = image.get("url")
        if (url is None or type(url) is str) and "signed_url" not in image:
            return
    elif "image" not in attrs:
        missing(f"{path}.image")
    check_url(image, f"{path}.image")


def _image_frame(frame: Any, path: str) -> None:
    check_object(frame, path)
    check_url(required(frame, "image", path), f"{path}.image")
    opt_str(frame, "name", path)
    opt_timestamp(frame, "timestamp", path)


def image_sequence_sample(attrs: dict, path: str) -> None:
    """``ImageSequenceSampleAttributes {frames: [ImageFrame]}``."""
    frames = check_list(required(attrs, "frames", path), f"{path}.frames")
    for i, frame in enumerate(frames):
        _image_frame(frame, f"{path}.frames[{i}]")


# ---- point cloud ------------------------------------------------------------------------------------------------

def _pcd(value: Any, path: str) -> None:
    check_object(value, path)
    check_str(required(value, "url", path), f"{path}.url")
    opt_str(value, "signed_url", path)
    check_enum(required(value, "type", path), PCD_TYPES, f"{path}.type")


def _distortion(value: Any, path: str) -> None:
    check_object(value, path)
    model = required(value, "model", path)
    check_enum(model, DISTORTION_MODELS, f"{path}.model")
    coefficients = check_object(required(value, "coefficients", path), f"{path}.coefficients")
    cpath = f"{path}.coefficients"
    needed = ("k1", "k2", "k3", "k4") if model == "fisheye" else ("k1", "k2", "p1", "p2", "k3")
    for key in needed:
        check_number(required(coefficients, key, cpath), f"{cpath}.{key}")
    if model == "brown-conrady":
        for key in ("k4", "k5", "k6"):
            opt_number(coefficients, key, cpath)


def _calibrated_image(value: Any, path: str) -> None:
    """``CalibratedImage`` = URL + camera calibration."""
    check_url(value, path)
    opt_int(value, "row", path)
    opt_int(value, "col", path)
    intrinsics = value.get("intrinsics")
    if intrinsics is not None:
        ipath = f"{path}.intrinsics"
        check_object(intrinsics, ipath)
        check_number_rows(required(intrinsics, "intrinsic_matrix", ipath), f"{ipath}.intrinsic_matrix")
    extrinsics = value.get("extrinsics")
    if extrinsics is not None:
        epath = f"{path}.extrinsics"
        check_object(extrinsics, epath)
        check_xyz(required(extrinsics, "translation", epath), f"{epath}.translation")
        check_xyzw(required(extrinsics, "rotation", epath), f"{epath}.rotation")
    distortion = value.get("distortion")
    if distortion is not None:
        _distortion(distortion, f"{path}.distortion")
    if "camera_convention" in value:  # default OpenGL; explicit null is rejected by the SDK model
        check_enum(value["camera_convention"], CAMERA_CONVENTIONS, f"{path}.camera_convention")
    opt_str(value, "name", path)
    opt_number(value, "rotation", path)


def _corner(value: Any, path: str) -> None:
    check_object(value, path)
    check_number(required(value, "x", path), f"{path}.x")
    check_number(required(value, "y", path), f"{path}.y")


def _ortho_image(value: Any, path: str) -> None:
    check_object(value, path)
    check_str(required(value, "url", path), f"{path}.url")
    opt_str(value, "signed_url", path)
    corners = check_object(required(value, "corners", path), f"{path}.corners")
    for key in ORTHO_CORNERS:
        _corner(required(corners, key, f"{path}.corners"), f"{path}.corners.{key}")
    height_map = value.get("height_map")
    if height_map is not None:
        hpath = f"{path}.height_map"
        check_object(height_map, hpath)
        check_str(required(height_map, "url", hpath), f"{hpath}.url")
        opt_str(height_map, "signed_url", hpath)
        check_enum(required(height_map, "encoding", hpath), HEIGHT_MAP_ENCODINGS, f"{hpath}.encoding")
        if "offset" in height_map:
            check_number(height_map["offset"], f"{hpath}.offset")
        if "scale" in height_map:
            scale = height_map["scale"]
            if not is_number(scale) or scale <= 0:
                expected(f"{hpath}.scale", "a finite number greater than 0", scale)


def _ortho_images(attrs: dict, path: str) -> None:
    images = attrs.get("ortho_images")
    if images is not None:
        check_list(images, f"{path}.ortho_images")
        for i, image in enumerate(images):
            _ortho_image(image, f"{path}.ortho_images[{i}]")


def pointcloud_sample(attrs: dict, path: str) -> None:
    """``PointcloudSampleAttributes``."""
    _pcd(required(attrs, "pcd", path), f"{path}.pcd")
    if "images" in attrs:  # defaults to []; explicit null is rejected by the SDK model
        images = check_list(attrs["images"], f"{path}.images")
        for i, image in enumerate(images):
            _calibrated_image(image, f"{path}.images[{i}]")
    ego_pose = attrs.get("ego_pose")
    if ego_pose is not None:
        epath = f"{path}.ego_pose"
        check_object(ego_pose, epath)
        check_xyz(required(ego_pose, "position", epath), f"{epath}.position")
        check_xyzw(required(ego_pose, "heading", epath), f"{epath}.heading")
    opt_number(attrs, "default_z", path)
    opt_str(attrs, "name", path)
    opt_timestamp(attrs, "timestamp", path)
    bounds = attrs.get("bounds")
    if bounds is not None:
        check_object(bounds, f"{path}.bounds")
        for key in ("min_x", "max_x", "min_y", "max_y", "min_z", "max_z"):
            opt_number(bounds, key, f"{path}.bounds")
    _ortho_images(attrs, path)


def pointcloud_sequence_sample(attrs: dict, path: str) -> None:
    """``PointcloudSequenceSampleAttributes {frames: [PointcloudSampleAttributes], ortho_images?}``."""
    frames = check_list(required(attrs, "frames", path), f"{path}.frames")
    for i, frame in enumerate(frames):
        fpath = f"{path}.frames[{i}]"
        pointcloud_sample(check_object(frame, fpath), fpath)
    _ortho_images(attrs, path)


# ---- multi-sensor -----------------------------------------------------------------------------------------------

def multi_sensor_sample(attrs: dict, path: str) -> None:
    """``MultiSensorSampleAttributes {sensors: [{name, task_type, attributes}]}``."""
    sensors = check_list(required(attrs, "sensors", path), f"{path}.sensors")
    for i, sensor in enumerate(sensors):
        spath = f"{path}.sensors[{i}]"
        check_object(sensor, spath)
        check_str(required(sensor, "name", spath), f"{spath}.name")
        task_type = required(sensor, "task_type", spath)
        check_enum(task_type, POINTCLOUD_SENSOR_TASK_TYPES + IMAGE_SENSOR_TASK_TYPES, f"{spath}.task_type")
        apath = f"{spath}.attributes"
        sensor_attrs = check_object(required(sensor, "attributes", spath), apath)
        if task_type in POINTCLOUD_SENSOR_TASK_TYPES:
            pointcloud_sequence_sample(sensor_attrs, apath)
        else:
            image_sequence_sample(sensor_attrs, apath)


# ---- text (seed 002) --------------------------------------------------------------------------------------------

def text_sample(attrs: dict, path: str) -> None:
    """``TextSampleAttributes {text: str}`` (removed from the SDK in 2024, still served for seed 002 users)."""
    check_str(required(attrs, "text", path), f"{path}.text")


# ---- task type → validator (contract §7) ------------------------------------------------------------------------

SAMPLE_VALIDATORS: dict[str, Callable[[dict, str], None]] = {
    "segmentation-bitmap": image_sample,
    "segmentation-bitmap-highres": image_sample,
    "bboxes": image_sample,
    "vector": image_sample,
    "keypoints": image_sample,
    "image-segmentation-sequence": image_sequence_sample,
    "image-vector-sequence": image_sequence_sample,
    "pointcloud-cuboid": pointcloud_sample,
    "pointcloud-segmentation": pointcloud_sample,
    "pointcloud-vector": pointcloud_sample,
    "pointcloud-cuboid-sequence": pointcloud_sequence_sample,
    "pointcloud-segmentation-sequence": pointcloud_sequence_sample,
    "pointcloud-vector-sequence": pointcloud_sequence_sample,
    "multisensor-sequence": multi_sensor_sample,
    "text-named-entities": text_sample,
    "text-span-categorization": text_sample,
}
