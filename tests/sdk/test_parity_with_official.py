"""Our SDK and the official segments-ai SDK, on the same server, give the same answers."""

from __future__ import annotations

from labelhouse import SegmentsClient

BBOX = {"format_version": "0.1", "annotations": [
    {"id": 1, "category_id": 1, "type": "bbox", "points": [[1.0, 2.0], [30.0, 40.0]]}]}


def test_same_answers_as_the_official_sdk(lh: SegmentsClient, segments_client, user: tuple[str, str],
                                          name: str) -> None:
    dataset = segments_client.add_dataset(name, task_type="vector")  # written by the official SDK ...
    full = dataset.full_name
    for i in range(3):
        sample = segments_client.add_sample(full, f"{i}.jpg", {"image": {"url": f"https://example.com/{i}.jpg"}},
                                            metadata={"i": i}, priority=i)
        segments_client.add_label(sample.uuid, "ground-truth", BBOX, label_status="LABELED", score=0.5)
    ours = lh.get_dataset(full)  # ... read by ours
    assert (ours.name, ours.full_name, ours.task_type, ours.public) == (dataset.name, full, "vector", False)
    theirs = segments_client.get_samples(full, labelset="ground-truth", include_full_label=True)
    mine = lh.get_samples(full, labelset="ground-truth", include_full_label=True)
    assert [(s.uuid, s.name, s.metadata, s.priority) for s in theirs] == \
           [(s.uuid, s.name, s.metadata, s.priority) for s in mine]
    for t, m in zip(theirs, mine):
        assert m.label.attributes == t.label.attributes.model_dump(mode="json", exclude_unset=True)
        assert (m.label.label_status, m.label.score) == (t.label.label_status, t.label.score)

    uuid = mine[0].uuid  # written by ours, read by the official SDK
    lh.update_label(uuid, "ground-truth", label_status="REVIEWED")
    assert segments_client.get_label(uuid).label_status == "REVIEWED"
    lh.add_labelset(full, "preds")
    assert [ls.name for ls in segments_client.get_labelsets(full)] == [ls.name for ls in lh.get_labelsets(full)]
    assert segments_client.get_user().username == lh.get_user().username == user[0]
