"""``labelbox/annotations.py`` on its own: NDJSON lines (contract §3.2) -> Segments ``vector`` label attributes ->
export-v2 annotations (§3.4), with the Segments validator as the judge of the stored document."""

from __future__ import annotations

import orjson
import pytest
from labelhouse_server.labelbox import annotations as A
from labelhouse_server.validation import validate_label_attributes

NORMALIZED = {
    "tools": [
        {"tool": "rectangle", "name": "car", "color": "#ff0000", "featureSchemaId": "cf1",
         "classifications": [{"type": "text", "name": "plate", "featureSchemaId": "cf2", "options": []}]},
        {"tool": "polygon", "name": "road", "featureSchemaId": "cf3", "classifications": []},
        {"tool": "point", "name": "person", "featureSchemaId": "cf4", "classifications": []},
        {"tool": "line", "name": "lane", "featureSchemaId": "cf5", "classifications": []},
        {"tool": "raster-segmentation", "name": "sky", "featureSchemaId": "cfm", "classifications": []},
    ],
    "classifications": [
        {"type": "radio", "name": "weather", "featureSchemaId": "cf6",
         "options": [{"value": "sunny", "label": "sunny", "featureSchemaId": "cf7"},
                     {"value": "rain", "label": "rain", "featureSchemaId": "cf8"}]},
        {"type": "checklist", "name": "flags", "featureSchemaId": "cf9",
         "options": [{"value": "blurry", "label": "blurry", "featureSchemaId": "cfa"},
                     {"value": "dark", "label": "dark", "featureSchemaId": "cfb"}]},
        {"type": "text", "name": "caption", "featureSchemaId": "cfc", "options": []},
    ],
}
LINES = [
    {"uuid": "d44b4ea0-5779-452f-8b0d-e287783fe128", "dataRow": {"globalKey": "ex-img"}, "name": "car",
     "classifications": [{"name": "plate", "answer": "ABC123"}],
     "bbox": {"top": 20.0, "left": 10.0, "height": 60.0, "width": 50.0}},
    {"uuid": "ab94360f-e7c6-4adf-9abd-b899e6231845", "dataRow": {"globalKey": "ex-img"}, "name": "road",
     "classifications": [], "polygon": [{"x": 1.0, "y": 1.0}, {"x": 50.0, "y": 1.0}, {"x": 25.0, "y": 40.0}]},
    {"uuid": "a039d3bf-eda5-4094-a601-4abd30bc598f", "dataRow": {"globalKey": "ex-img"}, "schemaId": "cf4",
     "point": {"x": 5.0, "y": 6.0}},
    {"uuid": "11034510-eb2f-4fcd-857d-5a812c2133be", "dataRow": {"globalKey": "ex-img"}, "name": "lane",
     "line": [{"x": 1.0, "y": 1.0}, {"x": 5.0, "y": 5.0}]},
    {"name": "weather", "answer": {"name": "sunny"}, "uuid": "99636da9-1bc1-4965-9592-4de72a9b45c8",
     "dataRow": {"globalKey": "ex-img"}},
    {"name": "flags", "answer": [{"name": "blurry"}, {"name": "dark"}], "uuid": "7fa83131-fa99-4e7b-b9b2-e6d2f64a8160",
     "dataRow": {"globalKey": "ex-img"}},
    {"name": "caption", "answer": "a car", "uuid": "a2857baf-3674-47e6-bf0f-54193583bb9b",
     "dataRow": {"globalKey": "ex-img"}},
    {"uuid": "5b0e3c4a-6a3e-4a43-a3a1-2f0d3f7b8c11", "dataRow": {"globalKey": "ex-img"}, "name": "sky",
     "mask": {"instanceURI": "http://host/files/m.png", "colorRGB": [255, 0, 0]}},
]


@pytest.fixture()
def ontology() -> A.OntologyIndex:
    return A.OntologyIndex.from_normalized(NORMALIZED)


def test_lines_become_a_valid_segments_vector_label_and_export_back(ontology: A.OntologyIndex) -> None:
    task_attributes, category_ids, changed = A.merge_categories(None, ontology)
    assert changed and [c["name"] for c in task_attributes["categories"]] == ["car", "road", "person", "lane"]
    assert task_attributes["categories"][0]["attributes"] == [{"name": "plate", "input_type": "text"}]
    converted = [A.convert_line(line, ontology, media_type="IMAGE", size=(640, 480)) for line in LINES]
    doc = A.apply(None, converted, category_ids)
    validate_label_attributes("vector", task_attributes, doc)
    assert doc["annotations"][0]["points"] == [[10.0, 20.0], [60.0, 80.0]]
    assert doc["annotations"][0]["attributes"] == {"plate": "ABC123"}
    assert doc["image_attributes"] == {"weather": "sunny", "flags": ["blurry", "dark"], "caption": "a car"}
    # idempotent per uuid: the same lines again change nothing
    assert A.apply(orjson.dumps(doc).decode(), converted, category_ids) == doc
    assert A.annotation_uuids(doc) == {line["uuid"] for line in LINES}

    exported = A.export_annotations(doc, ontology, categories=task_attributes["categories"])
    objects = {o["feature_id"]: o for o in exported["objects"]}
    car = objects[LINES[0]["uuid"]]
    assert car["annotation_kind"] == "ImageBoundingBox" and car["feature_schema_id"] == "cf1"
    assert car["bounding_box"] == LINES[0]["bbox"]
    assert car["classifications"][0]["text_answer"] == {"content": "ABC123"}
    assert objects[LINES[1]["uuid"]]["polygon"] == LINES[1]["polygon"]
    assert objects[LINES[2]["uuid"]]["point"] == {"x": 5.0, "y": 6.0}
    assert objects[LINES[3]["uuid"]]["line"] == LINES[3]["line"]
    assert objects[LINES[7]["uuid"]]["mask"] == {"url": "http://host/files/m.png", "color_rgb": [255, 0, 0]}
    by_name = {c["name"]: c for c in exported["classifications"]}
    assert by_name["weather"]["radio_answer"]["value"] == "sunny"
    assert by_name["weather"]["feature_id"] == LINES[4]["uuid"]
    assert [a["value"] for a in by_name["flags"]["checklist_answers"]] == ["blurry", "dark"]
    assert by_name["caption"]["text_answer"] == {"content": "a car"}
    assert exported["relationships"] == []


def test_a_label_written_through_segments_exports_through_its_categories(ontology: A.OntologyIndex) -> None:
    task_attributes, _, _ = A.merge_categories(None, ontology)
    doc = {"format_version": "0.1", "annotations": [
        {"id": 7, "category_id": 1, "type": "bbox", "points": [[1, 2], [11, 22]]}]}
    exported = A.export_annotations(doc, ontology, categories=task_attributes["categories"], label_key="L1")
    (obj,) = exported["objects"]
    assert obj["name"] == "car" and obj["bounding_box"] == {"top": 2.0, "left": 1.0, "height": 20.0, "width": 10.0}
    assert obj["feature_id"] == A.export_annotations(doc, ontology, categories=task_attributes["categories"],
                                                     label_key="L1")["objects"][0]["feature_id"]


@pytest.mark.parametrize(("line", "name"), [
    ({"name": "nope", "point": {"x": 1, "y": 1}}, "UnknownFeatureSchema"),
    ({"schemaId": "cunknown", "point": {"x": 1, "y": 1}}, "UnknownFeatureSchema"),
    ({"name": "car", "point": {"x": 1, "y": 1}}, "ToolMismatch"),
    ({"name": "car", "bbox": {"top": 1, "left": 1, "height": 1000, "width": 1}}, "GeometryOutOfBounds"),
    ({"name": "person", "point": {"x": -1, "y": 1}}, "GeometryOutOfBounds"),
    ({"name": "car", "bbox": {"top": 1, "left": 1, "height": 0, "width": 1}}, "InvalidGeometry"),
    ({"name": "road", "polygon": [{"x": 1, "y": 1}]}, "InvalidGeometry"),
    ({"name": "weather", "answer": {"name": "snow"}}, "InvalidAnswer"),
    ({"name": "flags", "answer": "blurry"}, "InvalidAnswer"),
    ({"name": "car", "classifications": [{"name": "color", "answer": "red"}],
      "bbox": {"top": 1, "left": 1, "height": 1, "width": 1}}, "UnknownFeatureSchema"),
    ({"name": "car", "uuid": "not-a-uuid", "bbox": {"top": 1, "left": 1, "height": 1, "width": 1}}, "InvalidUuid"),
])
def test_bad_lines_say_why(ontology: A.OntologyIndex, line: dict, name: str) -> None:
    with pytest.raises(A.LineError) as caught:
        A.convert_line({"dataRow": {"id": "x"}, **line}, ontology, media_type="IMAGE", size=(640, 480))
    assert caught.value.name == name and caught.value.message


def test_data_row_reference() -> None:
    assert A.line_data_row({"dataRow": {"globalKey": "k"}}) == ("globalKey", "k")
    for bad in ({}, {"dataRow": {}}, {"dataRow": {"id": "a", "globalKey": "b"}}, []):
        with pytest.raises(A.LineError):
            A.line_data_row(bad)


@pytest.mark.parametrize("doc", [
    None, "null", [], {"annotations": {"a": 1}}, {"annotations": [1, None, {"points": "x"}]},
    {"annotations": [{"id": 1, "category_id": [1], "type": "bbox", "points": [[0, 0], [1, 1]]}]},
    {"annotations": [{"id": 1, "category_id": 1, "type": "bbox", "points": [["a", 0], [None, 1]],
                      "labelbox": "x"}]},
    {"labelbox": "x", "image_attributes": ["weather"]},
    {"labelbox": {"objects": [{"feature_id": "f", "feature_schema_id": ["x"], "location": {"start": "0"}}],
                  "classification_ids": []},
     "image_attributes": {"weather": ["sunny"], "flags": [{"x": 1}, "dark"], "caption": 3}},
])
def test_any_stored_document_exports_without_crashing(ontology: A.OntologyIndex, doc: object) -> None:
    task_attributes, _, _ = A.merge_categories(None, ontology)
    text = None if doc is None or isinstance(doc, str) else orjson.dumps(doc).decode()
    out = A.export_annotations(text if text is not None else doc, ontology,
                               categories=task_attributes["categories"], text="hello")
    assert set(out) == {"objects", "classifications", "relationships"}
    if isinstance(doc, dict):
        A.apply(doc, [], {})
        A.annotation_uuids(doc)
