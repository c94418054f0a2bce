"""§2.6 through the official Labelbox SDK: feature schemas and ontologies over GraphQL and the REST routes,
errors as the SDK raises them, other organizations invisible."""

from __future__ import annotations

import labelbox as lb
import pytest
from labelbox import Classification, MediaType, OntologyBuilder, Option, Tool
from lbox.exceptions import AuthorizationError, InvalidQueryError, LabelboxError, ResourceNotFoundError
from lbsupport import labelbox_client
from support import unique


def _builder() -> OntologyBuilder:
    return OntologyBuilder(
        tools=[Tool(tool=Tool.Type.BBOX, name="car", color="#ff0000",
                    classifications=[Classification(class_type=Classification.Type.TEXT, name="plate")]),
               Tool(tool=Tool.Type.POLYGON, name="road")],
        classifications=[Classification(class_type=Classification.Type.RADIO, name="weather",
                                        options=[Option(value="sunny"), Option(value="rain")]),
                         Classification(class_type=Classification.Type.CHECKLIST, name="flags",
                                        options=[Option(value="blurry"), Option(value="dark")])])


def test_ontology_lifecycle(lb_client):
    name = unique("onto")
    ontology = lb_client.create_ontology(name, _builder().asdict(), media_type=MediaType.Image)
    assert len(ontology.uid) == 25 and ontology.name == name and ontology.media_type == MediaType.Image
    assert (ontology.object_schema_count, ontology.classification_schema_count) == (2, 2)
    assert [t.name for t in ontology.tools()] == ["car", "road"]
    car = ontology.tools()[0]
    assert car.tool == Tool.Type.BBOX and car.color == "#ff0000" and len(car.feature_schema_id) == 25
    assert car.classifications[0].name == "plate" and car.classifications[0].feature_schema_id
    weather = ontology.classifications()[0]
    assert [o.value for o in weather.options] == ["sunny", "rain"] and all(o.feature_schema_id for o in weather.options)
    got = lb_client.get_ontology(ontology.uid)
    assert got.normalized == ontology.normalized and got.created_at == ontology.created_at
    assert [o.uid for o in lb_client.get_ontologies(name)] == [ontology.uid]
    # the same ontology rebuilt from its own normalized keeps every id
    rebuilt = OntologyBuilder.from_ontology(got)
    assert rebuilt.tools[0].feature_schema_id == car.feature_schema_id
    # reuse its features in a second ontology
    ids = [t.feature_schema_id for t in got.tools()] + [c.feature_schema_id for c in got.classifications()]
    second = lb_client.create_ontology_from_feature_schemas(unique("onto2"), ids, media_type=MediaType.Image)
    assert [t.feature_schema_id for t in second.tools()] == ids[:2]
    assert second.uid in lb_client.get_unused_ontologies() and ontology.uid in lb_client.get_unused_ontologies()
    lb_client.delete_unused_ontology(second.uid)
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_ontology(second.uid)


def test_feature_schemas(lb_client):
    name = unique("truck")
    fs = lb_client.create_feature_schema(Tool(tool=Tool.Type.BBOX, name=name, color="#00ff00").asdict())
    assert len(fs.uid) == 25 and fs.name == name
    assert fs.normalized["featureSchemaId"] == fs.uid and fs.normalized["tool"] == "rectangle"
    assert lb_client.get_feature_schema(fs.uid).normalized == fs.normalized
    assert [f.uid for f in lb_client.get_feature_schemas(name[:8])] == [fs.uid]
    renamed = lb_client.update_feature_schema_title(fs.uid, name + "-lorry")
    assert renamed.name == name + "-lorry" and renamed.normalized["name"] == name + "-lorry"
    # REST upsert: new, then an update of the same feature
    radio = Classification(class_type=Classification.Type.RADIO, name=unique("mood"), options=[Option(value="a")])
    created = lb_client.upsert_feature_schema(radio.asdict())
    assert created.uid != fs.uid
    radio.feature_schema_id = created.uid
    radio.options.append(Option(value="b"))
    updated = lb_client.upsert_feature_schema(radio.asdict())
    assert updated.uid == created.uid and [o["value"] for o in updated.normalized["options"]] == ["a", "b"]
    # a rename shows in every ontology that uses the feature
    ontology = lb_client.create_ontology_from_feature_schemas(unique("o"), [fs.uid])
    lb_client.update_feature_schema_title(fs.uid, name + "-van")
    assert lb_client.get_ontology(ontology.uid).tools()[0].name == name + "-van"
    unused = lb_client.get_unused_feature_schemas()
    assert created.uid in unused and fs.uid not in unused
    with pytest.raises(LabelboxError, match="used by an ontology"):
        lb_client.delete_unused_feature_schema(fs.uid)
    lb_client.delete_unused_feature_schema(created.uid)
    with pytest.raises(TypeError):  # the SDK cannot report a missing feature schema (contract §4)
        lb_client.get_feature_schema(created.uid)


def test_features_inside_an_ontology(lb_client):
    ontology = lb_client.create_ontology(unique("o"), _builder().asdict())
    car, road = (t.feature_schema_id for t in ontology.tools())
    extra = lb_client.create_feature_schema(Tool(tool=Tool.Type.POINT, name="pin").asdict())
    lb_client.insert_feature_schema_into_ontology(extra.uid, ontology.uid, 0)
    assert [t.name for t in lb_client.get_ontology(ontology.uid).tools()] == ["pin", "car", "road"]
    assert lb_client.is_feature_schema_archived(ontology.uid, car) is False
    result = lb_client.delete_feature_schema_from_ontology(ontology.uid, road)
    assert (result.archived, result.deleted) == (False, True)  # no labels use it
    assert [t.name for t in lb_client.get_ontology(ontology.uid).tools()] == ["pin", "car"]
    with pytest.raises(LabelboxError, match="not in the ontology"):
        lb_client.is_feature_schema_archived(ontology.uid, road)
    with pytest.raises(ResourceNotFoundError):
        lb_client.is_feature_schema_archived("c" + "0" * 24, car)
    lb_client.unarchive_feature_schema_node(ontology.uid, car)


def test_bad_input_and_other_organizations(server, lb_client):
    with pytest.raises(InvalidQueryError, match="tool must be one of"):
        lb_client.create_ontology(unique("bad"), {"tools": [{"tool": "hexagon", "name": "x"}], "classifications": []})
    with pytest.raises(InvalidQueryError, match="two features are named"):
        lb_client.create_ontology(unique("bad"), {"tools": [{"tool": "point", "name": "a"},
                                                            {"tool": "line", "name": "a"}]})
    with pytest.raises(LabelboxError, match="not valid JSON|must be"):
        lb_client.upsert_feature_schema({"tool": "nope", "name": "x"})
    ontology = lb_client.create_ontology(unique("mine"), _builder().asdict())
    fs = lb_client.create_feature_schema(Tool(tool=Tool.Type.LINE, name=unique("mine")).asdict())
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    with pytest.raises(ResourceNotFoundError):
        other.get_ontology(ontology.uid)
    assert list(other.get_ontologies(ontology.name)) == []
    assert list(other.get_feature_schemas(fs.name)) == []
    assert ontology.uid not in other.get_unused_ontologies()
    with pytest.raises(LabelboxError, match="not found"):
        other.delete_unused_ontology(ontology.uid)
    with pytest.raises(LabelboxError, match="not found"):
        other.update_feature_schema_title(fs.uid, "stolen")
    with pytest.raises(InvalidQueryError, match="not a feature schema of this organization"):
        other.create_ontology(unique("steal"), {"tools": [fs.normalized]})
    assert lb_client.get_feature_schema(fs.uid).name == fs.name


def test_a_refused_ontology_writes_none_of_its_features(lb_client):
    """Features are created (or updated) one by one as an ontology's document is checked: a refusal further on
    must leave none of them behind (one write transaction, rolled back whole)."""
    kept = lb_client.create_feature_schema(Tool(tool=Tool.Type.POINT, name=unique("kept")).asdict())
    fresh = unique("fresh")
    renamed = {**kept.normalized, "name": unique("renamed")}
    document = {"tools": [{"tool": "point", "name": fresh}, renamed, {"tool": "hexagon", "name": "x"}],
                "classifications": []}
    with pytest.raises(InvalidQueryError, match="tool must be one of"):
        lb_client.create_ontology(unique("half"), document)
    assert list(lb_client.get_feature_schemas(fresh)) == []
    assert lb_client.get_feature_schema(kept.uid).name == kept.name
    assert kept.uid in lb_client.get_unused_feature_schemas()


def test_labelers_cannot_change_ontologies(server):
    admin, admin_key = server.create_user()
    labeler, labeler_key = server.create_user()
    server.create_org(unique("org"), admin, {labeler: "labeler"})
    ontology = labelbox_client(server, admin_key).create_ontology(unique("o"), _builder().asdict())
    as_labeler = labelbox_client(server, labeler_key)
    assert as_labeler.get_ontology(ontology.uid).name == ontology.name
    with pytest.raises(AuthorizationError):
        as_labeler.create_ontology(unique("x"), _builder().asdict())
    with pytest.raises(LabelboxError, match="permission"):
        as_labeler.delete_unused_ontology(ontology.uid)


def test_media_type_none_is_unknown(lb_client):
    ontology = lb_client.create_ontology(unique("any"), {"tools": [], "classifications": []})
    assert ontology.media_type == MediaType.Unknown
    assert isinstance(ontology, lb.Ontology)
