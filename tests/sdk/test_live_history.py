"""Label history through our SDK (sync and async) against a real server: every page, restore, errors."""

from __future__ import annotations

import asyncio

import pytest
from labelhouse import AsyncSegmentsClient, LabelRevision, SegmentsClient
from labelhouse import exceptions as exc

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


def test_async_history_and_restore(server, user: tuple[str, str], name: str, lh: SegmentsClient) -> None:
    uuid = _labeled_sample(lh, user, name, 3)

    async def main() -> tuple[list[int], float | None]:
        async with AsyncSegmentsClient(user[1], api_url=server.url, max_retries=1) as client:
            revisions = [r.revision async for r in client.get_label_history(uuid, "ground-truth", per_page=1)]
            label = await client.restore_label(uuid, "ground-truth", 1)
            return revisions, label.score

    revisions, score = asyncio.run(main())
    assert revisions == [3, 2, 1] and score == 1.0
    assert next(iter(lh.get_label_history(uuid, "ground-truth"))).action == "restored"
