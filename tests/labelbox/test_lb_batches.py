"""§2.8 through the official Labelbox SDK: batches from data row ids and global keys (sync and async paths),
listing, deleting, queued rows, task queues, create_batches(_from_dataset), send-to-annotate; the same rows and
labels seen through the Segments API; errors as the SDK raises them."""

from __future__ import annotations

import pytest
from labelbox import MediaType, UniqueIds
from labelbox.schema.identifiables import GlobalKeys
from lbox.exceptions import (
    AuthorizationError,
    InvalidQueryError,
    OperationNotAllowedException,
    ResourceConflict,
    ResourceNotFoundError,
)
from lbsupport import labelbox_client
from support import unique


def make_rows(client, n: int, prefix: str | None = None):
    """A dataset with ``n`` image data rows that have global keys; returns (dataset, data row ids, keys)."""
    prefix = prefix or unique("gk")
    dataset = client.create_dataset(name=unique("rows"))
    keys = [f"{prefix}-{i:05d}" for i in range(n)]
    task = dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k} for k in keys])
    task.wait_till_done()
    assert task.status == "COMPLETE", task.errors
    found = client.get_data_row_ids_for_global_keys(keys)
    assert found["status"] == "SUCCESS"
    return dataset, found["results"], keys


@pytest.fixture
def project(lb_client):
    return lb_client.create_project(name=unique("p"), media_type=MediaType.Image)


def test_batches_from_ids_and_global_keys(lb_client, project):
    _, row_ids, keys = make_rows(lb_client, 6)
    batch = project.create_batch(unique("b1"), data_rows=row_ids[:3] + ["c" + "0" * 24], priority=2)
    assert batch.size == 3 and list(batch.failed_data_row_ids) == ["c" + "0" * 24]
    second = project.create_batch(unique("b2"), global_keys=keys[3:] + [keys[0], "no-such-key"])
    assert second.size == 3 and sorted(second.failed_data_row_ids) == sorted([keys[0], "no-such-key"])
    assert lb_client.get_project(project.uid).data_row_count == 6
    listed = list(project.batches())
    assert [(b.uid, b.size) for b in listed] == [(batch.uid, 3), (second.uid, 3)]
    got = lb_client.get_batch(project.uid, batch.uid)
    assert (got.name, got.size, got.created_at) == (batch.name, 3, batch.created_at)
    assert got.project().uid == project.uid
    assert {q.queue_type: q.data_row_count for q in project.task_queues()}["INITIAL_LABELING_QUEUE"] == 6
    with pytest.raises(ResourceConflict):
        project.create_batch(batch.name, data_rows=row_ids[:1])
    second.delete()
    assert [b.uid for b in project.batches()] == [batch.uid]
    assert lb_client.get_project(project.uid).data_row_count == 3


def test_batch_of_a_thousand_rows_takes_the_async_path(lb_client, project):
    _, row_ids, _ = make_rows(lb_client, 1000)
    batch = project.create_batch(unique("big"), data_rows=row_ids)  # createEmptyBatch + addDataRowsToBatchAsync
    assert batch.size == 1000
    assert lb_client.get_project(project.uid).data_row_count == 1000


def test_create_batches_and_from_dataset(lb_client, project):
    dataset, _row_ids, keys = make_rows(lb_client, 5)
    task = project.create_batches(unique("many"), global_keys=keys[:2])
    task.wait_till_done()
    assert task.errors() is None
    [batch] = task.result()
    assert batch.name.endswith("0000") and batch.size == 2
    rest = project.create_batches_from_dataset(unique("rest"), dataset.uid)
    rest.wait_till_done()
    assert [b.size for b in rest.result()] == [3]
    assert lb_client.get_project(project.uid).data_row_count == 5


def test_queues_and_queued_rows(lb_client, project):
    _, row_ids, keys = make_rows(lb_client, 4)
    batch = project.create_batch(unique("b"), data_rows=row_ids)
    review = next(q for q in project.task_queues() if q.queue_type == "MANUAL_REVIEW_QUEUE")
    project.move_data_rows_to_task_queue(UniqueIds(row_ids[:1]), review.uid)
    project.move_data_rows_to_task_queue(GlobalKeys(keys[1:2]), None)  # Done
    counts = {q.queue_type: q.data_row_count for q in project.task_queues()}
    assert counts == {"INITIAL_LABELING_QUEUE": 2, "MANUAL_REVIEW_QUEUE": 1}
    batch.remove_queued_data_rows()  # rows still waiting in a queue leave the project
    assert lb_client.get_batch(project.uid, batch.uid).size == 1
    assert lb_client.get_project(project.uid).data_row_count == 1
    assert batch.delete_labels()["project"]["deleteBatchLabels"]["deletedLabelIds"] == []


def test_send_to_annotate(lb_client, project):
    _, row_ids, keys = make_rows(lb_client, 3)
    source = lb_client.create_project(name=unique("src"), media_type=MediaType.Image)
    source.create_batch(unique("b"), global_keys=keys)
    task = lb_client.send_to_annotate_from_catalog(
        destination_project_id=project.uid, task_queue_id=None, batch_name=unique("sent"),
        data_rows=GlobalKeys(keys[:2]), params={"source_project_id": source.uid})
    task.wait_till_done()
    assert task.status == "COMPLETE" and task.type == "send-to-annotate"
    [batch] = list(project.batches())
    assert batch.size == 2
    assert {q.queue_type: q.data_row_count for q in project.task_queues()} == {
        "INITIAL_LABELING_QUEUE": 0, "MANUAL_REVIEW_QUEUE": 0}  # sent to Done
    queue = project.task_queues()[0]
    again = lb_client.send_to_annotate_from_catalog(
        destination_project_id=project.uid, task_queue_id=queue.uid, batch_name=unique("more"),
        data_rows=UniqueIds(row_ids), params={"source_project_id": source.uid, "exclude_data_rows_in_project": True})
    again.wait_till_done()
    assert again.status == "COMPLETE"
    assert {q.queue_type: q.data_row_count for q in project.task_queues()}["INITIAL_LABELING_QUEUE"] == 1


def test_labels_from_the_segments_side_protect_a_batch(server, lb_client, user, project):
    dataset, row_ids, _keys = make_rows(lb_client, 2)
    batch = project.create_batch(unique("b"), data_rows=row_ids)
    # the project's labelset appears on the dataset for the Segments API (its name is already a valid slug)
    segments = server.segments(user[1])
    labelset, full_name = f"project-{project.uid}", f"{user[0]}/{dataset.name}"
    assert labelset in [ls.name for ls in segments.get_labelsets(full_name)]
    sample = segments.get_samples(full_name)[0]
    segments.add_label(sample.uuid, labelset, {"format_version": "0.1", "annotations": []}, label_status="LABELED")
    assert project.get_label_count() == 1
    with pytest.raises(OperationNotAllowedException):
        batch.delete()
    deleted = batch.delete_labels()["project"]["deleteBatchLabels"]["deletedLabelIds"]
    assert len(deleted) == 1 and project.get_label_count() == 0
    batch.delete()


def test_errors_and_other_organizations(server, lb_client, project):
    _, row_ids, keys = make_rows(lb_client, 2)
    batch = project.create_batch(unique("b"), data_rows=row_ids)
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    theirs = other.create_project(name=unique("theirs"), media_type=MediaType.Image)
    # their project: every write is an AuthorizationError; our rows are not theirs to batch
    hijack = lb_client.get_project(project.uid)
    hijack.uid = theirs.uid
    with pytest.raises(AuthorizationError):
        hijack.create_batch(unique("x"), data_rows=row_ids)
    with pytest.raises(InvalidQueryError, match="None of the 2 data rows"):
        theirs.create_batch(unique("x"), data_rows=row_ids)
    assert list(theirs.batches()) == []  # the refused batch was not left behind, empty
    with pytest.raises(ResourceNotFoundError):
        other.get_project(project.uid)
    with pytest.raises((ResourceNotFoundError, IndexError, TypeError)):
        other.get_batch(project.uid, batch.uid)
    foreign_batch = lb_client.get_batch(project.uid, batch.uid)
    foreign_batch.project_id = theirs.uid
    with pytest.raises(AuthorizationError):
        foreign_batch.delete()
    with pytest.raises(ValueError):  # refused by the SDK before sending
        project.create_batch(unique("empty"), data_rows=[])
    with pytest.raises(InvalidQueryError, match="priority"):
        project.create_batch(unique("p9"), global_keys=keys, priority=9)
