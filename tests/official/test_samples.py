"""The official segments-ai SDK (unmodified) against a real labelhouse server: samples of every type — add, bulk
add, get, list with filters/sorting/pagination, update, unassign, delete, bulk delete — and their error cases."""

from __future__ import annotations

import pytest
from segments.exceptions import AlreadyExistsError, NetworkError, NotFoundError, ValidationError
from segments.typing import LabelStatus
from server.samples.payloads import SAMPLE_KINDS, TASK_ATTRIBUTES, label_attributes, sample_attributes
from support import unique


def _dataset(client, name: str, task_type: str = "vector"):
    return client.add_dataset(name, task_type=task_type, task_attributes=TASK_ATTRIBUTES)


@pytest.mark.parametrize("kind", list(SAMPLE_KINDS))
def test_every_sample_type_round_trips(segments_client, name, kind):
    task_type, attributes = SAMPLE_KINDS[kind]
    ds = _dataset(segments_client, name, task_type)
    sample = segments_client.add_sample(ds.full_name, f"{kind}-1", attributes, metadata={"kind": kind},
                                        priority=2.5, readme="read me")
    assert sample.name == f"{kind}-1"
    assert sample.dataset_full_name == ds.full_name
    assert sample.attributes.model_dump(mode="json", exclude_unset=True) == attributes
    again = segments_client.get_sample(sample.uuid)
    assert again.attributes.model_dump(mode="json", exclude_unset=True) == attributes
    assert again.metadata == {"kind": kind} and again.priority == 2.5 and again.readme == "read me"
    assert again.created_by == ds.owner.username
    # The same document in a dataset of another task type is rejected and nothing is stored.
    other_type = "pointcloud-cuboid" if kind != "pointcloud" else "vector"
    other = _dataset(segments_client, unique("ds"), other_type)
    with pytest.raises(NetworkError) as exc:
        segments_client.add_sample(other.full_name, "wrong", attributes)
    assert "attributes" in str(exc.value)
    assert segments_client.get_samples(other.full_name) == []


def test_add_update_unassign_delete(server, segments_client, user, name):
    username, _ = user
    labeler, _ = server.create_user()
    ds = _dataset(segments_client, name)
    attrs = sample_attributes("vector")
    sample = segments_client.add_sample(ds.full_name, "Test sample", attrs, metadata={"weather": "sunny",
                                                                                      "camera_id": 3},
                                        priority=0, assigned_labeler=labeler, assigned_reviewer=username)
    assert (sample.assigned_labeler, sample.assigned_reviewer) == (labeler, username)
    with pytest.raises(AlreadyExistsError):
        segments_client.add_sample(ds.full_name, "Test sample", attrs)
    # same values again, same name accepted
    updated = segments_client.update_sample(sample.uuid, name="Test sample", metadata={"weather": "rain"},
                                            priority=7, readme="x")
    assert updated.metadata == {"weather": "rain"} and updated.priority == 7 and updated.readme == "x"
    assert updated.assigned_labeler == labeler and updated.dataset_full_name == ds.full_name
    unset = segments_client.update_sample(sample.uuid, assigned_labeler=None, assigned_reviewer=None)
    assert unset.assigned_labeler is None and unset.assigned_reviewer is None
    assert segments_client.get_sample(sample.uuid).assigned_labeler is None
    with pytest.raises(NetworkError):
        segments_client.update_sample(sample.uuid, assigned_labeler=unique("nobody"))
    segments_client.add_sample(ds.full_name, "taken", attrs)
    with pytest.raises(AlreadyExistsError):
        segments_client.update_sample(sample.uuid, name="taken")
    segments_client.delete_sample(sample.uuid)
    with pytest.raises(NotFoundError):
        segments_client.get_sample(sample.uuid)
    for call in (lambda: segments_client.get_sample("12345"), lambda: segments_client.update_sample("12345"),
                 lambda: segments_client.delete_sample("12345")):
        with pytest.raises(NotFoundError):
            call()


def test_bulk_add_returns_existing_unchanged_and_bulk_delete(segments_client, name):
    ds = _dataset(segments_client, name)
    attrs = sample_attributes("vector")
    first = segments_client.add_samples(ds.full_name, [
        {"name": "sample_1", "attributes": attrs, "metadata": {"k": "v"}, "priority": 1},
        {"name": "sample_2", "attributes": attrs},
    ])
    assert [s.name for s in first] == ["sample_1", "sample_2"]
    assert all(s.dataset_full_name == ds.full_name for s in first)
    second = segments_client.add_samples(ds.full_name, [
        {"name": "sample_1", "attributes": {"image": {"url": "changed"}}, "metadata": {"k": "changed"}},
        {"name": "sample_3", "attributes": attrs},
    ])
    assert second[0].uuid == first[0].uuid
    assert second[0].metadata == {"k": "v"} and second[0].attributes.image.url == attrs["image"]["url"]
    assert len(segments_client.get_samples(ds.full_name)) == 3
    result = segments_client.delete_samples(ds.full_name, [first[0].uuid, second[1].uuid])
    assert result.deleted_count == 2
    assert segments_client.delete_samples(ds.full_name, ["unknown-uuid"]).deleted_count == 0
    assert [s.name for s in segments_client.get_samples(ds.full_name)] == ["sample_2"]
    with pytest.raises(NotFoundError):
        segments_client.delete_samples("nonexistent/dataset", ["x"])
    with pytest.raises(ValidationError):  # checked client-side by the SDK
        segments_client.delete_samples(ds.full_name, [])


def test_bulk_add_with_one_bad_sample_stores_nothing(segments_client, name):
    ds = _dataset(segments_client, name)
    good = sample_attributes("vector")
    bad = sample_attributes("pointcloud-cuboid")
    with pytest.raises(NetworkError) as exc:
        segments_client.add_samples(ds.full_name, [{"name": "a", "attributes": good},
                                                   {"name": "b", "attributes": bad}])
    assert "[1]" in str(exc.value)
    assert segments_client.get_samples(ds.full_name) == []


def test_listing_filters_sorting_pagination(segments_client, name):
    ds = _dataset(segments_client, name)
    attrs = sample_attributes("vector")
    samples = segments_client.add_samples(ds.full_name, [
        {"name": f"img-{i:02d}.jpg", "attributes": attrs, "priority": i % 3,
         "metadata": {"weather": "sunny" if i % 2 else "rain", "camera_id": i % 4}}
        for i in range(12)
    ])
    full = ds.full_name
    names = [s.name for s in samples]
    assert [s.name for s in segments_client.get_samples(full)] == names
    assert [s.name for s in segments_client.get_samples(full, direction="desc")] == names[::-1]
    assert [s.name for s in segments_client.get_samples(full, per_page=5, page=3)] == names[10:]
    assert segments_client.get_samples(full, per_page=5, page=4) == []
    by_priority = segments_client.get_samples(full, sort="priority", direction="desc")
    assert [s.priority for s in by_priority] == sorted((s.priority for s in samples), reverse=True)
    assert [s.name for s in segments_client.get_samples(full, sort="created_at")] == names
    assert {s.name for s in segments_client.get_samples(full, name="1.jp")} == {"img-01.jpg", "img-11.jpg"}
    sunny = segments_client.get_samples(full, metadata="weather:sunny")
    assert {s.name for s in sunny} == {n for i, n in enumerate(names) if i % 2}
    both = segments_client.get_samples(full, metadata=["weather:sunny", "camera_id:3"])
    assert {s.name for s in both} == {"img-03.jpg", "img-07.jpg", "img-11.jpg"}

    # labels: status filters (UNLABELED too), summaries and full labels, label update time sort
    segments_client.add_label(samples[0].uuid, "ground-truth", label_attributes("vector"), LabelStatus.LABELED)
    segments_client.add_label(samples[5].uuid, "ground-truth", label_attributes("vector"), LabelStatus.REVIEWED,
                              score=0.5)
    labeled = segments_client.get_samples(full, label_status=[LabelStatus.LABELED, LabelStatus.REVIEWED])
    assert [s.name for s in labeled] == [names[0], names[5]]
    unlabeled = segments_client.get_samples(full, label_status=LabelStatus.UNLABELED)
    assert len(unlabeled) == 10
    with_summary = segments_client.get_samples(full, labelset="ground-truth", per_page=6)
    assert with_summary[0].label.label_status == "LABELED" and with_summary[1].label is None
    assert with_summary[5].label.score == 0.5
    with_full = segments_client.get_samples(full, labelset="ground-truth", include_full_label=True, per_page=1)
    assert with_full[0].label.attributes.model_dump(mode="json", exclude_unset=True) == label_attributes("vector")
    by_label_time = segments_client.get_samples(full, sort="gt_label__updated_at", direction="desc",
                                                label_status=[LabelStatus.LABELED, LabelStatus.REVIEWED])
    assert [s.name for s in by_label_time] == [names[5], names[0]]
    one = segments_client.get_sample(samples[5].uuid, labelset="ground-truth")
    assert one.label.label_status == "REVIEWED" and one.label.labelset == "ground-truth"
    assert segments_client.get_sample(samples[1].uuid, labelset="ground-truth").label is None


def test_junk_query_values_are_tolerated(server, user, segments_client, name):
    ds = _dataset(segments_client, name)
    segments_client.add_sample(ds.full_name, "a", sample_attributes("vector"))
    assert len(segments_client.get_samples(ds.full_name, label_status=LabelStatus.UNLABELED, sort="created")) == 1
    with server.client(user[1]) as http:
        for query in (f"per_page=desc&page=1&labelset={ds.full_name}&filters=UNLABELED&sort=-None",
                      "per_page=1000&page=1&label_status=UNLABELED&sort=-created",
                      "page=-3&per_page=0&sort=&label_status=BOGUS,,&filters=,:,novalue&include_full_label=maybe"):
            r = http.get(f"/datasets/{ds.full_name}/samples/?{query}")
            assert r.status_code == 200, r.text
            assert [s["name"] for s in r.json()] == ["a"]


def test_missing_dataset_and_invisible_samples(server, segments_client, name):
    ds = _dataset(segments_client, name)
    sample = segments_client.add_sample(ds.full_name, "a", sample_attributes("vector"))
    with pytest.raises(NotFoundError):
        segments_client.get_samples("abcde/abcde")
    with pytest.raises(NotFoundError):
        segments_client.add_sample("abcde/abcde", "a", sample_attributes("vector"))
    _, other_key = server.create_user()
    stranger = server.segments(other_key)
    try:
        with pytest.raises(NotFoundError):
            stranger.get_sample(sample.uuid)
        with pytest.raises(NotFoundError):
            stranger.get_samples(ds.full_name)
        with pytest.raises(NotFoundError):
            stranger.delete_sample(sample.uuid)
    finally:
        stranger.close()
    assert segments_client.get_sample(sample.uuid).name == "a"
