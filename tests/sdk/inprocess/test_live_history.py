"""Label history through our SDK (sync and async) against the app in-process: every page, restore, errors."""

from __future__ import annotations

import asyncio

import pytest
from labelhouse import AsyncSegmentsClient, LabelRevision, SegmentsClient
from labelhouse import exceptions as exc
from support import InProcessApp

TASK = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}


def _box(x: int) -> dict:
    return {"format_version": "0.1", "annotations": [{"id": 1, "category_id": 1, "type": "bbox",
                                                      "points": [[0, 0], [x, x]]}]}


def _labeled_sample(lh: SegmentsClient, user: tuple[str, str], name: str, writes: int) -> str:
    lh.add_dataset(name, task_type="bboxes", task_attributes=TASK)
    sample = lh.add_sample(f"{user[0]}/{name}", "a.png", {"image": {"url": "https://example.com/a.png"}})
    for i in range(1, writes + 1):
        lh.add_label(sample.uuid, "ground-truth", _box(i), label_status="LABELED", score=float(i))
    return sample.uuid


def test_history_every_page_and_restore(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    uuid = _labeled_sample(lh, user, name, 5)
    lh.delete_label(uuid, "ground-truth")
    revisions = list(lh.get_label_history(uuid, "ground-truth", per_page=2))  # three pages
    assert all(isinstance(r, LabelRevision) for r in revisions)
    assert [r.revision for r in revisions] == [6, 5, 4, 3, 2, 1]
    assert [r.action for r in revisions] == ["deleted", "updated", "updated", "updated", "updated", "created"]
    assert revisions[0].attributes is None and revisions[1].attributes == _box(5)
    assert revisions[-1].created_by == user[0] and revisions[-1].created_at.tzinfo is not None
    assert [r.revision for r in lh.get_label_history(uuid, "ground-truth", limit=3)] == [6, 5, 4]
    label = lh.restore_label(uuid, "ground-truth", 2)
    assert label.attributes["annotations"][0]["points"] == [[0, 0], [2, 2]] and label.score == 2.0
    assert lh.get_label(uuid, "ground-truth").attributes == _box(2)
    newest = next(iter(lh.get_label_history(uuid, "ground-truth")))
    assert (newest.revision, newest.action) == (7, "restored")
    with pytest.raises(exc.NotFoundError):
        lh.restore_label(uuid, "ground-truth", 99)
    with pytest.raises(exc.ConflictError):
        lh.restore_label(uuid, "ground-truth", 6)  # the deletion
    with pytest.raises(exc.NotFoundError):
        list(lh.get_label_history(uuid, "no-such-labelset"))


def test_async_history_and_restore(app, user: tuple[str, str], name: str, lh: SegmentsClient) -> None:
    uuid = _labeled_sample(lh, user, name, 3)

    async def main() -> tuple[list[int], float | None]:
        async with AsyncSegmentsClient(user[1], api_url=app.url, transport=app.async_transport(), max_retries=1) as client:
            revisions = [r.revision async for r in client.get_label_history(uuid, "ground-truth", per_page=1)]
            label = await client.restore_label(uuid, "ground-truth", 1)
            return revisions, label.score

    revisions, score = asyncio.run(main())
    assert revisions == [3, 2, 1] and score == 1.0
    assert next(iter(lh.get_label_history(uuid, "ground-truth"))).action == "restored"


def test_diff_releases(app: InProcessApp, lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    uuid = _labeled_sample(lh, user, name, 1)
    full = f"{user[0]}/{name}"
    lh.wait_for_release(full, lh.add_release(full, "v1").name, poll_interval=0.1)
    lh.add_label(uuid, "ground-truth", _box(7), label_status="LABELED")
    added = lh.add_sample(full, "b.png", {"image": {"url": "https://example.com/b.png"}})
    lh.wait_for_release(full, lh.add_release(full, "v2").name, poll_interval=0.1)
    diff = lh.diff_releases(full, "v1", "v2")
    assert (diff.from_release, diff.to_release, diff["from"]) == ("v1", "v2", "v1")
    assert (diff.samples.added, diff.samples.changed, diff.labels.changed) == (1, 0, 1)
    changes = list(lh.iter_release_diff_changes(full, "v1", "v2", per_page=1))
    assert [(c.kind, c.change, c.sample_uuid) for c in changes] == [("label", "changed", uuid),
                                                                   ("sample", "added", added.uuid)]
    assert changes[0].annotations.changed == [1]
    with pytest.raises(exc.NotFoundError):
        lh.diff_releases(full, "v1", "v9")

    async def main() -> int:
        async with AsyncSegmentsClient(user[1], api_url=app.url, max_retries=1,
                                       transport=app.async_transport()) as client:
            return (await client.diff_releases(full, "v2", "v1")).samples.removed

    assert asyncio.run(main()) == 1
