"""Label attributes: every label type of contract §9.2 (+ seed 002 text), valid and invalid, with field paths."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from labelhouse_server.errors import Invalid
from labelhouse_server.validation import validate_label_attributes

FORBIDDEN = ("not found", "does not exist", "already exists")
CATS = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"},
                                                {"id": 3, "name": "bike"}, {"id": 4, "name": "sign"}]}
OBJECT_ATTRIBUTES = {"color": "red", "occluded": True, "wheels": 4, "score": 0.5, "tags": ["a", "b"], "note": None}

SEGMENTATION = {
    "format_version": "0.1",
    "annotations": [{"id": 1, "category_id": 1, "attributes": OBJECT_ATTRIBUTES}, {"id": 2, "category_id": 4}],
    "segmentation_bitmap": {"url": "https://example.com/label.png"},
    "image_attributes": {"weather": "sunny"},
}
VECTOR = {
    "format_version": "0.1",
    "annotations": [
        {"id": 1, "category_id": 1, "type": "bbox", "points": [[12.34, 56.78], [90.12, 34.56]],
         "attributes": OBJECT_ATTRIBUTES},
        {"id": 2, "category_id": 2, "type": "polygon", "points": [[0, 0], [10, 0], [10, 10], [0, 10]]},
        {"id": 3, "category_id": 3, "type": "polyline", "points": [[0, 0], [5.5, 5.5]]},
        {"id": 4, "category_id": 4, "type": "point", "points": [[1, 2]]},
    ],
    "image_attributes": {"scene": "crossroads"},
}
KEYPOINTS = {"annotations": [{"id": 7, "category_id": 1, "type": "point", "points": [[3.0, 4.0]]}]}


def _tracked(annotations: list[dict], start: int = 10) -> list[dict]:
    return [{**a, "track_id": start + i, "is_keyframe": i == 0} for i, a in enumerate(annotations)]


IMAGE_VECTOR_SEQUENCE = {"format_version": "0.2", "frames": [
    {"format_version": "0.1", "timestamp": "00001", "annotations": _tracked(VECTOR["annotations"]),
     "image_attributes": {"scene": "x"}},
    {"annotations": []},
]}
IMAGE_SEGMENTATION_SEQUENCE = {"frames": [
    {"annotations": _tracked(SEGMENTATION["annotations"]), "segmentation_bitmap": {"url": "https://e/1.png"}},
    {"annotations": [], "segmentation_bitmap": None, "timestamp": 2},
]}
CUBOID = {"id": 1, "category_id": 1, "type": "cuboid", "position": {"x": 0.0, "y": 0.2, "z": 0.5},
          "dimensions": {"x": 1.2, "y": 1, "z": 1}, "yaw": 1.63}
CUBOID_FULL = {**CUBOID, "id": 2, "type": "cuboid-sync", "rotation": {"qx": 0, "qy": 0, "qz": 0.7, "qw": 0.7},
               "velocity": {"relative": None, "absolute": 3.2}, "acceleration": {"relative": 0.1, "absolute": 0},
               "attributes": OBJECT_ATTRIBUTES}
LINKS = [{"from_id": 1, "to_id": 2, "attributes": {"kind": "tows"}, "frames": [{"attributes": {"on": True}}]}]
POINTCLOUD_CUBOID = {"format_version": "0.1", "annotations": [CUBOID, CUBOID_FULL], "links": LINKS}
PC_POLYGON = {"id": 3, "category_id": 2, "type": "polygon", "points": [[0, 0, 0], [1, 0, 0], [1, 1, 0.5]]}
PC_POLYLINE_2D = {"id": 4, "category_id": 2, "type": "polyline", "points": [[0, 0], [1, 0]]}
PC_POINT = {"id": 5, "category_id": 3, "type": "point", "points": [[1, 2, 3]]}
POINTCLOUD_VECTOR = {"annotations": [CUBOID, PC_POLYGON, PC_POLYLINE_2D, PC_POINT], "links": []}
POINTCLOUD_SEGMENTATION = {"annotations": [{"id": 1, "category_id": 1}, {"id": 2, "category_id": 1},
                                           {"id": 3, "category_id": 4}],
                           "point_annotations": [0, 0, 0, 3, 2, 2, 2, 1, 3]}
PC_CUBOID_SEQUENCE = {"format_version": "0.2", "frames": [
    {"format_version": "0.2", "timestamp": "00001", "annotations": _tracked([CUBOID, CUBOID_FULL])},
    {"annotations": []},
], "links": LINKS}
PC_VECTOR_SEQUENCE = {"frames": [
    {"timestamp": 1, "annotations": _tracked([CUBOID, PC_POLYGON, PC_POLYLINE_2D, PC_POINT]), "links": LINKS},
]}
PC_SEGMENTATION_SEQUENCE = {"frames": [
    {"annotations": _tracked(POINTCLOUD_SEGMENTATION["annotations"]), "point_annotations": [0, 1, 2, 3]},
    {"annotations": [], "point_annotations": []},
]}
MULTI_SENSOR = {"sensors": [
    {"name": "Lidar", "task_type": "pointcloud-cuboid-sequence", "attributes": PC_CUBOID_SEQUENCE},
    {"name": "Lidar 2", "task_type": "pointcloud-vector-sequence", "attributes": PC_VECTOR_SEQUENCE},
    {"name": "Lidar 3", "task_type": "pointcloud-segmentation-sequence", "attributes": PC_SEGMENTATION_SEQUENCE},
    {"name": "Camera 1", "task_type": "image-vector-sequence", "attributes": IMAGE_VECTOR_SEQUENCE},
    {"name": "Camera 2", "task_type": "image-segmentation-sequence", "attributes": IMAGE_SEGMENTATION_SEQUENCE},
    {"name": "Camera 3", "task_type": "image-vector-sequence", "attributes": []},
], "links": [{"from_id": 10, "to_id": 11}]}
TEXT = {"format_version": "0.1", "annotations": [{"start": 0, "end": 5, "category_id": 1},
                                                 {"start": 6, "end": 6, "category_id": 2}]}

VALID: list[tuple[str, dict[str, Any]]] = [
    ("segmentation-bitmap", SEGMENTATION),
    ("segmentation-bitmap-highres", SEGMENTATION),
    ("segmentation-bitmap", {"annotations": [], "segmentation_bitmap": {}}),
    ("vector", VECTOR),
    ("bboxes", VECTOR),
    ("bboxes", {"annotations": []}),
    ("keypoints", KEYPOINTS),
    ("image-vector-sequence", IMAGE_VECTOR_SEQUENCE),
    ("image-vector-sequence", {"frames": []}),
    ("image-segmentation-sequence", IMAGE_SEGMENTATION_SEQUENCE),
    ("pointcloud-cuboid", POINTCLOUD_CUBOID),
    ("pointcloud-cuboid", {"annotations": [], "links": None, "image_attributes": None, "format_version": None}),
    ("pointcloud-vector", POINTCLOUD_VECTOR),
    ("pointcloud-segmentation", POINTCLOUD_SEGMENTATION),
    ("pointcloud-segmentation", {"annotations": [], "point_annotations": []}),
    ("pointcloud-cuboid-sequence", PC_CUBOID_SEQUENCE),
    ("pointcloud-vector-sequence", PC_VECTOR_SEQUENCE),
    ("pointcloud-segmentation-sequence", PC_SEGMENTATION_SEQUENCE),
    ("multisensor-sequence", MULTI_SENSOR),
    ("multisensor-sequence", {"sensors": []}),
    ("text-named-entities", TEXT),
    ("text-span-categorization", {"annotations": []}),
    ("", {"anything": "goes"}),
    ("vector", {**VECTOR, "unknown_top_level_key": {"kept": True}}),
]


@pytest.mark.parametrize(("task_type", "attributes"), VALID)
def test_valid_label_attributes_are_accepted_and_untouched(task_type: str, attributes: dict) -> None:
    before = copy.deepcopy(attributes)
    assert validate_label_attributes(task_type, CATS, attributes) is None
    assert attributes == before


DELETE = object()


def _with(base: dict, path: list[Any], value: Any) -> dict:
    doc = copy.deepcopy(base)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


A = ["annotations"]
INVALID: list[tuple[str, Any, str]] = [
    ("vector", None, "attributes"),
    ("vector", [], "attributes"),
    # image segmentation
    ("segmentation-bitmap", _with(SEGMENTATION, A, DELETE), "attributes.annotations"),
    ("segmentation-bitmap", _with(SEGMENTATION, A, None), "attributes.annotations"),
    ("segmentation-bitmap", _with(SEGMENTATION, ["segmentation_bitmap"], DELETE), "attributes.segmentation_bitmap"),
    ("segmentation-bitmap", _with(SEGMENTATION, ["segmentation_bitmap"], "https://e/x.png"),
     "attributes.segmentation_bitmap"),
    ("segmentation-bitmap", _with(SEGMENTATION, [*A, 1, "id"], 0), "attributes.annotations[1].id"),
    ("segmentation-bitmap", _with(SEGMENTATION, [*A, 1, "id"], -3), "attributes.annotations[1].id"),
    ("segmentation-bitmap", _with(SEGMENTATION, [*A, 1, "id"], 1), "attributes.annotations[1].id"),
    ("segmentation-bitmap", _with(SEGMENTATION, [*A, 1, "category_id"], 7), "attributes.annotations[1].category_id"),
    ("segmentation-bitmap", _with(SEGMENTATION, [*A, 0, "attributes", "color"], {"r": 1}),
     "attributes.annotations[0].attributes.color"),
    ("segmentation-bitmap", _with(SEGMENTATION, [*A, 0, "attributes", "tags", 1], 2),
     "attributes.annotations[0].attributes.tags[1]"),
    ("segmentation-bitmap", _with(SEGMENTATION, [*A, 0, "attributes"], ["red"]),
     "attributes.annotations[0].attributes"),
    ("segmentation-bitmap", _with(SEGMENTATION, ["image_attributes"], "sunny"), "attributes.image_attributes"),
    ("segmentation-bitmap", _with(SEGMENTATION, ["format_version"], ["0.1"]), "attributes.format_version"),
    ("segmentation-bitmap", _with(SEGMENTATION, [*A, 0], 5), "attributes.annotations[0]"),
    # image vector
    ("vector", _with(VECTOR, [*A, 3, "category_id"], 99), "attributes.annotations[3].category_id"),
    ("vector", _with(VECTOR, [*A, 3, "category_id"], "1"), "attributes.annotations[3].category_id"),
    ("vector", _with(VECTOR, [*A, 3, "category_id"], DELETE), "attributes.annotations[3].category_id"),
    ("vector", _with(VECTOR, [*A, 2, "id"], 1.0), "attributes.annotations[2].id"),
    ("vector", _with(VECTOR, [*A, 2, "id"], True), "attributes.annotations[2].id"),
    ("vector", _with(VECTOR, [*A, 2, "id"], 2), "attributes.annotations[2].id"),
    ("vector", _with(VECTOR, [*A, 0, "type"], "circle"), "attributes.annotations[0].type"),
    ("vector", _with(VECTOR, [*A, 0, "type"], DELETE), "attributes.annotations[0].type"),
    ("vector", _with(VECTOR, [*A, 0, "points"], DELETE), "attributes.annotations[0].points"),
    ("vector", _with(VECTOR, [*A, 0, "points"], [[1, 2], [3, 4], [5, 6]]), "attributes.annotations[0].points"),
    ("vector", _with(VECTOR, [*A, 0, "points"], [1, 2, 3, 4]), "attributes.annotations[0].points[0]"),
    ("vector", _with(VECTOR, [*A, 1, "points"], [[0, 0], [1, 1]]), "attributes.annotations[1].points"),
    ("vector", _with(VECTOR, [*A, 2, "points"], [[0, 0]]), "attributes.annotations[2].points"),
    ("vector", _with(VECTOR, [*A, 3, "points"], []), "attributes.annotations[3].points"),
    ("vector", _with(VECTOR, [*A, 3, "points"], [[1, 2, 3]]), "attributes.annotations[3].points[0]"),
    ("vector", _with(VECTOR, [*A, 1, "points", 2, 1], "10"), "attributes.annotations[1].points[2][1]"),
    ("vector", _with(VECTOR, [*A, 1, "points", 2, 1], float("inf")), "attributes.annotations[1].points[2][1]"),
    ("vector", _with(VECTOR, [*A, 1, "points"], {"x": 1}), "attributes.annotations[1].points"),
    ("keypoints", _with(KEYPOINTS, [*A, 0, "points"], [[1, 2], [3, 4]]), "attributes.annotations[0].points"),
    # image sequences
    ("image-vector-sequence", {}, "attributes.frames"),
    ("image-vector-sequence", _with(IMAGE_VECTOR_SEQUENCE, ["frames", 1], []), "attributes.frames[1]"),
    ("image-vector-sequence", _with(IMAGE_VECTOR_SEQUENCE, ["frames", 0, *A, 1, "track_id"], DELETE),
     "attributes.frames[0].annotations[1].track_id"),
    ("image-vector-sequence", _with(IMAGE_VECTOR_SEQUENCE, ["frames", 0, *A, 1, "is_keyframe"], None),
     "attributes.frames[0].annotations[1].is_keyframe"),
    ("image-vector-sequence", _with(IMAGE_VECTOR_SEQUENCE, ["frames", 0, *A, 1, "points"], [[0, 0]]),
     "attributes.frames[0].annotations[1].points"),
    ("image-vector-sequence", _with(IMAGE_VECTOR_SEQUENCE, ["frames", 0, "timestamp"], {}),
     "attributes.frames[0].timestamp"),
    ("image-segmentation-sequence", _with(IMAGE_SEGMENTATION_SEQUENCE, ["frames", 0, "segmentation_bitmap"], 3),
     "attributes.frames[0].segmentation_bitmap"),
    ("image-segmentation-sequence", _with(IMAGE_SEGMENTATION_SEQUENCE, ["frames", 0, *A, 0, "id"], 0),
     "attributes.frames[0].annotations[0].id"),
    # point-cloud cuboids
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 0, "position"], DELETE), "attributes.annotations[0].position"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 0, "dimensions", "z"], DELETE),
     "attributes.annotations[0].dimensions.z"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 0, "yaw"], None), "attributes.annotations[0].yaw"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 0, "type"], "box"), "attributes.annotations[0].type"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 0, "type"], "polygon"), "attributes.annotations[0].type"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 1, "rotation", "qw"], "1"),
     "attributes.annotations[1].rotation.qw"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 1, "velocity", "relative"], DELETE),
     "attributes.annotations[1].velocity.relative"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 1, "acceleration", "absolute"], None),
     "attributes.annotations[1].acceleration.absolute"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, [*A, 1, "category_id"], 0),
     "attributes.annotations[1].category_id"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, ["links", 0, "to_id"], DELETE), "attributes.links[0].to_id"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, ["links", 0, "frames", 0, "attributes"], None),
     "attributes.links[0].frames[0].attributes"),
    ("pointcloud-cuboid", _with(POINTCLOUD_CUBOID, ["links"], {}), "attributes.links"),
    # point-cloud vector
    ("pointcloud-vector", _with(POINTCLOUD_VECTOR, [*A, 1, "type"], "bbox"), "attributes.annotations[1].type"),
    ("pointcloud-vector", _with(POINTCLOUD_VECTOR, [*A, 1, "type"], DELETE), "attributes.annotations[1].type"),
    ("pointcloud-vector", _with(POINTCLOUD_VECTOR, [*A, 1, "points"], [[0, 0, 0], [1, 1, 1]]),
     "attributes.annotations[1].points"),
    ("pointcloud-vector", _with(POINTCLOUD_VECTOR, [*A, 3, "points", 0], [1, 2, 3, 4]),
     "attributes.annotations[3].points[0]"),
    ("pointcloud-vector", _with(POINTCLOUD_VECTOR, [*A, 0, "position"], DELETE), "attributes.annotations[0].position"),
    # point-cloud segmentation
    ("pointcloud-segmentation", _with(POINTCLOUD_SEGMENTATION, ["point_annotations"], DELETE),
     "attributes.point_annotations"),
    ("pointcloud-segmentation", _with(POINTCLOUD_SEGMENTATION, ["point_annotations", 4], -1),
     "attributes.point_annotations[4]"),
    ("pointcloud-segmentation", _with(POINTCLOUD_SEGMENTATION, ["point_annotations", 5], 2.0),
     "attributes.point_annotations[5]"),
    ("pointcloud-segmentation", _with(POINTCLOUD_SEGMENTATION, [*A, 2, "id"], 0), "attributes.annotations[2].id"),
    # point-cloud sequences
    ("pointcloud-cuboid-sequence", _with(PC_CUBOID_SEQUENCE, ["frames", 0, *A, 1, "track_id"], "6"),
     "attributes.frames[0].annotations[1].track_id"),
    ("pointcloud-cuboid-sequence", _with(PC_CUBOID_SEQUENCE, ["links", 0, "from_id"], None),
     "attributes.links[0].from_id"),
    ("pointcloud-vector-sequence", _with(PC_VECTOR_SEQUENCE, ["frames", 0, *A, 3, "points"], []),
     "attributes.frames[0].annotations[3].points"),
    ("pointcloud-vector-sequence", _with(PC_VECTOR_SEQUENCE, ["frames", 0, "links", 0, "attributes"], "x"),
     "attributes.frames[0].links[0].attributes"),
    ("pointcloud-segmentation-sequence", _with(PC_SEGMENTATION_SEQUENCE, ["frames", 1, "point_annotations"], None),
     "attributes.frames[1].point_annotations"),
    ("pointcloud-segmentation-sequence", _with(PC_SEGMENTATION_SEQUENCE, ["frames", 0, *A, 2, "category_id"], 5),
     "attributes.frames[0].annotations[2].category_id"),
    # multi-sensor
    ("multisensor-sequence", {}, "attributes.sensors"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 0, "task_type"], "pointcloud-cuboid"),
     "attributes.sensors[0].task_type"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 0, "name"], None), "attributes.sensors[0].name"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 5, "attributes"], [{"frames": []}]),
     "attributes.sensors[5].attributes"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 5, "attributes"], None), "attributes.sensors[5].attributes"),
    ("multisensor-sequence",
     _with(MULTI_SENSOR, ["sensors", 3, "attributes", "frames", 0, *A, 2, "category_id"], 42),
     "attributes.sensors[3].attributes.frames[0].annotations[2].category_id"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["sensors", 1, "attributes", "frames", 0, *A, 0, "yaw"], "0"),
     "attributes.sensors[1].attributes.frames[0].annotations[0].yaw"),
    ("multisensor-sequence", _with(MULTI_SENSOR, ["links", 0], "10-11"), "attributes.links[0]"),
    # text (seed 002)
    ("text-named-entities", _with(TEXT, [*A, 0, "start"], -1), "attributes.annotations[0].start"),
    ("text-named-entities", _with(TEXT, [*A, 0, "end"], DELETE), "attributes.annotations[0].end"),
    ("text-named-entities", _with(TEXT, [*A, 1, "end"], 5), "attributes.annotations[1].end"),
    ("text-span-categorization", _with(TEXT, [*A, 1, "category_id"], 9), "attributes.annotations[1].category_id"),
]


@pytest.mark.parametrize(("task_type", "attributes", "field"), INVALID)
def test_invalid_label_attributes_name_the_field(task_type: str, attributes: Any, field: str) -> None:
    before = copy.deepcopy(attributes)
    with pytest.raises(Invalid) as caught:
        validate_label_attributes(task_type, CATS, attributes)
    assert caught.value.field == field
    assert caught.value.detail.startswith(f"{field}: ")
    assert not any(phrase in caught.value.detail.lower() for phrase in FORBIDDEN)
    assert repr(attributes) == repr(before)  # untouched (repr: nan != nan)


def test_category_message_lists_the_known_categories() -> None:
    with pytest.raises(Invalid) as caught:
        validate_label_attributes("vector", {"categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]},
                                  {"annotations": [{**VECTOR["annotations"][3], "category_id": 7}]})
    assert caught.value.detail == ("attributes.annotations[0].category_id: 7 is not a category of this dataset "
                                   "(known: 1, 2)")


def test_long_category_lists_are_shortened_in_the_message() -> None:
    many = {"categories": [{"id": i, "name": f"c{i}"} for i in range(100, 150)]}
    with pytest.raises(Invalid) as caught:
        validate_label_attributes("vector", many, KEYPOINTS)
    assert caught.value.detail.endswith("(known: 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, "
                                        "113, 114, 115, 116, 117, 118, 119, ... (50 in all))")


@pytest.mark.parametrize("task_attributes", [None, {}, {"categories": []}, {"categories": None}])
def test_without_dataset_categories_any_integer_category_is_accepted(task_attributes: Any) -> None:
    validate_label_attributes("vector", task_attributes, _with(VECTOR, [*A, 0, "category_id"], 12345))
    with pytest.raises(Invalid) as caught:
        validate_label_attributes("vector", task_attributes, _with(VECTOR, [*A, 0, "category_id"], "12345"))
    assert caught.value.field == "attributes.annotations[0].category_id"


def test_ids_need_only_be_unique_within_one_frame() -> None:
    same_ids = {"frames": [{"annotations": _tracked([KEYPOINTS["annotations"][0]])},
                           {"annotations": _tracked([KEYPOINTS["annotations"][0]])}]}
    validate_label_attributes("image-vector-sequence", CATS, same_ids)


def test_a_million_point_annotations_are_checked_and_a_bad_one_is_located() -> None:
    # (how fast: bench/validation_bench.py)
    big = {"annotations": [{"id": 1, "category_id": 1}], "point_annotations": [0, 1] * 500_000}
    validate_label_attributes("pointcloud-segmentation", CATS, big)
    big["point_annotations"][777_777] = "1"
    with pytest.raises(Invalid) as caught:
        validate_label_attributes("pointcloud-segmentation", CATS, big)
    assert caught.value.field == "attributes.point_annotations[777777]"


SDK_TRIGGERS = ("not found", "does not exist", "already exists", "already have", "do not have permission",
                "time-out", "invalid page", "authentication credentials were not provided")


@pytest.mark.parametrize("phrase", SDK_TRIGGERS)
def test_user_text_echoed_in_errors_never_carries_an_sdk_trigger_phrase(phrase: str) -> None:
    """The official SDK classifies any error body containing these phrases (a 400 would become NotFoundError...)."""
    as_value = _with(VECTOR, [*A, 0, "type"], phrase.title())
    as_key = _with(VECTOR, [*A, 0, "attributes"], {phrase: {"nested": 1}})
    for attributes in (as_value, as_key):
        with pytest.raises(Invalid) as caught:
            validate_label_attributes("vector", CATS, attributes)
        body = orjson.dumps(caught.value.body()).decode().lower()  # what the SDK reads: the raw body
        assert phrase not in body
        assert caught.value.field.startswith("attributes.annotations[0].")
