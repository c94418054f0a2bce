"""Deleting a label records a workunit (``work_type`` ``delete``), as every other label write does."""

from __future__ import annotations

import time

from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import unique


def _one_sample(http):
    """A new vector dataset with one sample: its full name, the sample, and the sample's ground-truth label path."""
    full = http.post("/user/datasets/", json={"name": unique("wu"), "task_type": "vector",
                                              "task_attributes": TASK_ATTRIBUTES}).json()["full_name"]
    sample = http.post(f"/datasets/{full}/samples/", json={"name": "s", "attributes":
                                                            sample_attributes("vector")}).json()
    return full, sample, f"/labels/{sample['uuid']}/ground-truth/"


def test_label_delete_writes_a_workunit(app):
    _, key = app.create_user(unique("owner"))
    with app.client(key) as http:
        full, sample, path = _one_sample(http)
        assert http.put(path, json={"attributes": label_attributes("vector"), "label_status": "LABELED"}) \
            .status_code == 201
        assert http.delete(path).status_code == 204
        units = http.get(f"/datasets/{full}/workunits/?sort=created_at").json()
    assert [(u["work_type"], u["next_label_status"], u["sample_uuid"], u["labelset"]) for u in units] == [
        ("label", "LABELED", sample["uuid"], "ground-truth"), ("delete", None, sample["uuid"], "ground-truth")]


def test_workunit_uuids_are_time_ordered(app):
    """Workunit uuids are version 7 (``labelhouse_server.ids``): a later write's uuid sorts after an earlier one's
    (made a few milliseconds apart), so their unique index grows at its right edge."""
    _, key = app.create_user(unique("owner"))
    with app.client(key) as http:
        full, _, path = _one_sample(http)
        for status in ("LABELED", "LABELING_IN_PROGRESS", "LABELED"):
            assert http.put(path, json={"attributes": label_attributes("vector"), "label_status": status}) \
                .status_code in (200, 201)
            time.sleep(0.003)
        units = http.get(f"/datasets/{full}/workunits/?sort=created_at").json()
    uuids = [u["uuid"] for u in units]
    assert len(uuids) == 3 and all(u[14] == "7" and u[19] in "89ab" for u in uuids)
    assert uuids == sorted(uuids)
