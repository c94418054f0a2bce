"""§2.14 through the official Labelbox SDK: catalog slices listed, read by id and name, their data rows paged
(dataset, data-row and global-key conditions, and similarity over a custom embedding checked against exact search);
slices are created with our GraphQL extension through the SDK's own ``execute``; other organizations' slices
invisible; bad input -> the SDK's error."""

from __future__ import annotations

import json

import numpy as np
import pytest
from lbox.exceptions import AuthorizationError, InvalidQueryError, ResourceConflict, ResourceNotFoundError
from lbsupport import labelbox_client
from support import unique

CREATE = """mutation CreateSlice($data: CreateCatalogSavedQueryInput!) {
    createCatalogSavedQuery(data: $data) { id name description filter createdAt updatedAt } }"""
DELETE = "mutation DeleteSlice($id: ID!) { deleteCatalogSavedQuery(id: $id) }"


def _create(client, name: str, conditions: list, description: str = "") -> str:
    answer = client.execute(CREATE, {"data": {"name": name, "description": description, "filter": conditions}})
    return answer["createCatalogSavedQuery"]["id"]


def _rows(lb_client, n: int):
    dataset = lb_client.create_dataset(name=unique("sl"))
    prefix = unique("k")
    keys = [f"{prefix}-{i}" for i in range(n)]
    dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                              for k in keys]).wait_till_done()
    return dataset, dict(zip(keys, lb_client.get_data_row_ids_for_global_keys(keys)["results"]))


def _members(item) -> dict[str, str | None]:
    return {r.id.key: (r.global_key.key if r.global_key else None) for r in item.get_data_row_identifiers()}


def test_slices(lb_client):
    assert lb_client.get_catalog_slices() == []
    dataset, rows = _rows(lb_client, 130)  # two pages of 100
    _, other_rows = _rows(lb_client, 3)
    keys = list(rows)
    name = unique("slice")
    slice_id = _create(lb_client, name, [{"type": "dataset", "operator": "is", "ids": [dataset.uid]},
                                         {"type": "global_key", "operator": "is_not", "ids": keys[:10]}],
                       description="all but ten")
    [listed] = lb_client.get_catalog_slices()
    assert (listed.uid, listed.name, listed.description) == (slice_id, name, "all but ten")
    assert listed.filter[0] == {"type": "dataset", "operator": "is", "ids": [dataset.uid]}
    assert listed.created_at is not None
    assert lb_client.get_catalog_slice(slice_id=slice_id).name == name
    assert lb_client.get_catalog_slice(slice_name=name).uid == slice_id
    assert lb_client.get_model_slice(slice_id).name == name
    assert _members(listed) == {rows[k]: k for k in keys[10:]}
    # data-row ids, in both datasets, and the slice follows the catalog (a deleted row leaves it)
    picked = [rows[keys[0]], rows[keys[50]], *other_rows.values()]
    by_id = lb_client.get_catalog_slice(slice_id=_create(lb_client, unique("ids"), [
        {"type": "data_row_id", "operator": "is", "ids": picked}]))
    assert set(_members(by_id)) == set(picked)
    lb_client.get_data_row(rows[keys[50]]).delete()
    assert set(_members(by_id)) == set(picked) - {rows[keys[50]]}
    none = lb_client.get_catalog_slice(slice_id=_create(lb_client, unique("none"), [
        {"type": "dataset", "operator": "is", "ids": ["c" + "d" * 24]}]))
    assert _members(none) == {}
    with pytest.raises(ResourceConflict):
        _create(lb_client, name, [{"type": "dataset", "ids": [dataset.uid]}])
    assert lb_client.execute(DELETE, {"id": slice_id})["deleteCatalogSavedQuery"] is True
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_catalog_slice(slice_id=slice_id)
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_catalog_slice(slice_name=name)
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_model_slice(slice_id)


def test_similarity_slice_matches_exact_search(lb_client, tmp_path):
    dataset, rows = _rows(lb_client, 40)
    ids = list(rows.values())
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 8)).astype(np.float32)
    embedding = lb_client.create_embedding(unique("e"), 8)
    path = tmp_path / "v.ndjson"
    path.write_text("".join(json.dumps({"id": i, "vector": v.tolist()}) + "\n" for i, v in zip(ids, vectors)))
    embedding.import_vectors_from_file(str(path))
    cos = 1 - (vectors @ vectors[0]) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(vectors[0]))
    nearest = [ids[i] for i in np.argsort(cos) if i != 0][:7]
    item = lb_client.get_catalog_slice(slice_id=_create(lb_client, unique("near"), [
        {"type": "similarity", "embeddingId": embedding.id, "dataRowId": ids[0], "k": 7},
        {"type": "dataset", "operator": "is", "ids": [dataset.uid]}]))
    assert set(_members(item)) == set(nearest)
    query = (vectors[5] + 0.01).tolist()
    by_vector = lb_client.get_catalog_slice(slice_id=_create(lb_client, unique("vec"), [
        {"type": "similarity", "embeddingId": embedding.id, "vector": query, "k": 1}]))
    assert set(_members(by_vector)) == {ids[5]}
    embedding.delete()  # the slice stays; its similarity condition now matches nothing
    assert _members(item) == {}


def test_bad_filters_and_other_organizations(server):
    admin, admin_key = server.create_user()
    labeler, labeler_key = server.create_user()
    server.create_org(unique("org"), admin, {labeler: "labeler"})
    as_admin = labelbox_client(server, admin_key)
    dataset, _ = _rows(as_admin, 2)
    embedding = as_admin.create_embedding(unique("e"), 4)
    for bad in ([], "dataset", [{"type": "color", "ids": ["x"]}], [{"type": "dataset", "ids": []}],
                [{"type": "dataset", "operator": "near", "ids": [dataset.uid]}],
                [{"type": "dataset", "ids": [1, 2]}],
                [{"type": "similarity", "embeddingId": "c" + "e" * 24, "vector": [1, 2, 3, 4]}],
                [{"type": "similarity", "embeddingId": embedding.id, "vector": [1, 2]}],
                [{"type": "similarity", "embeddingId": embedding.id, "vector": [1, 2, 3, 4], "k": 0}],
                [{"type": "similarity", "embeddingId": embedding.id}]):
        with pytest.raises(InvalidQueryError, match="filter"):
            _create(as_admin, unique("bad"), bad)
    with pytest.raises(InvalidQueryError, match="name"):
        _create(as_admin, " ", [{"type": "dataset", "ids": [dataset.uid]}])
    assert as_admin.get_catalog_slices() == []
    slice_id = _create(as_admin, unique("ok"), [{"type": "dataset", "ids": [dataset.uid]}])
    # members read, but do not write
    as_labeler = labelbox_client(server, labeler_key)
    assert [s.uid for s in as_labeler.get_catalog_slices()] == [slice_id]
    assert len(_members(as_labeler.get_catalog_slice(slice_id=slice_id))) == 2
    with pytest.raises(AuthorizationError):
        _create(as_labeler, unique("mine"), [{"type": "dataset", "ids": [dataset.uid]}])
    with pytest.raises(AuthorizationError):
        as_labeler.execute(DELETE, {"id": slice_id})
    # another organization sees nothing; their slice over our dataset matches nothing
    _, outsider_key = server.create_user()
    outsider = labelbox_client(server, outsider_key)
    assert outsider.get_catalog_slices() == []
    with pytest.raises(ResourceNotFoundError):
        outsider.get_catalog_slice(slice_id=slice_id)
    with pytest.raises(AuthorizationError):
        outsider.execute(DELETE, {"id": slice_id})
    theirs = outsider.get_catalog_slice(slice_id=_create(outsider, unique("peek"), [
        {"type": "dataset", "ids": [dataset.uid]}]))
    assert _members(theirs) == {}
    with pytest.raises(InvalidQueryError, match="embedding"):
        _create(outsider, unique("peek2"), [{"type": "similarity", "embeddingId": embedding.id, "vector": [1, 0, 0, 0]}])


def test_metadata_conditions(lb_client):
    from labelbox.schema.data_row_metadata import DataRowMetadataField, DataRowMetadataKind

    mdo = lb_client.get_data_row_metadata_ontology()
    camera = mdo.create_schema(unique("cam"), DataRowMetadataKind.string)
    score = mdo.create_schema(unique("score"), DataRowMetadataKind.number)
    weather = mdo.create_schema(unique("wx"), DataRowMetadataKind.enum, ["sunny", "rain"])
    rain = next(o for o in weather.options if o.name == "rain")
    dataset = lb_client.create_dataset(name=unique("meta"))
    prefix = unique("m")
    specs = [("front", 1, "rain"), ("back", 2, "sunny"), ("front", 2, "sunny"), (None, None, None)]
    items = []
    for i, (cam, value, wx) in enumerate(specs):
        fields = []
        if cam is not None:
            fields = [DataRowMetadataField(name=camera.name, value=cam), DataRowMetadataField(name=score.name, value=value),
                      DataRowMetadataField(name=weather.name, value=wx)]
        items.append({"row_data": f"https://example.com/{i}.jpg", "global_key": f"{prefix}-{i}",
                      "metadata_fields": fields})
    dataset.create_data_rows(items).wait_till_done()

    def keys(conditions) -> set[str]:
        item = lb_client.get_catalog_slice(slice_id=_create(lb_client, unique("s"), [
            {"type": "dataset", "ids": [dataset.uid]}, *conditions]))
        return {gk.removeprefix(f"{prefix}-") for gk in _members(item).values()}

    assert keys([{"type": "metadata", "schemaId": camera.uid, "value": "front"}]) == {"0", "2"}
    assert keys([{"type": "metadata", "operator": "is_not", "schemaId": camera.uid, "value": "front"}]) == {"1", "3"}
    assert keys([{"type": "metadata", "schemaId": score.uid, "value": 2}]) == {"1", "2"}
    assert keys([{"type": "metadata", "schemaId": weather.uid, "value": rain.uid}]) == {"0"}
    assert keys([{"type": "metadata", "schemaId": camera.uid, "value": "front"},
                 {"type": "metadata", "schemaId": score.uid, "value": 2.0}]) == {"2"}
    with pytest.raises(InvalidQueryError, match="filter"):
        _create(lb_client, unique("bad"), [{"type": "metadata", "schemaId": camera.uid, "value": ["front"]}])


def test_model_slices(lb_client):
    """ModelSlice: a slice's rows that are in a model run (cursor objects {dataRowId, globalKey})."""
    dataset, rows = _rows(lb_client, 110)
    keys = list(rows)
    ontology = lb_client.create_ontology(unique("o"), {"tools": [], "classifications": []})
    run = lb_client.create_model(unique("m"), ontology.uid).create_model_run(unique("r"))
    run.upsert_data_rows(global_keys=keys[:105])  # two pages of 100
    slice_id = _create(lb_client, unique("s"), [{"type": "dataset", "ids": [dataset.uid]},
                                                {"type": "global_key", "operator": "is_not", "ids": [keys[0]]}])
    model_slice = lb_client.get_model_slice(slice_id)
    got = {r.id.key: r.global_key.key for r in model_slice.get_data_row_identifiers(run.uid)}
    assert got == {rows[k]: k for k in keys[1:105]}
    with pytest.warns(DeprecationWarning):
        assert set(model_slice.get_data_row_ids(run.uid)) == {rows[k] for k in keys[1:105]}
    assert list(model_slice.get_data_row_identifiers("c" + "y" * 24)) == []
