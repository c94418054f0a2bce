"""§2.5 through the official Labelbox SDK: the metadata ontology (reserved + custom schemas), schema create /
rename / enum options / delete, metadata on create_data_rows, bulk upsert / export / delete."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from labelbox.schema.data_row_metadata import (
    DataRowMetadata,
    DataRowMetadataField,
    DataRowMetadataKind,
    DeleteDataRowMetadata,
)
from lbox.exceptions import ResourceConflict
from lbsupport import labelbox_client
from support import unique


def test_reserved_schemas(lb_client):
    mdo = lb_client.get_data_row_metadata_ontology()
    assert {"tag", "split", "captureDateTime", "skipNFrames"} <= set(mdo.reserved_by_name)
    assert set(mdo.reserved_by_name["split"]) == {"train", "valid", "test"}
    assert all(len(f.uid) == 25 for f in mdo.fields)


def test_schema_lifecycle(lb_client):
    mdo = lb_client.get_data_row_metadata_ontology()
    name = unique("camera")
    created = mdo.create_schema(name, DataRowMetadataKind.string)
    assert created.name == name and len(created.uid) == 25
    with pytest.raises(ResourceConflict):
        mdo.create_schema(name, DataRowMetadataKind.number)
    renamed = mdo.update_schema(name, name + "-2")
    assert renamed.uid == created.uid and renamed.name == name + "-2"
    enum = mdo.create_schema(unique("weather"), DataRowMetadataKind.enum, ["sunny", "rain"])
    assert {o.name for o in enum.options} == {"sunny", "rain"}
    updated = mdo.update_enum_option(enum.name, "rain", "storm")
    assert {o.name for o in updated.options} == {"sunny", "storm"}
    assert mdo.delete_schema(name + "-2") is True
    mdo.refresh_ontology()
    assert name + "-2" not in mdo.custom_by_name


def test_values_on_rows(lb_client):
    mdo = lb_client.get_data_row_metadata_ontology()
    camera = mdo.create_schema(unique("cam"), DataRowMetadataKind.string)
    score = mdo.create_schema(unique("score"), DataRowMetadataKind.number)
    weather = mdo.create_schema(unique("wx"), DataRowMetadataKind.enum, ["sunny", "rain"])
    rain = next(o for o in weather.options if o.name == "rain")
    when = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)
    ds = lb_client.create_dataset(name=unique("meta"))
    key = unique("row")
    ds.create_data_rows([{"row_data": "https://example.com/m.jpg", "global_key": key, "metadata_fields": [
        DataRowMetadataField(name=camera.name, value="cam-1"),
        DataRowMetadataField(name=weather.name, value="rain"),
        DataRowMetadataField(name="captureDateTime", value=when),
        DataRowMetadataField(name="split", value="train"),
    ]}]).wait_till_done()
    row = lb_client.get_data_row_by_global_key(key)
    values = {f.name: f.value for f in row.metadata}
    assert values[camera.name] == "cam-1" and values["rain"] == rain.uid
    assert row.metadata_fields and all(f["schemaId"] for f in row.metadata_fields)

    failures = mdo.bulk_upsert([DataRowMetadata(data_row_id=row.uid, fields=[
        DataRowMetadataField(schema_id=score.uid, value=0.5),
        DataRowMetadataField(schema_id=camera.uid, value="cam-2")])])
    assert failures == []
    exported = mdo.bulk_export([row.uid])[0]
    got = {f.schema_id: f.value for f in exported.fields}
    assert got[camera.uid] == "cam-2" and got[score.uid] == 0.5 and got[weather.uid] == rain.uid
    mdo.bulk_delete([DeleteDataRowMetadata(data_row_id=row.uid, fields=[camera.uid, weather.uid])])
    left = {f.schema_id for f in mdo.bulk_export([row.uid])[0].fields}
    assert camera.uid not in left and weather.uid not in left and score.uid in left


def test_bad_metadata_fails_the_row(lb_client):
    mdo = lb_client.get_data_row_metadata_ontology()
    note = mdo.create_schema(unique("note"), DataRowMetadataKind.string)
    ds = lb_client.create_dataset(name=unique("badmeta"))
    task = ds.create_data_rows([  # the SDK checks ids and types itself; the length limit is ours
        {"row_data": "https://example.com/ok.jpg", "metadata_fields": [
            DataRowMetadataField(schema_id=note.uid, value="short")]},
        {"row_data": "https://example.com/bad.jpg", "metadata_fields": [
            DataRowMetadataField(schema_id=note.uid, value="x" * 5000)]},
    ])
    task.wait_till_done()
    assert len(task.errors) == 1 and "at most 4096" in task.errors[0]["message"]
    assert task.errors[0]["failedDataRows"][0]["rowData"] == "https://example.com/bad.jpg"
    assert lb_client.get_dataset(ds.uid).row_count == 1


def test_schemas_are_per_organization(server, lb_client):
    mdo = lb_client.get_data_row_metadata_ontology()
    name = unique("private")
    mdo.create_schema(name, DataRowMetadataKind.string)
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key).get_data_row_metadata_ontology()
    assert name not in other.custom_by_name
    other.create_schema(name, DataRowMetadataKind.string)  # same name, another organization: fine
