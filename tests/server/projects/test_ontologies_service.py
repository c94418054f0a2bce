"""Feature schemas and ontologies on a real database: ids assigned to every node, reuse of shared features,
renames visible in every ontology, unused lists and deletes, archive versus delete, organizations isolated."""

from __future__ import annotations

import re

import orjson
import pytest
from labelhouse_server.errors import Conflict, Forbidden, Invalid, NotFound
from labelhouse_server.labelbox import ids
from labelhouse_server.ontologies import service as ont

CUID = re.compile(r"^c[0-9a-z]{24}$")

ONTOLOGY = {
    "tools": [
        {"tool": "rectangle", "name": "car", "required": False, "color": "#ff0000", "schemaNodeId": None,
         "featureSchemaId": None, "attributes": None,
         "classifications": [{"type": "text", "instructions": "plate", "name": "plate", "required": False,
                              "options": [], "schemaNodeId": None, "featureSchemaId": None}]},
        {"tool": "polygon", "name": "road", "classifications": []},
    ],
    "classifications": [
        {"type": "radio", "instructions": "weather", "name": "weather", "required": False, "scope": "global",
         "options": [{"label": "sunny", "value": "sunny", "options": []},
                     {"label": "rain", "value": "rain", "options": []}]},
        {"type": "checklist", "instructions": "flags", "options": [{"value": "blurry"}, {"value": "dark"}]},
    ],
}


def _nodes(doc):
    """Every tool, classification and option of a normalized document."""
    for item in doc.get("tools", []) + doc.get("classifications", []):
        yield from _walk(item)


def _walk(node):
    yield node
    for child in node.get("classifications", []) + node.get("options", []):
        yield from _walk(child)


def test_create_ontology_assigns_ids_and_defaults(session, org):
    o = ont.create_ontology(session, org.manager, "demo", orjson.dumps(ONTOLOGY).decode(), "IMAGE")
    public = ont.ontology_public(session, o)
    assert public["mediaType"] == "IMAGE" and public["objectSchemaCount"] == 2
    assert public["classificationSchemaCount"] == 2
    doc = public["normalized"]
    assert [t["name"] for t in doc["tools"]] == ["car", "road"]
    ids = [n["featureSchemaId"] for n in _nodes(doc)] + [n["schemaNodeId"] for n in _nodes(doc)]
    assert len(ids) == 2 * 9 and all(CUID.match(i) for i in ids) and len(set(ids)) == len(ids)
    road = doc["tools"][1]
    assert road["color"].startswith("#") and road["required"] is False
    flags = doc["classifications"][1]
    assert flags["name"] == "flags" and flags["scope"] == "global"
    assert [o["label"] for o in flags["options"]] == ["blurry", "dark"]
    assert doc["relationships"] == []
    # the stored document reads back identically
    assert ont.ontology_public(session, ont.get_ontology(session, org.manager, o.id))["normalized"] == doc


@pytest.mark.parametrize("doc, field", [
    ({"tools": [{"tool": "hexagon", "name": "x"}]}, "normalized.tools[0].tool"),
    ({"tools": [{"tool": "point"}]}, "normalized.tools[0].name"),
    ({"tools": [{"tool": "point", "name": "a"}, {"tool": "line", "name": "a"}]}, "normalized.tools[1].name"),
    ({"classifications": [{"type": "radio", "name": "r", "options": []}]}, "normalized.classifications[0].options"),
    ({"classifications": [{"type": "radio", "name": "r", "options": [{"value": "a"}, {"value": "a"}]}]},
     "normalized.classifications[0].options[1].value"),
    ({"tools": [{"tool": "point", "name": "p", "featureSchemaId": 'bad"id'}]}, "normalized.tools[0].featureSchemaId"),
    ({"tools": [{"tool": "point", "name": "p", "classifications": [
        {"type": "text", "name": "t", "featureSchemaId": "nope"}]}]},
     "normalized.tools[0].classifications[0].featureSchemaId"),
    ({"tools": "nope"}, "normalized.tools"),
    ({"tools": [{"type": "text", "name": "t"}]}, "normalized.tools[0]"),
])
def test_invalid_ontologies_name_the_problem(session, org, doc, field):
    with pytest.raises(Invalid) as exc:
        ont.create_ontology(session, org.manager, "bad", doc, None)
    assert exc.value.field == field
    assert ont.list_ontologies(session, org.manager, None, None)[0] == []


def test_bad_json_and_names(session, org):
    with pytest.raises(Invalid, match="not valid JSON"):
        ont.create_ontology(session, org.manager, "bad", "{nope", None)
    with pytest.raises(Invalid, match="name"):
        ont.create_ontology(session, org.manager, "  ", ONTOLOGY, None)
    with pytest.raises(Invalid, match="mediaType"):
        ont.create_ontology(session, org.manager, "x", ONTOLOGY, "SMELL")


def test_feature_schema_reused_and_renamed_everywhere(session, org):
    fs = ont.create_feature_schema(session, org.manager, '{"tool": "rectangle", "name": "truck", "color": "#00ff00"}')
    fsid, node_id = ids.encode("feature_schema", fs.id), ids.encode("schema_node", fs.id)
    assert fs.normalized == {"tool": "rectangle", "name": "truck", "color": "#00ff00", "required": False,
                             "classifications": [], "featureSchemaId": fsid, "schemaNodeId": node_id}
    assert ont.feature_public(fs) == {"id": node_id, "name": "truck", "normalized": fs.normalized}
    a = ont.create_ontology(session, org.manager, "a", {"tools": [fs.normalized], "classifications": []}, "IMAGE")
    b = ont.create_ontology(session, org.manager, "b", {"tools": [dict(fs.normalized)]}, None)
    assert ont.ontology_normalized(session, a)["tools"] == [fs.normalized]
    ont.rename_feature_schema(session, org.manager, fs.id, "lorry")
    for o in (a, b):
        tool = ont.ontology_normalized(session, o)["tools"][0]
        assert tool["name"] == "lorry" and tool["featureSchemaId"] == fsid
    assert ont.get_feature_schema(session, org.manager, fs.id).normalized["name"] == "lorry"
    # the same feature twice in one ontology is refused
    with pytest.raises(Invalid, match="appears twice|used twice"):
        ont.create_ontology(session, org.manager, "c", {"tools": [fs.normalized, fs.normalized]}, None)


def test_upsert_keeps_nested_ids_by_name(session, org):
    fs = ont.upsert_feature_schema(session, org.manager, None, {
        "type": "radio", "name": "weather", "options": [{"value": "sunny"}, {"value": "rain"}]}, create=True)
    sunny = fs.normalized["options"][0]
    updated = ont.upsert_feature_schema(session, org.manager, fs.id, {
        "type": "radio", "name": "weather", "options": [{"value": "sunny"}, {"value": "rain"}, {"value": "snow"}]})
    assert updated.id == fs.id
    assert updated.normalized["options"][0]["featureSchemaId"] == sunny["featureSchemaId"]
    assert len(updated.normalized["options"]) == 3
    with pytest.raises(Invalid, match="cannot become"):
        ont.upsert_feature_schema(session, org.manager, fs.id, {"tool": "point", "name": "weather"})
    with pytest.raises(NotFound):
        ont.upsert_feature_schema(session, org.manager, 10**9, {"tool": "point", "name": "p"})
    with pytest.raises(NotFound):
        ont.upsert_feature_schema(session, org.manager, None, {"tool": "point", "name": "p"})


def test_search_and_cursor_pages(session, org):
    made = [ont.create_feature_schema(session, org.manager, {"tool": "point", "name": f"Pt-{i}"}) for i in range(5)]
    ont.create_feature_schema(session, org.manager, {"tool": "point", "name": "other"})
    page, cursor = ont.list_feature_schemas(session, org.manager, "pt-", None, 2)
    seen = [f.id for f in page]
    while cursor:
        page, cursor = ont.list_feature_schemas(session, org.manager, "pt-", cursor, 2)
        seen += [f.id for f in page]
    assert seen == [f.id for f in made]
    with pytest.raises(Invalid, match="first"):
        ont.list_feature_schemas(session, org.manager, None, None, 0)


def test_unused_and_deletes(session, org):
    used = ont.create_feature_schema(session, org.manager, {"tool": "point", "name": "used"})
    free = ont.create_feature_schema(session, org.manager, {"tool": "point", "name": "free"})
    o = ont.create_ontology(session, org.manager, "o", {"tools": [used.normalized]}, None)
    assert ont.unused_feature_schemas(session, org.manager, None) == [free]
    with pytest.raises(Conflict):
        ont.delete_unused_feature_schema(session, org.manager, used.id)
    ont.delete_unused_feature_schema(session, org.manager, free.id)
    with pytest.raises(NotFound):
        ont.get_feature_schema(session, org.manager, free.id)
    assert ont.unused_ontologies(session, org.manager, None) == [o]
    ont.delete_unused_ontology(session, org.manager, o.id)
    with pytest.raises(NotFound):
        ont.get_ontology(session, org.manager, o.id)
    assert ont.unused_feature_schemas(session, org.manager, None) == [used]


def test_insert_move_remove_unarchive(session, org):
    a, b, c = (ont.create_feature_schema(session, org.manager, {"tool": "point", "name": n}) for n in "abc")
    o = ont.create_ontology(session, org.manager, "o", {"tools": [a.normalized, b.normalized]}, None)
    ont.insert_feature(session, org.manager, o.id, c.id, 0)
    assert [t["name"] for t in ont.ontology_normalized(session, o)["tools"]] == ["c", "a", "b"]
    ont.insert_feature(session, org.manager, o.id, c.id, 2)  # already there: moves
    assert [t["name"] for t in ont.ontology_normalized(session, o)["tools"]] == ["a", "b", "c"]
    assert ont.remove_feature(session, org.manager, o.id, b.id) == (False, True)  # no labels: deleted
    assert [t["name"] for t in ont.ontology_normalized(session, o)["tools"]] == ["a", "c"]
    nodes = ont.feature_schema_nodes(session, org.manager, o.id)["featureSchemaNodes"]
    assert [(n["featureSchemaId"], n["archived"]) for n in nodes["tools"]] == [
        (ids.encode("feature_schema", a.id), False), (ids.encode("feature_schema", c.id), False)]
    with pytest.raises(NotFound):
        ont.unarchive_feature(session, org.manager, o.id, b.id)
    d = ont.create_feature_schema(session, org.manager, {"tool": "line", "name": "a"})
    with pytest.raises(Conflict, match="already has"):
        ont.insert_feature(session, org.manager, o.id, d.id, 0)


def test_other_organization_sees_nothing(session, org, other_org):
    fs = ont.create_feature_schema(session, org.manager, {"tool": "point", "name": "mine"})
    o = ont.create_ontology(session, org.manager, "mine", {"tools": [fs.normalized]}, None)
    with pytest.raises(NotFound):
        ont.get_ontology(session, other_org.manager, o.id)
    with pytest.raises(NotFound):
        ont.get_feature_schema(session, other_org.manager, fs.id)
    assert ont.list_ontologies(session, other_org.manager, None, None)[0] == []
    assert ont.list_feature_schemas(session, other_org.manager, "mine", None)[0] == []
    assert ont.unused_ontologies(session, other_org.manager, None) == []
    with pytest.raises(NotFound):
        ont.delete_unused_ontology(session, other_org.manager, o.id)
    # another organization's feature cannot be pulled into an ontology by id
    with pytest.raises(Invalid, match="not a feature schema of this organization"):
        ont.create_ontology(session, other_org.manager, "steal", {"tools": [fs.normalized]}, None)


def test_labelers_read_but_do_not_write(session, org):
    o = ont.create_ontology(session, org.manager, "o", ONTOLOGY, None)
    assert ont.get_ontology(session, org.labeler, o.id).id == o.id
    with pytest.raises(Forbidden):
        ont.create_ontology(session, org.labeler, "x", ONTOLOGY, None)
    with pytest.raises(Forbidden):
        ont.create_feature_schema(session, org.labeler, {"tool": "point", "name": "p"})
