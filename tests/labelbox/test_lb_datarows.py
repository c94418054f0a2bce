"""§2.3 through the official Labelbox SDK: create_data_rows / create_data_row / upsert_data_rows (uploaded manifest
and chunks), Partial Success with per-row reasons, listing, get, update, attachments, external ids, bulk delete,
other organizations' rows."""

from __future__ import annotations

import labelbox as lb
import pytest
from lbox.exceptions import AuthorizationError, ResourceCreationError, ResourceNotFoundError
from lbsupport import labelbox_client
from support import unique


def rows(n: int, prefix: str) -> list[dict]:
    return [{"row_data": f"https://example.com/{prefix}/img-{i:02d}.jpg", "global_key": f"{prefix}-{i:02d}",
             "external_id": f"img-{i:02d}", "attachments": [{"type": "RAW_TEXT", "value": f"note {i}",
                                                             "name": "note"}]} for i in range(n)]


def test_create_list_get_update(lb_client):
    prefix = unique("g")
    ds = lb_client.create_dataset(name=unique("rows"))
    task = ds.create_data_rows(rows(12, prefix))
    task.wait_till_done()
    assert task.status == "COMPLETE" and task.errors is None
    assert sorted(r["global_key"] for r in task.result) == [f"{prefix}-{i:02d}" for i in range(12)]
    assert lb_client.get_dataset(ds.uid).row_count == 12

    listed = list(ds.data_rows())
    assert len(listed) == 12 and len({r.uid for r in listed}) == 12
    one = next(r for r in listed if r.global_key == f"{prefix}-05")
    assert one.external_id == "img-05" and one.row_data.endswith("/img-05.jpg")
    assert one.media_attributes["mimeType"] == "image/jpeg"
    assert [(a.attachment_type, a.attachment_value, a.attachment_name) for a in one.attachments()] == [
        ("RAW_TEXT", "note 5", "note")]
    assert lb_client.get_data_row(one.uid).global_key == f"{prefix}-05"
    assert lb_client.get_data_row_by_global_key(f"{prefix}-05").uid == one.uid
    assert ds.data_row_for_external_id("img-05").uid == one.uid
    assert one.dataset().uid == ds.uid

    one.update(external_id="img-05-b", row_data="https://example.com/other.png")
    got = lb_client.get_data_row(one.uid)
    assert (got.external_id, got.row_data) == ("img-05-b", "https://example.com/other.png")
    one.create_attachment("IMAGE", "https://example.com/ref.jpg", "reference")
    assert {a.attachment_type for a in one.attachments()} == {"RAW_TEXT", "IMAGE"}
    found = lb_client.get_data_row_ids_for_external_ids(["img-03", "img-05-b", "nope"])
    assert set(found) == {"img-03", "img-05-b"} and found["img-05-b"] == [one.uid]


def test_pages_of_data_rows(lb_client):
    ds = lb_client.create_dataset(name=unique("pages"))
    ds.create_data_rows([{"row_data": f"https://example.com/{i}.jpg"} for i in range(1203)]).wait_till_done()
    listed = [r.uid for r in ds.data_rows()]  # 500 per page: the SDK follows pageInfo.startCursor
    assert len(listed) == 1203 == len(set(listed))


def test_partial_success_reports_each_bad_row(lb_client):
    prefix = unique("bad")
    ds = lb_client.create_dataset(name=unique("partial"))
    ds.create_data_rows([{"row_data": "https://example.com/a.jpg", "global_key": f"{prefix}-a"}]).wait_till_done()
    task = ds.create_data_rows([
        {"row_data": "https://example.com/ok.jpg", "global_key": f"{prefix}-ok"},
        {"row_data": "https://example.com/dup.jpg", "global_key": f"{prefix}-a"},  # taken
        {"row_data": "https://example.com/twice1.jpg", "global_key": f"{prefix}-twice"},
        {"row_data": "https://example.com/twice2.jpg", "global_key": f"{prefix}-twice"},  # repeated in the call
        {"row_data": "https://example.com/att.jpg", "attachments": [{"type": "RAW_TEXT", "value": "x" * 70_000}]},
        {"row_data": "https://example.com/long.jpg", "global_key": "k" * 201},
    ])
    task.wait_till_done()
    assert task.status == "COMPLETE"
    messages = {e["failedDataRows"][0]["rowData"]: e["message"] for e in task.errors}
    twice = {"https://example.com/twice1.jpg", "https://example.com/twice2.jpg"}
    assert len(set(messages) & twice) == 1  # the SDK reorders items: one of the two comes second
    assert set(messages) - twice == {"https://example.com/dup.jpg", "https://example.com/att.jpg",
                                     "https://example.com/long.jpg"}
    assert "global key" in messages["https://example.com/dup.jpg"].lower()
    assert "attachment value" in messages["https://example.com/att.jpg"].lower()
    assert len(task.result) == 2
    assert lb_client.get_dataset(ds.uid).row_count == 3  # bad rows were not written


def test_create_data_row_and_its_errors(lb_client):
    ds = lb_client.create_dataset(name=unique("single"))
    key = unique("one")
    row = ds.create_data_row(row_data="https://example.com/one.png", global_key=key, external_id="one")
    assert (row.global_key, row.external_id) == (key, "one") and len(row.uid) == 25
    with pytest.raises(ResourceCreationError):
        ds.create_data_row(row_data="https://example.com/two.png", global_key=key)


def test_upsert_by_id_and_global_key(lb_client):
    prefix = unique("up")
    ds = lb_client.create_dataset(name=unique("upsert"))
    ds.create_data_rows(rows(3, prefix)).wait_till_done()
    first = lb_client.get_data_row_by_global_key(f"{prefix}-00")
    task = ds.upsert_data_rows([
        {"key": lb.GlobalKey(f"{prefix}-01"), "external_id": "renamed"},
        {"key": lb.UniqueId(first.uid), "global_key": f"{prefix}-00-new"},
        {"row_data": "https://example.com/new.jpg", "global_key": f"{prefix}-new"},
        {"key": lb.GlobalKey("no-such-key"), "external_id": "x"},
    ])
    task.wait_till_done()
    assert len(task.errors) == 1 and "no-such-key" in task.errors[0]["message"]
    assert lb_client.get_data_row_by_global_key(f"{prefix}-01").external_id == "renamed"
    assert lb_client.get_data_row(first.uid).global_key == f"{prefix}-00-new"
    assert lb_client.get_dataset(ds.uid).row_count == 4


def test_local_files_are_uploaded_and_served(lb_client, tmp_path):
    import requests

    path = tmp_path / "memo.txt"
    path.write_text("hello from a file")
    ds = lb_client.create_dataset(name=unique("files"))
    row = ds.create_data_row(row_data=str(path), global_key=unique("memo"))
    assert row.row_data.startswith("http") and "memo.txt" in row.row_data
    assert requests.get(row.row_data, timeout=30).text == "hello from a file"  # no auth: a capability URL
    assert row.media_attributes["mimeType"] == "text/plain"


def test_bulk_delete_frees_global_keys(lb_client):
    prefix = unique("del")
    ds = lb_client.create_dataset(name=unique("delete"))
    ds.create_data_rows(rows(4, prefix)).wait_till_done()
    doomed = [lb_client.get_data_row_by_global_key(f"{prefix}-0{i}") for i in (0, 1)]
    lb.DataRow.bulk_delete(doomed)
    lb_client.get_data_row_by_global_key(f"{prefix}-02").delete()
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_data_row(doomed[0].uid)
    assert lb_client.get_dataset(ds.uid).row_count == 1
    again = ds.create_data_row(row_data="https://example.com/again.jpg", global_key=f"{prefix}-00")
    assert again.global_key == f"{prefix}-00"


def test_other_organizations_rows(server, lb_client):
    prefix = unique("mine")
    ds = lb_client.create_dataset(name=unique("private"))
    ds.create_data_rows(rows(2, prefix)).wait_till_done()
    row = lb_client.get_data_row_by_global_key(f"{prefix}-00")
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    with pytest.raises(ResourceNotFoundError):
        other.get_data_row(row.uid)
    with pytest.raises(ResourceNotFoundError):
        other.get_data_row_by_global_key(f"{prefix}-00")
    assert other.get_data_row_ids_for_external_ids(["img-00"]) == {}
    theirs = other.create_dataset(name="theirs")
    theirs_row = theirs.create_data_row(row_data="https://example.com/t.jpg")
    theirs_row.uid = row.uid  # aim at our row
    with pytest.raises(AuthorizationError):
        theirs_row.update(external_id="hijacked")
    with pytest.raises(AuthorizationError):
        theirs_row.create_attachment("RAW_TEXT", "x")
    with pytest.raises(AuthorizationError):
        lb.DataRow.bulk_delete([theirs_row])
    # their upserts cannot write into our dataset
    ds_theirs = other.get_dataset(theirs.uid)
    ds_theirs.uid = ds.uid
    task = ds_theirs.create_data_rows([{"row_data": "https://example.com/intruder.jpg"}])
    task.wait_till_done()
    assert task.errors and "not yours" in task.errors[0]["message"]
    assert lb_client.get_data_row(row.uid).external_id == "img-00"
    assert lb_client.get_dataset(ds.uid).row_count == 2

