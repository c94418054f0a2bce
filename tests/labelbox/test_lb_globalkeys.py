"""§2.4 through the official Labelbox SDK: assign, look up and clear global keys, Success / Partial Success /
Failure per key; keys are unique per organization (another organization may use the same key)."""

from __future__ import annotations

from lbsupport import labelbox_client
from support import unique


def make_rows(client, n):  # type: ignore[no-untyped-def]
    ds = client.create_dataset(name=unique("gk"))
    ds.create_data_rows([{"row_data": f"https://example.com/{i}.jpg"} for i in range(n)]).wait_till_done()
    return [r.uid for r in ds.data_rows()]


def test_assign_lookup_clear(lb_client):
    ids = make_rows(lb_client, 3)
    keys = [unique("k") for _ in ids]
    out = lb_client.assign_global_keys_to_data_rows(
        [{"data_row_id": i, "global_key": k} for i, k in zip(ids, keys)])
    assert out["status"] == "SUCCESS" and len(out["results"]) == 3 and out["errors"] == []

    found = lb_client.get_data_row_ids_for_global_keys(keys)
    assert found["status"] == "SUCCESS" and found["results"] == ids
    partial = lb_client.get_data_row_ids_for_global_keys([keys[0], "missing-key"])
    assert partial["status"] == "PARTIAL SUCCESS" and partial["results"] == [ids[0], ""]
    assert partial["errors"][0]["global_key"] == "missing-key"
    assert lb_client.get_data_row_ids_for_global_keys(["missing-key"])["status"] == "FAILURE"

    cleared = lb_client.clear_global_keys([keys[0], "missing-key"])
    assert cleared["status"] == "PARTIAL SUCCESS" and cleared["results"] == [keys[0]]
    assert lb_client.get_data_row(ids[0]).global_key is None
    assert lb_client.clear_global_keys([keys[1]])["status"] == "SUCCESS"


def test_assign_conflicts_and_bad_rows(lb_client):
    ids = make_rows(lb_client, 3)
    key = unique("taken")
    assert lb_client.assign_global_keys_to_data_rows([{"data_row_id": ids[0], "global_key": key}])[
        "status"] == "SUCCESS"
    out = lb_client.assign_global_keys_to_data_rows([
        {"data_row_id": ids[1], "global_key": key},  # held by ids[0]
        {"data_row_id": ids[2], "global_key": unique("fresh")},
        {"data_row_id": "cr" + "0" * 23, "global_key": unique("orphan")},  # no such row
    ])
    assert out["status"] == "PARTIAL SUCCESS" and len(out["results"]) == 1 and len(out["errors"]) == 2
    assert lb_client.get_data_row(ids[1]).global_key is None
    # re-assigning a row its own key is fine
    assert lb_client.assign_global_keys_to_data_rows([{"data_row_id": ids[0], "global_key": key}])[
        "status"] == "SUCCESS"


def test_keys_are_per_organization(server, lb_client):
    mine = make_rows(lb_client, 1)
    key = unique("shared")
    lb_client.assign_global_keys_to_data_rows([{"data_row_id": mine[0], "global_key": key}])
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    theirs = make_rows(other, 1)
    # the same key in another organization is a different key
    assert other.assign_global_keys_to_data_rows([{"data_row_id": theirs[0], "global_key": key}])[
        "status"] == "SUCCESS"
    assert other.get_data_row_ids_for_global_keys([key])["results"] == theirs
    assert lb_client.get_data_row_ids_for_global_keys([key])["results"] == mine
    # and our rows are not theirs to key or clear
    assert other.assign_global_keys_to_data_rows([{"data_row_id": mine[0], "global_key": unique("x")}])[
        "status"] == "FAILURE"
    other.clear_global_keys([key])
    assert lb_client.get_data_row(mine[0]).global_key == key


def test_many_keys(lb_client):
    ds = lb_client.create_dataset(name=unique("many"))
    prefix = unique("m")
    ds.create_data_rows([{"row_data": f"https://example.com/{i}.jpg", "global_key": f"{prefix}-{i}"}
                         for i in range(1500)]).wait_till_done()
    found = lb_client.get_data_row_ids_for_global_keys([f"{prefix}-{i}" for i in range(1500)])
    assert found["status"] == "SUCCESS" and len(set(found["results"])) == 1500
