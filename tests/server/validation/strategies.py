"""Hypothesis strategies for sample and label ``attributes`` documents, valid and invalid.

Reusable by any test (e.g. an HTTP round-trip property test of PUT/GET labels). Import with::

    from server.validation.strategies import label_case, invalid_label_case, sample_case, invalid_sample_case

(``tests/`` is on ``sys.path``; ``tests/server`` is a namespace package.)

- ``label_case(task_types)`` draws ``(task_type, task_attributes, attributes)``: a dataset task type, the dataset's
  ``task_attributes`` (with categories) and label attributes that are valid for both labelhouse and the official
  SDK models. Every value is JSON-serialisable by orjson (finite floats, no lone surrogates), so the document can
  round-trip byte for byte.
- ``invalid_label_case(task_types)`` draws ``(task_type, task_attributes, attributes, field)``: a valid case with
  one mutation (wrong type, unknown category id, malformed points, missing required key of an annotation or of
  the label itself); ``field`` is the exact path the validator must report.
- ``sample_case`` / ``invalid_sample_case`` do the same for sample attributes (``(task_type, attributes)`` and
  ``(task_type, attributes, field)``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

# ---- task types -------------------------------------------------------------------------------------------------

IMAGE_TASK_TYPES = ("segmentation-bitmap", "segmentation-bitmap-highres", "bboxes", "vector", "keypoints")
LABEL_TASK_TYPES = (
    "segmentation-bitmap", "segmentation-bitmap-highres", "bboxes", "vector", "keypoints",
    "image-vector-sequence", "image-segmentation-sequence",
    "pointcloud-cuboid", "pointcloud-vector", "pointcloud-segmentation",
    "pointcloud-cuboid-sequence", "pointcloud-vector-sequence", "pointcloud-segmentation-sequence",
    "multisensor-sequence",
)
SAMPLE_TASK_TYPES = LABEL_TASK_TYPES
TEXT_TASK_TYPES = ("text-named-entities", "text-span-categorization")

# ---- scalars ----------------------------------------------------------------------------------------------------

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=10)
floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
numbers = st.one_of(floats, st.integers(-10**6, 10**6))
timestamps = st.one_of(st.none(), text, numbers)
format_versions = st.one_of(st.just("0.1"), st.just("0.2"), st.floats(0, 10))
urls = st.builds(lambda n: f"https://example.com/{n}.png", names)

attribute_values = st.dictionaries(
    names,
    st.one_of(st.none(), text, st.booleans(), st.integers(-1000, 1000), floats, st.lists(text, max_size=3)),
    max_size=3,
)
category_id_sets = st.lists(st.integers(0, 60), min_size=1, max_size=6, unique=True)


def task_attributes(category_ids: list[int]) -> dict[str, Any]:
    return {"format_version": "0.1",
            "categories": [{"id": cid, "name": f"category-{cid}"} for cid in category_ids]}


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(required, optional=optional or {})


url_objects = _obj({}, {"url": st.one_of(st.none(), urls), "signed_url": st.one_of(st.none(), urls)})
required_url_objects = _obj({"url": urls})
xyz = _obj({"x": numbers, "y": numbers, "z": numbers})
xyzw = _obj({"qx": numbers, "qy": numbers, "qz": numbers, "qw": numbers})

# ---- annotations ------------------------------------------------------------------------------------------------

POINT_COUNTS = {"bbox": (2, 2), "polygon": (3, 8), "polyline": (2, 8), "point": (1, 1)}


def _points(kind: str, dims: int) -> st.SearchStrategy[list]:
    low, high = POINT_COUNTS[kind]
    return st.lists(st.lists(numbers, min_size=dims, max_size=dims), min_size=low, max_size=high)


def _vector_shape(kinds: tuple[str, ...], dims: int) -> st.SearchStrategy[dict]:
    return st.sampled_from(kinds).flatmap(lambda k: st.fixed_dictionaries({"type": st.just(k), "points": _points(k, dims)}))


def _cuboid_shape() -> st.SearchStrategy[dict]:
    motion = _obj({"relative": st.one_of(st.none(), numbers), "absolute": numbers})
    return _obj(
        {"type": st.sampled_from(("cuboid", "cuboid-sync")), "position": xyz, "dimensions": xyz, "yaw": numbers},
        {"rotation": st.one_of(st.none(), xyzw), "velocity": st.one_of(st.none(), motion),
         "acceleration": st.one_of(st.none(), motion)},
    )


def _shape(kind: str) -> st.SearchStrategy[dict]:
    if kind == "image-vector":
        return _vector_shape(("bbox", "polygon", "polyline", "point"), 2)
    if kind == "cuboid":
        return _cuboid_shape()
    if kind == "pointcloud-vector":
        return st.one_of(_vector_shape(("polygon", "polyline", "point"), 3), _cuboid_shape())
    return st.just({})  # segmentation: id + category_id only


@st.composite
def annotation_lists(draw: st.DrawFn, kind: str, category_ids: list[int], tracked: bool,
                     min_size: int = 0) -> list[dict]:
    """Annotations with unique ids (positive ones for segmentation)."""
    shapes = draw(st.lists(_shape(kind), min_size=min_size, max_size=4))
    ids = draw(st.lists(st.integers(1, 2**31), min_size=len(shapes), max_size=len(shapes), unique=True))
    result = []
    for ann_id, shape in zip(ids, shapes):
        ann: dict[str, Any] = {"id": ann_id, "category_id": draw(st.sampled_from(category_ids)), **shape}
        if draw(st.booleans()):
            ann["attributes"] = draw(st.one_of(st.none(), attribute_values))
        if tracked:
            ann["track_id"] = draw(st.integers(1, 10**6))
            if draw(st.booleans()):
                ann["is_keyframe"] = draw(st.booleans())
        result.append(ann)
    return result


def _common_optional() -> dict[str, st.SearchStrategy]:
    return {"format_version": st.one_of(st.none(), format_versions),
            "image_attributes": st.one_of(st.none(), attribute_values)}


links = st.lists(_obj({"from_id": st.integers(1, 100), "to_id": st.integers(1, 100)},
                      {"attributes": st.one_of(st.none(), attribute_values),
                       "frames": st.lists(_obj({"attributes": attribute_values}), max_size=2)}),
                 max_size=2)


@st.composite
def _point_annotations(draw: st.DrawFn, annotations: list[dict]) -> list[int]:
    return draw(st.lists(st.sampled_from([0] + [a["id"] for a in annotations]), max_size=30))


# ---- label attributes by task type ------------------------------------------------------------------------------

@st.composite
def _single_label(draw: st.DrawFn, task_type: str, cats: list[int], min_size: int) -> dict:
    if task_type in ("segmentation-bitmap", "segmentation-bitmap-highres"):
        anns = draw(annotation_lists("segmentation", cats, False, min_size))
        doc = {"annotations": anns, "segmentation_bitmap": draw(url_objects)}
    elif task_type in ("bboxes", "vector", "keypoints"):
        doc = {"annotations": draw(annotation_lists("image-vector", cats, False, min_size))}
    elif task_type == "pointcloud-cuboid":
        doc = {"annotations": draw(annotation_lists("cuboid", cats, False, min_size))}
    elif task_type == "pointcloud-vector":
        doc = {"annotations": draw(annotation_lists("pointcloud-vector", cats, False, min_size))}
    elif task_type == "pointcloud-segmentation":
        anns = draw(annotation_lists("segmentation", cats, False, min_size))
        doc = {"annotations": anns, "point_annotations": draw(_point_annotations(anns))}
    else:
        raise ValueError(task_type)
    doc.update(draw(_obj({}, _common_optional())))
    if task_type in ("pointcloud-cuboid", "pointcloud-vector") and draw(st.booleans()):
        doc["links"] = draw(links)
    return doc


SEQUENCE_FRAME_KIND = {
    "image-vector-sequence": "image-vector",
    "image-segmentation-sequence": "segmentation",
    "pointcloud-cuboid-sequence": "cuboid",
    "pointcloud-vector-sequence": "pointcloud-vector",
    "pointcloud-segmentation-sequence": "segmentation",
}


@st.composite
def _sequence_label(draw: st.DrawFn, task_type: str, cats: list[int], min_size: int,
                    with_links: bool = True) -> dict:
    kind = SEQUENCE_FRAME_KIND[task_type]
    frames = []
    n_frames = draw(st.integers(1 if min_size else 0, 3))
    for f in range(n_frames):
        anns = draw(annotation_lists(kind, cats, True, min_size if f == 0 else 0))
        frame: dict[str, Any] = {"annotations": anns}
        if task_type == "pointcloud-segmentation-sequence":
            frame["point_annotations"] = draw(_point_annotations(anns))
        if task_type == "image-segmentation-sequence" and draw(st.booleans()):
            frame["segmentation_bitmap"] = draw(st.one_of(st.none(), url_objects))
        frame.update(draw(_obj({}, {"timestamp": timestamps, **_common_optional()})))
        frames.append(frame)
    doc: dict[str, Any] = {"frames": frames}
    if draw(st.booleans()):
        doc["format_version"] = draw(format_versions)
    if with_links and task_type in ("pointcloud-cuboid-sequence", "pointcloud-vector-sequence") and draw(st.booleans()):
        doc["links"] = draw(links)
    return doc


@st.composite
def _multi_sensor_label(draw: st.DrawFn, cats: list[int], min_size: int) -> dict:
    sensor_types = draw(st.lists(st.sampled_from(tuple(SEQUENCE_FRAME_KIND)), min_size=1, max_size=3))
    sensors = []
    for i, sensor_type in enumerate(sensor_types):
        if i > 0 and draw(st.integers(0, 4)) == 0:
            attrs: Any = []  # an unlabeled sensor
        else:
            attrs = draw(_sequence_label(sensor_type, cats, min_size if i == 0 else 0, with_links=False))
        sensors.append({"name": f"sensor {i}", "task_type": sensor_type, "attributes": attrs})
    doc: dict[str, Any] = {"sensors": sensors}
    if draw(st.booleans()):
        doc["links"] = draw(links)
    return doc


@st.composite
def _text_label(draw: st.DrawFn, cats: list[int], min_size: int) -> dict:
    n = draw(st.integers(min_size, 4))
    anns = []
    for _ in range(n):
        start = draw(st.integers(0, 500))
        anns.append({"start": start, "end": start + draw(st.integers(0, 50)), "category_id": draw(st.sampled_from(cats))})
    doc: dict[str, Any] = {"annotations": anns}
    if draw(st.booleans()):
        doc["format_version"] = "0.1"
    return doc


def label_attributes(task_type: str, category_ids: list[int], min_annotations: int = 0) -> st.SearchStrategy[dict]:
    """Valid label attributes of ``task_type`` whose category ids are drawn from ``category_ids``."""
    if task_type in SEQUENCE_FRAME_KIND:
        return _sequence_label(task_type, category_ids, min_annotations)
    if task_type == "multisensor-sequence":
        return _multi_sensor_label(category_ids, min_annotations)
    if task_type in TEXT_TASK_TYPES:
        return _text_label(category_ids, min_annotations)
    return _single_label(task_type, category_ids, min_annotations)


@st.composite
def label_case(draw: st.DrawFn, task_types: tuple[str, ...] = LABEL_TASK_TYPES,
               min_annotations: int = 0) -> tuple[str, dict, dict]:
    """``(task_type, task_attributes, attributes)`` — valid."""
    task_type = draw(st.sampled_from(task_types))
    cats = draw(category_id_sets)
    return task_type, task_attributes(cats), draw(label_attributes(task_type, cats, min_annotations))


# ---- invalid label attributes -----------------------------------------------------------------------------------

def iter_annotations(node: Any, path: str = "attributes") -> Iterator[tuple[str, dict]]:
    """``(path, annotation)`` for every annotation of a label document (single, sequence or multi-sensor)."""
    if type(node) is not dict:
        return
    anns = node.get("annotations")
    if type(anns) is list:
        for i, ann in enumerate(anns):
            yield f"{path}.annotations[{i}]", ann
    frames = node.get("frames")
    if type(frames) is list:
        for i, frame in enumerate(frames):
            yield from iter_annotations(frame, f"{path}.frames[{i}]")
    sensors = node.get("sensors")
    if type(sensors) is list:
        for i, sensor in enumerate(sensors):
            if type(sensor) is dict:
                yield from iter_annotations(sensor.get("attributes"), f"{path}.sensors[{i}].attributes")


def _required_keys(ann: dict) -> list[str]:
    if "start" in ann:
        return ["start", "end", "category_id"]
    keys = ["id", "category_id"]
    if "points" in ann:
        keys += ["type", "points"]
    elif "position" in ann:
        keys += ["type", "position", "dimensions", "yaw"]
    if "track_id" in ann:
        keys.append("track_id")
    return keys


MUTATIONS = ("wrong_type", "unknown_category", "malformed_points", "missing_key", "missing_top_level_key")
TOP_LEVEL_REQUIRED = ("annotations", "frames", "sensors", "segmentation_bitmap", "point_annotations")
WRONG_TYPE_VALUES = {"id": "1", "category_id": "1", "track_id": 1.5, "start": None, "end": "3",
                     "points": "0,0", "position": [0, 0, 0], "dimensions": None, "yaw": "1.0", "type": 3}


@st.composite
def invalid_label_case(draw: st.DrawFn, task_types: tuple[str, ...] = LABEL_TASK_TYPES
                       ) -> tuple[str, dict, dict, str]:
    """``(task_type, task_attributes, attributes, field)`` — one mutation of a valid case; ``field`` is where."""
    task_type, task_attrs, attrs = draw(label_case(task_types, min_annotations=1))
    attrs = copy.deepcopy(attrs)
    located = list(iter_annotations(attrs))
    path, ann = draw(st.sampled_from(located))
    mutation = draw(st.sampled_from(MUTATIONS if "points" in ann else
                                    tuple(m for m in MUTATIONS if m != "malformed_points")))
    if mutation == "wrong_type":
        key = draw(st.sampled_from(_required_keys(ann)))
        ann[key] = WRONG_TYPE_VALUES[key]
        return task_type, task_attrs, attrs, f"{path}.{key}"
    if mutation == "unknown_category":
        known = [c["id"] for c in task_attrs["categories"]]
        ann["category_id"] = draw(st.integers(-5, 100).filter(lambda c: c not in known))
        return task_type, task_attrs, attrs, f"{path}.category_id"
    if mutation == "missing_top_level_key":
        key = draw(st.sampled_from([k for k in TOP_LEVEL_REQUIRED if k in attrs]))
        del attrs[key]
        return task_type, task_attrs, attrs, f"attributes.{key}"
    if mutation == "missing_key":
        key = draw(st.sampled_from(_required_keys(ann)))
        del ann[key]
        return task_type, task_attrs, attrs, f"{path}.{key}"
    # malformed points: wrong number of points, a point of the wrong arity, or a coordinate that is not a number
    points = ann["points"]
    how = draw(st.sampled_from(("count", "arity", "coordinate")))
    if how == "count":
        low, high = POINT_COUNTS[ann["type"]]
        ann["points"] = points[:1] * (low - 1) if low > 1 else points * (high + 1)
        return task_type, task_attrs, attrs, f"{path}.points"
    j = draw(st.integers(0, len(points) - 1))
    if how == "arity":
        points[j] = points[j] + [0.0, 0.0]  # 4 or 5 coordinates: too many for 2-D and 3-D points
        return task_type, task_attrs, attrs, f"{path}.points[{j}]"
    points[j][0] = draw(st.sampled_from(("1.0", None, True, [1.0])))
    return task_type, task_attrs, attrs, f"{path}.points[{j}][0]"


# ---- sample attributes ------------------------------------------------------------------------------------------

image_frames = _obj({"image": url_objects}, {"name": st.one_of(st.none(), text), "timestamp": timestamps})
image_sequence_samples = _obj({"frames": st.lists(image_frames, max_size=3)})

_distortion = st.one_of(
    _obj({"model": st.just("fisheye"),
          "coefficients": _obj({"k1": numbers, "k2": numbers, "k3": numbers, "k4": numbers})}),
    _obj({"model": st.just("brown-conrady"),
          "coefficients": _obj({"k1": numbers, "k2": numbers, "p1": numbers, "p2": numbers, "k3": numbers},
                               {"k4": st.one_of(st.none(), numbers), "k5": numbers, "k6": numbers})}),
)
calibrated_images = _obj({}, {
    "url": st.one_of(st.none(), urls), "row": st.integers(0, 3), "col": st.integers(0, 3),
    "intrinsics": _obj({"intrinsic_matrix": st.lists(st.lists(numbers, min_size=3, max_size=3),
                                                     min_size=3, max_size=3)}),
    "extrinsics": _obj({"translation": xyz, "rotation": xyzw}),
    "distortion": st.one_of(st.none(), _distortion),
    "camera_convention": st.sampled_from(("OpenGL", "OpenCV")),
    "name": st.one_of(st.none(), text), "rotation": numbers,
})
_corner = _obj({"x": numbers, "y": numbers})
ortho_images = _obj(
    {"url": urls, "corners": _obj({"top_left": _corner, "top_right": _corner, "bottom_right": _corner,
                                   "bottom_left": _corner})},
    {"signed_url": urls,
     "height_map": st.one_of(st.none(), _obj({"url": urls, "encoding": st.just("rgb16")},
                                             {"offset": numbers, "scale": st.floats(1e-6, 1e6)}))},
)
pointcloud_samples = _obj(
    {"pcd": _obj({"url": urls, "type": st.sampled_from(("pcd", "binary-xyzi", "kitti", "binary-xyzir", "nuscenes",
                                                         "ply", "las", "splat"))},
                 {"signed_url": st.one_of(st.none(), urls)})},
    {"images": st.lists(calibrated_images, max_size=2),
     "ego_pose": st.one_of(st.none(), _obj({"position": xyz, "heading": xyzw})),
     "default_z": st.one_of(st.none(), numbers), "name": st.one_of(st.none(), text), "timestamp": timestamps,
     "bounds": _obj({}, {k: st.one_of(st.none(), numbers) for k in ("min_x", "max_x", "min_y", "max_y", "min_z", "max_z")}),
     "ortho_images": st.lists(ortho_images, max_size=1)},
)
pointcloud_sequence_samples = _obj({"frames": st.lists(pointcloud_samples, max_size=2)},
                                   {"ortho_images": st.lists(ortho_images, max_size=1)})
multi_sensor_samples = _obj({"sensors": st.lists(st.one_of(
    _obj({"name": names, "task_type": st.sampled_from(("pointcloud-cuboid-sequence", "pointcloud-vector-sequence",
                                                        "pointcloud-segmentation-sequence")),
          "attributes": pointcloud_sequence_samples}),
    _obj({"name": names, "task_type": st.sampled_from(("image-vector-sequence", "image-segmentation-sequence")),
          "attributes": image_sequence_samples}),
), min_size=1, max_size=3)})


def sample_attributes(task_type: str) -> st.SearchStrategy[dict]:
    if task_type in IMAGE_TASK_TYPES:
        return _obj({"image": url_objects})
    if task_type in ("image-vector-sequence", "image-segmentation-sequence"):
        return image_sequence_samples
    if task_type in ("pointcloud-cuboid", "pointcloud-vector", "pointcloud-segmentation"):
        return pointcloud_samples
    if task_type in ("pointcloud-cuboid-sequence", "pointcloud-vector-sequence", "pointcloud-segmentation-sequence"):
        return pointcloud_sequence_samples
    if task_type == "multisensor-sequence":
        return multi_sensor_samples
    if task_type in TEXT_TASK_TYPES:
        return _obj({"text": text})
    raise ValueError(task_type)


@st.composite
def sample_case(draw: st.DrawFn, task_types: tuple[str, ...] = SAMPLE_TASK_TYPES) -> tuple[str, dict]:
    task_type = draw(st.sampled_from(task_types))
    return task_type, draw(sample_attributes(task_type))


@st.composite
def invalid_sample_case(draw: st.DrawFn, task_types: tuple[str, ...] = SAMPLE_TASK_TYPES) -> tuple[str, dict, str]:
    """``(task_type, attributes, field)`` — a valid sample with one top-level or first-item mutation."""
    task_type, attrs = draw(sample_case(task_types))
    attrs = copy.deepcopy(attrs)
    if "image" in attrs:
        if draw(st.booleans()):
            del attrs["image"]
            return task_type, attrs, "attributes.image"
        attrs["image"]["url"] = draw(st.sampled_from((1, True, ["u"], {"u": 1})))
        return task_type, attrs, "attributes.image.url"
    if "pcd" in attrs:
        which = draw(st.sampled_from(("url", "type", "missing")))
        if which == "missing":
            del attrs["pcd"]
            return task_type, attrs, "attributes.pcd"
        attrs["pcd"][which] = draw(st.sampled_from((None, 3, "bogus-format"))) if which == "type" else None
        return task_type, attrs, f"attributes.pcd.{which}"
    if "sensors" in attrs:
        attrs["sensors"][0]["task_type"] = "pointcloud-cuboid"  # not a sensor task type
        return task_type, attrs, "attributes.sensors[0].task_type"
    if "text" in attrs:
        attrs["text"] = draw(st.sampled_from((None, 1, ["a"])))
        return task_type, attrs, "attributes.text"
    if draw(st.booleans()) or not attrs["frames"]:
        attrs["frames"] = draw(st.sampled_from(({}, "frames", None)))
        return task_type, attrs, "attributes.frames"
    frame = attrs["frames"][0]
    key = "image" if "image" in frame else "pcd"
    del frame[key]
    return task_type, attrs, f"attributes.frames[0].{key}"
