"""§2.10: tasks through the official Labelbox SDK — cheap work is COMPLETE on the first read (no poll sleep),
large imports run as background jobs and are polled to completion; tasks are per user and organization."""

from __future__ import annotations

import time

import pytest
from lbox.exceptions import ResourceNotFoundError
from lbsupport import labelbox_client
from support import live_server, unique


def test_small_import_is_complete_at_once(lb_client):
    ds = lb_client.create_dataset(name=unique("fast"))
    started = time.monotonic()
    task = ds.create_data_rows([{"row_data": f"https://example.com/{i}.jpg"} for i in range(50)])
    task.wait_till_done()
    assert task.status == "COMPLETE" and task.completion_percentage == 100
    assert time.monotonic() - started < 15
    again = lb_client.get_task_by_id(task.uid)
    assert again.uid == task.uid and again.type == "adv-upsert-data-rows" and again.status == "COMPLETE"
    assert task.uid in [t.uid for t in lb_client.get_user().created_tasks()]


def test_tasks_of_other_users_are_invisible(server, lb_client):
    ds = lb_client.create_dataset(name=unique("mine"))
    task = ds.create_data_rows([{"row_data": "https://example.com/1.jpg"}])
    task.wait_till_done()
    _, other_key = server.create_user()
    with pytest.raises(ResourceNotFoundError):
        labelbox_client(server, other_key).get_task_by_id(task.uid)


@pytest.fixture(scope="module")
def job_server(tmp_path_factory):
    """A server that hands every import of more than 10 rows to the background job runner."""
    with live_server("sqlite", tmp_path_factory.mktemp("jobs"), env={"LABELHOUSE_LABELBOX_SYNC_ROWS": "10"}) as srv:
        yield srv


def test_large_import_runs_as_a_background_job(job_server):
    _, key = job_server.create_user()
    client = labelbox_client(job_server, key)
    ds = client.create_dataset(name="big")
    prefix = unique("bg")
    task = ds.create_data_rows([{"row_data": f"https://example.com/{i}.jpg", "global_key": f"{prefix}-{i}"}
                                for i in range(40)] + [{"row_data": "https://example.com/x.jpg",
                                                        "global_key": f"{prefix}-3"}])
    task.wait_till_done(timeout_seconds=120)
    assert task.status == "COMPLETE"
    assert len(task.errors) == 1 and len(task.result) == 40
    assert client.get_dataset(ds.uid).row_count == 40
