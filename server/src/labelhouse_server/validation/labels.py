"""Label ``attributes`` by dataset task type (contract §7 table, §9.2, Appendix A of segments-ai 1.33.0).

Beyond the SDK models' own rules this also checks what the models leave open: ``category_id`` must be one of the
dataset's categories (when it has any), annotation ids are unique within a frame, segmentation ids are positive
(0 is the background / "no object" value of bitmaps and ``point_annotations``), points arrays have the right
arity for their annotation type, and every number is finite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._checks import (
    INT_MAX,
    INT_MIN,
    check_attribute_values,
    check_bool,
    check_enum,
    check_int,
    check_list,
    check_number,
    check_number_rows,
    check_object,
    check_url,
    check_xyzw,
    enum_at,
    expected,
    fail,
    int_at,
    is_number,
    missing,
    number_at,
    opt_attribute_values,
    opt_format_version,
    opt_timestamp,
    required,
    rows_of_numbers,
    xyz_at,
)

IMAGE_VECTOR_TYPES = ("bbox", "polygon", "polyline", "point")
POINTCLOUD_VECTOR_TYPES = ("polygon", "polyline", "point")
CUBOID_TYPES = ("cuboid", "cuboid-sync")
SENSOR_TASK_TYPES = ("pointcloud-cuboid-sequence", "pointcloud-vector-sequence", "pointcloud-segmentation-sequence",
                     "image-vector-sequence", "image-segmentation-sequence")

# Number of points per annotation type: (minimum, maximum or None) and how to describe it.
POINT_COUNTS: dict[str, tuple[int, int | None, str]] = {
    "bbox": (2, 2, "exactly 2 points [[x0, y0], [x1, y1]]"),
    "polygon": (3, None, "at least 3 points"),
    "polyline": (2, None, "at least 2 points"),
    "point": (1, 1, "exactly 1 point [[x, y]]"),
}
IMAGE_POINT = (2,)
POINTCLOUD_POINT = (2, 3)


class Categories:
    """The dataset's category ids, or ``None`` when it defines none (then any integer is accepted)."""

    __slots__ = ("ids",)

    def __init__(self, task_attributes: Any) -> None:
        self.ids: frozenset[int] | None = None
        if type(task_attributes) is dict:
            categories = task_attributes.get("categories")
            if type(categories) is list and categories:
                ids = frozenset(c["id"] for c in categories if type(c) is dict and type(c.get("id")) is int)
                self.ids = ids or None

    def check_at(self, obj: dict, key: str, path: str) -> None:
        value = obj.get(key)
        ids = self.ids
        if type(value) is int and (value in ids if ids is not None else INT_MIN <= value <= INT_MAX):
            return
        path = f"{path}.{key}"
        if key not in obj:
            missing(path)
        if type(value) is not int or not INT_MIN <= value <= INT_MAX:
            expected(path, "an integer category id", value)
        if ids is not None:
            known = sorted(ids)
            shown = ", ".join(str(i) for i in known[:20]) + (f", ... ({len(known)} in all)" if len(known) > 20 else "")
            fail(path, f"{value} is not a category of this dataset (known: {shown})")


# ---- annotation pieces ------------------------------------------------------------------------------------------

def _object_base(ann: dict, path: str, cats: Categories, positive_id: bool) -> int:
    """``id``, ``category_id`` and ``attributes``; returns the id."""
    ann_id = int_at(ann, "id", path)
    if positive_id and ann_id <= 0:
        expected(f"{path}.id", "a positive integer (0 means 'no object' in segmentation labels)", ann_id)
    cats.check_at(ann, "category_id", path)
    if ann.get("attributes") is not None:
        check_attribute_values(ann["attributes"], f"{path}.attributes")
    return ann_id


def _track(ann: dict, path: str) -> None:
    int_at(ann, "track_id", path)
    if "is_keyframe" in ann:  # defaults to false; explicit null is rejected by the SDK model
        keyframe = ann["is_keyframe"]
        if keyframe is not True and keyframe is not False:
            check_bool(keyframe, f"{path}.is_keyframe")


def _points(ann: dict, path: str, kind: str, dims: tuple[int, ...]) -> None:
    """``ann["points"]``: the right number of points for ``kind``, each of ``dims`` finite numbers."""
    value: Any = ann.get("points")
    low, high, wanted = POINT_COUNTS[kind]
    if type(value) is list and low <= len(value) and (high is None or len(value) <= high) \
            and rows_of_numbers(value, dims):
        return
    # Locate the problem precisely.
    path = f"{path}.points"
    if "points" not in ann:
        missing(path)
    what = "a point [x, y]" if dims == IMAGE_POINT else "a point [x, y] or [x, y, z]"
    check_number_rows(value, path, "an array of points", what)
    for j, point in enumerate(value):
        if len(point) not in dims:
            expected(f"{path}[{j}]", what, point)
    n = len(value)
    fail(path, f"a {kind} needs {wanted}, got {n} point{'' if n == 1 else 's'}")


def _motion(ann: dict, key: str, path: str) -> None:
    """``Velocity``/``Acceleration``: ``relative`` is a required (nullable) key, ``absolute`` a required number."""
    value = ann.get(key)
    if value is None:
        return
    mpath = f"{path}.{key}"
    check_object(value, mpath)
    relative = required(value, "relative", mpath)
    if relative is not None and not is_number(relative):
        expected(f"{mpath}.relative", "a finite number or null", relative)
    check_number(required(value, "absolute", mpath), f"{mpath}.absolute")


# ---- annotations ------------------------------------------------------------------------------------------------

def segmentation_annotation(ann: dict, path: str, cats: Categories) -> int:
    return _object_base(ann, path, cats, positive_id=True)


def sequence_segmentation_annotation(ann: dict, path: str, cats: Categories) -> int:
    ann_id = _object_base(ann, path, cats, positive_id=True)
    _track(ann, path)
    return ann_id


def image_vector_annotation(ann: dict, path: str, cats: Categories) -> int:
    ann_id = _object_base(ann, path, cats, positive_id=False)
    kind = enum_at(ann, "type", IMAGE_VECTOR_TYPES, path)
    _points(ann, path, kind, IMAGE_POINT)
    return ann_id


def image_sequence_vector_annotation(ann: dict, path: str, cats: Categories) -> int:
    ann_id = image_vector_annotation(ann, path, cats)
    _track(ann, path)
    return ann_id


def cuboid_annotation(ann: dict, path: str, cats: Categories) -> int:
    ann_id = _object_base(ann, path, cats, positive_id=False)
    enum_at(ann, "type", CUBOID_TYPES, path)
    xyz_at(ann, "position", path)
    xyz_at(ann, "dimensions", path)
    number_at(ann, "yaw", path)
    rotation = ann.get("rotation")
    if rotation is not None:
        check_xyzw(rotation, f"{path}.rotation")
    _motion(ann, "velocity", path)
    _motion(ann, "acceleration", path)
    return ann_id


def sequence_cuboid_annotation(ann: dict, path: str, cats: Categories) -> int:
    ann_id = cuboid_annotation(ann, path, cats)
    _track(ann, path)
    return ann_id


def pointcloud_vector_annotation(ann: dict, path: str, cats: Categories) -> int:
    """Discriminated by ``type``: a polygon/polyline/point, or a cuboid."""
    kind = required(ann, "type", path)
    if kind in CUBOID_TYPES:
        return cuboid_annotation(ann, path, cats)
    enum_at(ann, "type", POINTCLOUD_VECTOR_TYPES + CUBOID_TYPES, path)
    ann_id = _object_base(ann, path, cats, positive_id=False)
    _points(ann, path, kind, POINTCLOUD_POINT)
    return ann_id


def sequence_pointcloud_vector_annotation(ann: dict, path: str, cats: Categories) -> int:
    ann_id = pointcloud_vector_annotation(ann, path, cats)
    _track(ann, path)
    return ann_id


def text_annotation(ann: dict, path: str, cats: Categories) -> None:
    start = int_at(ann, "start", path)
    end = int_at(ann, "end", path)
    if start < 0:
        expected(f"{path}.start", "an integer >= 0", start)
    if end < start:
        fail(f"{path}.end", f"end ({end}) must be >= start ({start})")
    cats.check_at(ann, "category_id", path)


AnnotationCheck = Callable[[dict, str, Categories], int | None]


def annotation_list(container: dict, path: str, cats: Categories, check_one: AnnotationCheck) -> None:
    """The required ``annotations`` list of a label or frame; ids must be unique within it. Empty is valid."""
    lpath = f"{path}.annotations"
    items = check_list(required(container, "annotations", path), lpath)
    seen: set[int] = set()
    for i, ann in enumerate(items):
        apath = f"{lpath}[{i}]"
        if type(ann) is not dict:
            expected(apath, "an annotation object", ann)
        ann_id = check_one(ann, apath, cats)
        if ann_id is not None:
            if ann_id in seen:
                fail(f"{apath}.id", f"id {ann_id} is used by two annotations of the same frame; ids must be unique")
            seen.add(ann_id)


# ---- label-level pieces -----------------------------------------------------------------------------------------

def _links(container: dict, path: str) -> None:
    links = container.get("links")
    if links is None:
        return
    lpath = f"{path}.links"
    check_list(links, lpath)
    for i, link in enumerate(links):
        kpath = f"{lpath}[{i}]"
        check_object(link, kpath)
        check_int(required(link, "from_id", kpath), f"{kpath}.from_id")
        check_int(required(link, "to_id", kpath), f"{kpath}.to_id")
        opt_attribute_values(link, "attributes", kpath)
        frames = link.get("frames")
        if frames is not None:
            check_list(frames, f"{kpath}.frames")
            for j, frame in enumerate(frames):
                fpath = f"{kpath}.frames[{j}]"
                check_object(frame, fpath)
                check_attribute_values(required(frame, "attributes", fpath), f"{fpath}.attributes")


def _point_annotations(container: dict, path: str) -> None:
    ppath = f"{path}.point_annotations"
    values = check_list(required(container, "point_annotations", path), ppath)
    if not values:
        return
    # Point clouds have up to millions of points: check at C speed, locate the culprit only on failure.
    if set(map(type, values)) == {int} and min(values) >= 0 and max(values) <= INT_MAX:
        return
    for j, value in enumerate(values):
        if type(value) is not int or not 0 <= value <= INT_MAX:
            expected(f"{ppath}[{j}]", "an object id (an integer >= 0, 0 = no object)", value)


def _common(container: dict, path: str) -> None:
    opt_format_version(container, "format_version", path)
    opt_attribute_values(container, "image_attributes", path)


def _frames(attrs: dict, path: str, check_frame: Callable[[dict, str, Categories], None], cats: Categories) -> None:
    fpath = f"{path}.frames"
    frames = check_list(required(attrs, "frames", path), fpath)
    for i, frame in enumerate(frames):
        ipath = f"{fpath}[{i}]"
        if type(frame) is not dict:
            expected(ipath, "a frame object", frame)
        check_frame(frame, ipath, cats)
    opt_format_version(attrs, "format_version", path)


# ---- single-frame labels ----------------------------------------------------------------------------------------

def image_vector_label(attrs: dict, path: str, cats: Categories) -> None:
    annotation_list(attrs, path, cats, image_vector_annotation)
    _common(attrs, path)


def image_segmentation_label(attrs: dict, path: str, cats: Categories) -> None:
    annotation_list(attrs, path, cats, segmentation_annotation)
    check_url(required(attrs, "segmentation_bitmap", path), f"{path}.segmentation_bitmap")
    _common(attrs, path)


def pointcloud_cuboid_label(attrs: dict, path: str, cats: Categories) -> None:
    annotation_list(attrs, path, cats, cuboid_annotation)
    _common(attrs, path)
    _links(attrs, path)


def pointcloud_vector_label(attrs: dict, path: str, cats: Categories) -> None:
    annotation_list(attrs, path, cats, pointcloud_vector_annotation)
    _common(attrs, path)
    _links(attrs, path)


def pointcloud_segmentation_label(attrs: dict, path: str, cats: Categories) -> None:
    annotation_list(attrs, path, cats, segmentation_annotation)
    _point_annotations(attrs, path)
    _common(attrs, path)


def text_label(attrs: dict, path: str, cats: Categories) -> None:
    """``TextLabelAttributes`` of seed 002 (removed from the SDK in 2024)."""
    annotation_list(attrs, path, cats, text_annotation)
    opt_format_version(attrs, "format_version", path)


# ---- sequence labels --------------------------------------------------------------------------------------------

def _image_vector_frame(frame: dict, path: str, cats: Categories) -> None:
    annotation_list(frame, path, cats, image_sequence_vector_annotation)
    opt_timestamp(frame, "timestamp", path)
    _common(frame, path)


def _image_segmentation_frame(frame: dict, path: str, cats: Categories) -> None:
    annotation_list(frame, path, cats, sequence_segmentation_annotation)
    bitmap = frame.get("segmentation_bitmap")
    if bitmap is not None:
        check_url(bitmap, f"{path}.segmentation_bitmap")
    opt_timestamp(frame, "timestamp", path)
    _common(frame, path)


def _cuboid_frame(frame: dict, path: str, cats: Categories) -> None:
    annotation_list(frame, path, cats, sequence_cuboid_annotation)
    opt_timestamp(frame, "timestamp", path)
    _common(frame, path)


def _vector_frame(frame: dict, path: str, cats: Categories) -> None:
    annotation_list(frame, path, cats, sequence_pointcloud_vector_annotation)
    opt_timestamp(frame, "timestamp", path)
    _common(frame, path)
    _links(frame, path)


def _segmentation_frame(frame: dict, path: str, cats: Categories) -> None:
    annotation_list(frame, path, cats, sequence_segmentation_annotation)
    _point_annotations(frame, path)
    opt_timestamp(frame, "timestamp", path)
    _common(frame, path)


def image_sequence_vector_label(attrs: dict, path: str, cats: Categories) -> None:
    _frames(attrs, path, _image_vector_frame, cats)


def image_sequence_segmentation_label(attrs: dict, path: str, cats: Categories) -> None:
    _frames(attrs, path, _image_segmentation_frame, cats)


def pointcloud_sequence_cuboid_label(attrs: dict, path: str, cats: Categories, with_links: bool = True) -> None:
    _frames(attrs, path, _cuboid_frame, cats)
    if with_links:
        _links(attrs, path)


def pointcloud_sequence_vector_label(attrs: dict, path: str, cats: Categories, with_links: bool = True) -> None:
    _frames(attrs, path, _vector_frame, cats)
    if with_links:
        _links(attrs, path)


def pointcloud_sequence_segmentation_label(attrs: dict, path: str, cats: Categories) -> None:
    _frames(attrs, path, _segmentation_frame, cats)


# ---- multi-sensor -----------------------------------------------------------------------------------------------

def _sensor_label(task_type: str, attrs: dict, path: str, cats: Categories) -> None:
    # The SDK's sensor models use the ``Base...`` sequence attributes (no ``links``) for point-cloud cuboid and
    # vector sensors; links of a multi-sensor label live at its top level. A ``links`` key there is ignored, as
    # the SDK ignores it.
    if task_type == "pointcloud-cuboid-sequence":
        pointcloud_sequence_cuboid_label(attrs, path, cats, with_links=False)
    elif task_type == "pointcloud-vector-sequence":
        pointcloud_sequence_vector_label(attrs, path, cats, with_links=False)
    elif task_type == "pointcloud-segmentation-sequence":
        pointcloud_sequence_segmentation_label(attrs, path, cats)
    elif task_type == "image-vector-sequence":
        image_sequence_vector_label(attrs, path, cats)
    else:
        image_sequence_segmentation_label(attrs, path, cats)


def multi_sensor_label(attrs: dict, path: str, cats: Categories) -> None:
    spath = f"{path}.sensors"
    sensors = check_list(required(attrs, "sensors", path), spath)
    for i, sensor in enumerate(sensors):
        ipath = f"{spath}[{i}]"
        check_object(sensor, ipath)
        task_type = required(sensor, "task_type", ipath)
        check_enum(task_type, SENSOR_TASK_TYPES, f"{ipath}.task_type")
        name = required(sensor, "name", ipath)
        if type(name) is not str:
            expected(f"{ipath}.name", "a string", name)
        apath = f"{ipath}.attributes"
        sensor_attrs = required(sensor, "attributes", ipath)
        if type(sensor_attrs) is list:
            if sensor_attrs:
                expected(apath, "a label object, or an empty array for an unlabeled sensor", sensor_attrs)
            continue
        if type(sensor_attrs) is not dict:
            expected(apath, "a label object, or an empty array for an unlabeled sensor", sensor_attrs)
        _sensor_label(task_type, sensor_attrs, apath, cats)
    _links(attrs, path)


# ---- task type → validator (contract §7) ------------------------------------------------------------------------

LABEL_VALIDATORS: dict[str, Callable[[dict, str, Categories], None]] = {
    "segmentation-bitmap": image_segmentation_label,
    "segmentation-bitmap-highres": image_segmentation_label,
    "bboxes": image_vector_label,
    "vector": image_vector_label,
    "keypoints": image_vector_label,
    "image-segmentation-sequence": image_sequence_segmentation_label,
    "image-vector-sequence": image_sequence_vector_label,
    "pointcloud-cuboid": pointcloud_cuboid_label,
    "pointcloud-segmentation": pointcloud_segmentation_label,
    "pointcloud-vector": pointcloud_vector_label,
    "pointcloud-cuboid-sequence": pointcloud_sequence_cuboid_label,
    "pointcloud-segmentation-sequence": pointcloud_sequence_segmentation_label,
    "pointcloud-vector-sequence": pointcloud_sequence_vector_label,
    "multisensor-sequence": multi_sensor_label,
    "text-named-entities": text_label,
    "text-span-categorization": text_label,
}
