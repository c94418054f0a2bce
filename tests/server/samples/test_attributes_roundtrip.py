"""Property tests over HTTP against the real app (in-process): random valid label (and sample) attributes round-trip byte for
byte; random invalid ones are rejected with a 400 naming the exact field, and nothing changes in storage (the
previous label, the workunit log and the sample list stay as they were)."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server.samples.payloads import sample_attributes as sdk_sample_attributes
from server.validation.strategies import (
    LABEL_TASK_TYPES,
    TEXT_TASK_TYPES,
    invalid_label_case,
    invalid_sample_case,
    label_attributes,
    label_case,
    sample_case,
)
from support import unique

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALL_LABEL_TASK_TYPES = LABEL_TASK_TYPES + TEXT_TASK_TYPES


@pytest.fixture(scope="module")
def http(app):
    _, key = app.create_user()
    with app.client(key) as client:
        yield client


def _dataset(http, task_type: str, task_attributes: dict) -> str:
    r = http.post("/user/datasets/", json={"name": unique("ds"), "task_type": task_type,
                                          "task_attributes": task_attributes})
    assert r.status_code == 201, r.text
    return r.json()["full_name"]


def _sample(http, full_name: str, task_type: str) -> str:
    attrs = {"text": "Jane lives in Ghent"} if task_type in TEXT_TASK_TYPES else sdk_sample_attributes(task_type)
    r = http.post(f"/datasets/{full_name}/samples/", json={"name": "s", "attributes": attrs})
    assert r.status_code == 201, r.text
    return r.json()["uuid"]


def _put(http, sample_uuid: str, attributes: dict) -> tuple[int, bytes]:
    body = orjson.dumps({"label_status": "LABELED", "attributes": attributes})
    r = http.put(f"/labels/{sample_uuid}/ground-truth/", content=body,
                 headers={"Content-Type": "application/json"})
    return r.status_code, r.content


@PROPERTY
@given(case=label_case(ALL_LABEL_TASK_TYPES))
def test_valid_label_attributes_round_trip_byte_for_byte(http, case):
    task_type, task_attributes, attributes = case
    full_name = _dataset(http, task_type, task_attributes)
    sample_uuid = _sample(http, full_name, task_type)
    status, content = _put(http, sample_uuid, attributes)
    assert status == 201, content
    sent = orjson.dumps(attributes)
    got = http.get(f"/labels/{sample_uuid}/ground-truth/")
    assert got.status_code == 200
    assert b'"attributes":' + sent + b"," in got.content  # the stored document, byte for byte
    assert orjson.loads(got.content)["attributes"] == attributes
    listed = http.get(f"/datasets/{full_name}/samples/?labelset=ground-truth&include_full_label=1")
    assert sent in listed.content


@PROPERTY
@given(invalid=invalid_label_case(ALL_LABEL_TASK_TYPES), data=st.data())
def test_invalid_label_attributes_are_rejected_without_change(http, invalid, data):
    task_type, task_attributes, bad, field = invalid
    full_name = _dataset(http, task_type, task_attributes)
    sample_uuid = _sample(http, full_name, task_type)
    # A valid label of the same dataset first (same categories), which the invalid write must leave untouched.
    category_ids = [c["id"] for c in task_attributes["categories"]]
    good = data.draw(label_attributes(task_type, category_ids))
    assert _put(http, sample_uuid, good)[0] == 201
    before_label = http.get(f"/labels/{sample_uuid}/ground-truth/").content
    before_units = http.get(f"/datasets/{full_name}/workunits/").content
    status, content = _put(http, sample_uuid, bad)
    assert status == 400, content
    error = orjson.loads(content)
    assert error["field"] == field and field in error["detail"]
    patched = http.patch(f"/labels/{sample_uuid}/ground-truth/", json={"attributes": bad})
    assert patched.status_code in (400, 404)
    assert http.get(f"/labels/{sample_uuid}/ground-truth/").content == before_label
    assert http.get(f"/datasets/{full_name}/workunits/").content == before_units


@PROPERTY
@given(case=sample_case(), invalid=invalid_sample_case())
def test_sample_attributes_round_trip_and_invalid_ones_store_nothing(http, case, invalid):
    task_type, attributes = case
    full_name = _dataset(http, task_type, {"format_version": "0.1", "categories": [{"id": 1, "name": "a"}]})
    r = http.post(f"/datasets/{full_name}/samples_bulk/", content=orjson.dumps([{"name": "s", "attributes":
                                                                                   attributes}]),
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    assert b'"attributes":' + orjson.dumps(attributes) + b"," in r.content
    got = http.get(f"/samples/{r.json()[0]['uuid']}/")
    assert b'"attributes":' + orjson.dumps(attributes) + b"," in got.content
    bad_type, bad_attributes, field = invalid
    bad_dataset = _dataset(http, bad_type, {"format_version": "0.1", "categories": [{"id": 1, "name": "a"}]})
    r = http.post(f"/datasets/{bad_dataset}/samples_bulk/", json=[
        {"name": "ok", "attributes": sdk_sample_attributes(bad_type)}, {"name": "bad", "attributes": bad_attributes}])
    assert r.status_code == 400, r.text
    assert r.json()["field"] == f"[1].{field}"
    assert http.get(f"/datasets/{bad_dataset}/samples/").json() == []
