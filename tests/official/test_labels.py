"""The official segments-ai SDK (unmodified) against a real labelhouse server: labels of every type, built with
the SDK's own typed models — create (PUT), update (PATCH), get, delete, every status, scores, labelsets — and
invalid labels rejected with a message naming the annotation and field, storing nothing."""

from __future__ import annotations

import pytest
from segments.exceptions import AuthorizationError, NetworkError, NotFoundError
from segments.typing import LabelStatus
from server.samples.payloads import (
    LABEL_TASK_TYPES,
    TASK_ATTRIBUTES,
    label_attributes,
    label_model,
    sample_attributes,
)
from support import unique


def _sample(client, task_type: str, name: str | None = None):
    ds = client.add_dataset(name or unique("ds"), task_type=task_type, task_attributes=TASK_ATTRIBUTES)
    return ds, client.add_sample(ds.full_name, "s1", sample_attributes(task_type))


@pytest.mark.parametrize("task_type", LABEL_TASK_TYPES)
def test_every_label_type_round_trips(segments_client, task_type):
    ds, sample = _sample(segments_client, task_type)
    with pytest.raises(NotFoundError):
        segments_client.get_label(sample.uuid)
    label = segments_client.add_label(sample.uuid, "ground-truth", label_model(task_type), score=1)
    assert label.label_status == "PRELABELED" and label.score == 1.0
    assert label.label_type == task_type and label.labelset == "ground-truth"
    assert label.sample_uuid == sample.uuid and label.created_by == ds.owner.username
    expected = label_attributes(task_type)
    assert label.attributes.model_dump(mode="json", exclude_unset=True) == expected
    patched = segments_client.update_label(sample.uuid, "ground-truth", label_status=LabelStatus.LABELED)
    got = segments_client.get_label(sample.uuid, "ground-truth")
    assert patched.attributes == got.attributes
    assert got.label_status == "LABELED"
    assert got.attributes.model_dump(mode="json", exclude_unset=True) == expected
    segments_client.delete_label(sample.uuid, "ground-truth")
    with pytest.raises(NotFoundError):
        segments_client.get_label(sample.uuid, "ground-truth")
    with pytest.raises(NotFoundError):
        segments_client.delete_label(sample.uuid, "ground-truth")


def test_resource_api_label_of_sequence_vector_keeps_int_track_ids(segments_client):
    _, sample = _sample(segments_client, "pointcloud-vector-sequence")
    sample.add_label("ground-truth", label_attributes("pointcloud-vector-sequence"))
    label = sample.get_label()
    assert all(isinstance(a.track_id, int) for frame in label.attributes.frames for a in frame.annotations)


def test_statuses_scores_and_labelsets(segments_client):
    ds, sample = _sample(segments_client, "vector")
    attrs = label_attributes("vector")
    for status in (LabelStatus.PRELABELED, LabelStatus.LABELED, LabelStatus.REVIEWED, LabelStatus.REJECTED,
                   LabelStatus.SKIPPED, LabelStatus.VERIFIED, LabelStatus.LABELING_IN_PROGRESS):
        label = segments_client.add_label(sample.uuid, "ground-truth", attrs, label_status=status)
        assert label.label_status == status.value
    segments_client.add_labelset(ds.full_name, "predictions")
    pred = segments_client.add_label(sample.uuid, "predictions", attrs, score=0.25)
    assert pred.labelset == "predictions" and pred.score == 0.25
    assert segments_client.update_label(sample.uuid, "predictions", score=0.75).score == 0.75
    assert segments_client.get_label(sample.uuid, "ground-truth").label_status == "LABELING_IN_PROGRESS"
    with pytest.raises(NotFoundError):
        segments_client.get_label(sample.uuid, "no-such-labelset")
    with pytest.raises(NotFoundError):
        segments_client.add_label("12345", "ground-truth", attrs)
    other = segments_client.add_sample(ds.full_name, "s2", sample_attributes("vector"))
    with pytest.raises(NotFoundError):
        segments_client.update_label(other.uuid, "ground-truth", label_status=LabelStatus.LABELED)
    stats = segments_client.get_dataset(ds.full_name).label_stats
    assert stats.LABELING_IN_PROGRESS == 1 and stats.UNLABELED == 1 and stats.TOTAL == 2


@pytest.mark.parametrize("mutation, field", [
    ("unknown_category", "attributes.annotations[1].category_id"),
    ("bbox_three_points", "attributes.annotations[0].points"),
    ("wrong_label_type", "attributes"),
])
def test_invalid_labels_are_rejected_and_nothing_is_stored(segments_client, mutation, field):
    _, sample = _sample(segments_client, "vector")
    good = label_attributes("vector")
    segments_client.add_label(sample.uuid, "ground-truth", good, label_status=LabelStatus.LABELED)
    bad = label_attributes("vector")
    if mutation == "unknown_category":
        bad["annotations"][1]["category_id"] = 99
    elif mutation == "bbox_three_points":
        bad["annotations"][0]["points"] = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    else:
        bad = label_attributes("pointcloud-cuboid")
    for call in (lambda: segments_client.add_label(sample.uuid, "ground-truth", bad),
                 lambda: segments_client.update_label(sample.uuid, "ground-truth", attributes=bad)):
        with pytest.raises(NetworkError) as exc:
            call()
        assert field in str(exc.value)
    kept = segments_client.get_label(sample.uuid, "ground-truth")
    assert kept.label_status == "LABELED"
    assert kept.attributes.model_dump(mode="json", exclude_unset=True) == good


def test_labelers_label_reviewers_review(server, segments_client):
    ds, sample = _sample(segments_client, "vector")
    attrs = label_attributes("vector")
    people = {}
    for role in ("labeler", "reviewer"):
        username, key = server.create_user()
        segments_client.add_dataset_collaborator(ds.full_name, username, role)
        people[role] = server.segments(key)
    try:
        labeler, reviewer = people["labeler"], people["reviewer"]
        assert labeler.add_label(sample.uuid, "ground-truth", attrs, LabelStatus.LABELED).label_status == "LABELED"
        for status in (LabelStatus.REVIEWED, LabelStatus.REJECTED, LabelStatus.VERIFIED):
            with pytest.raises(AuthorizationError):
                labeler.update_label(sample.uuid, "ground-truth", label_status=status)
        assert labeler.get_label(sample.uuid).label_status == "LABELED"
        reviewed = reviewer.update_label(sample.uuid, "ground-truth", label_status=LabelStatus.REJECTED)
        assert reviewed.label_status == "REJECTED" and reviewed.reviewed_by == reviewer.get_user().username
        with pytest.raises(AuthorizationError):  # labelers do not manage samples
            labeler.add_sample(ds.full_name, "x", sample_attributes("vector"))
    finally:
        for client in people.values():
            client.close()
