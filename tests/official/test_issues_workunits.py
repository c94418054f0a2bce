"""The official segments-ai SDK (unmodified) against a real labelhouse server: issues with every anchor kind, and
workunits recording every label creation, update and status change (who, what, when, which sample)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from segments.exceptions import AuthorizationError, NetworkError, NotFoundError
from segments.typing import IssueStatus, LabelStatus
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import unique

ANCHORS = [
    None,
    {"type": "basic"},
    {"type": "track", "trackNumber": 3, "trackAttribute": "color", "frame": 2},
    {"type": "sceneAttribute", "sceneAttribute": "weather"},
    {"type": "location", "frame": 0, "sensor": "Lidar", "location": {"type": "2d", "x": 1.2, "y": 3.5}},
    {"type": "location", "location": {"type": "3d", "x": 1, "y": 2, "z": 3}},
]


def _sample(client, task_type: str = "vector"):
    ds = client.add_dataset(unique("ds"), task_type=task_type, task_attributes=TASK_ATTRIBUTES)
    return ds, client.add_sample(ds.full_name, "s1", sample_attributes(task_type))


def test_issues_with_every_anchor(segments_client, user):
    ds, sample = _sample(segments_client)
    assert segments_client.get_issues(ds.full_name) == []
    created = []
    for i, anchor in enumerate(ANCHORS):
        issue = segments_client.add_issue(sample.uuid, f"issue {i}", anchor=anchor)
        assert issue.status == "OPEN" and issue.description == f"issue {i}"
        assert issue.sample_uuid == sample.uuid and issue.sample_name == "s1"
        assert issue.created_by == user[0] and issue.updated_by == user[0] and issue.comments == []
        if anchor is None:
            assert issue.anchor is None
        else:
            assert issue.anchor.model_dump(mode="json", exclude_unset=True) == anchor
        created.append(issue)
    listed = segments_client.get_issues(ds.full_name)
    assert [i.uuid for i in listed] == [i.uuid for i in created]
    updated = segments_client.update_issue(created[4].uuid, description="car missing on the left",
                                           status=IssueStatus.CLOSED)
    assert updated.description == "car missing on the left" and updated.status == "CLOSED"
    assert updated.anchor.model_dump(mode="json", exclude_unset=True) == ANCHORS[4]
    segments_client.delete_issue(created[0].uuid)
    assert len(segments_client.get_issues(ds.full_name)) == len(ANCHORS) - 1
    with pytest.raises(NotFoundError):
        segments_client.add_issue("12345", "d")
    with pytest.raises(NotFoundError):
        segments_client.update_issue("12345", description="d")
    with pytest.raises(NotFoundError):
        segments_client.delete_issue(created[0].uuid)
    with pytest.raises(NotFoundError):
        segments_client.get_issues("abcde/abcde")
    for bad in ({"type": "nowhere"}, {"type": "track"}, {"type": "location", "location": {"type": "2d", "x": 1}}):
        with pytest.raises(NetworkError) as exc:
            segments_client.add_issue(sample.uuid, "bad", anchor=bad)
        assert "anchor" in str(exc.value)
    # resource API: the issue object updates itself
    assert listed[1].update(description="via resource").description == "via resource"


def test_labelers_raise_issues_strangers_cannot(server, segments_client):
    ds, sample = _sample(segments_client)
    labeler_name, labeler_key = server.create_user()
    segments_client.add_dataset_collaborator(ds.full_name, labeler_name, "labeler")
    _, stranger_key = server.create_user()
    with server.segments(labeler_key) as labeler, server.segments(stranger_key) as stranger:
        issue = labeler.add_issue(sample.uuid, "please fix")
        assert issue.created_by == labeler_name
        assert len(labeler.get_issues(ds.full_name)) == 1
        with pytest.raises(NotFoundError):
            stranger.add_issue(sample.uuid, "nope")
        with pytest.raises(NotFoundError):
            stranger.update_issue(issue.uuid, status=IssueStatus.CLOSED)


def test_workunits_record_label_work(server, segments_client, user):
    ds, sample = _sample(segments_client)
    reviewer_name, reviewer_key = server.create_user()
    segments_client.add_dataset_collaborator(ds.full_name, reviewer_name, "reviewer")
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    attrs = label_attributes("vector")
    segments_client.add_label(sample.uuid, "ground-truth", attrs, LabelStatus.LABELED)
    segments_client.update_label(sample.uuid, "ground-truth", attributes=attrs)
    time.sleep(0.01)
    with server.segments(reviewer_key) as reviewer:
        reviewer.update_label(sample.uuid, "ground-truth", label_status=LabelStatus.REVIEWED)
    units = segments_client.get_workunits(ds.full_name)  # newest first by default
    assert [(u.created_by, u.work_type, u.next_label_status) for u in units] == [
        (reviewer_name, "review", "REVIEWED"), (user[0], "label", "LABELED"), (user[0], "label", "LABELED")]
    assert all(u.sample_uuid == sample.uuid and u.sample_name == "s1" for u in units)
    oldest_first = segments_client.get_workunits(ds.full_name, direction="asc")
    assert [u.uuid for u in oldest_first] == [u.uuid for u in units][::-1]
    assert len(segments_client.get_workunits(ds.full_name, per_page=2, page=2)) == 1
    fmt = "%Y-%m-%dT%H:%M:%S"
    start = before.strftime(fmt)
    end = (datetime.now(timezone.utc) + timedelta(seconds=2)).strftime(fmt)
    assert len(segments_client.get_workunits(ds.full_name, start=start, end=end)) == 3
    assert segments_client.get_workunits(ds.full_name, end=(before - timedelta(days=1)).strftime(fmt)) == []
    with_metrics = segments_client.get_workunits(ds.full_name, include_session_time_metrics=True)
    assert with_metrics[0].session_time_metrics is not None
    # junk bounds are ignored, not errors
    with server.client(user[1]) as http:
        r = http.get(f"/datasets/{ds.full_name}/workunits/?per_page=x&page=y&start=yesterday&end=&sort=-None")
        assert r.status_code == 200 and len(r.json()) == 3
    # labelers may not see who did what
    labeler_name, labeler_key = server.create_user()
    segments_client.add_dataset_collaborator(ds.full_name, labeler_name, "labeler")
    with server.segments(labeler_key) as labeler, pytest.raises(AuthorizationError):
        labeler.get_workunits(ds.full_name)


def test_failed_label_write_records_no_workunit(segments_client):
    ds, sample = _sample(segments_client)
    bad = label_attributes("vector")
    bad["annotations"][0]["category_id"] = 42
    with pytest.raises(NetworkError):
        segments_client.add_label(sample.uuid, "ground-truth", bad)
    assert segments_client.get_workunits(ds.full_name) == []
