"""Every SDK method against the real app, in-process (SQLite, and PostgreSQL when configured): the SDK's own
``transport=`` is the app's ``httpx.ASGITransport`` (``tests/support.py``). Over a socket: test_transport.py, and
the parity test with the official SDK.

Each test builds its own users and data; nothing of the server is mocked.
"""

from __future__ import annotations

import asyncio

import labelhouse
import pytest
from labelhouse import AsyncSegmentsClient, SegmentsClient
from labelhouse import exceptions as exc
from labelhouse.models import (
    Collaborator,
    Dataset,
    Issue,
    IssueComment,
    IssueStatus,
    Label,
    LabelStatus,
    LabelSummary,
    Role,
    Sample,
    TaskType,
)

IMAGE = {"image": {"url": "https://example.com/a.jpg"}}
BBOX = {"format_version": "0.1", "annotations": [
    {"id": 1, "category_id": 1, "type": "bbox", "points": [[1.0, 2.0], [30.0, 40.0]]}]}


def test_users(lh: SegmentsClient, user: tuple[str, str], app) -> None:
    me = lh.get_user()
    assert me.username == user[0] and me["username"] == user[0] and me.is_organization is False
    other, _ = app.create_user()
    assert lh.get_user(other).username == other
    with pytest.raises(exc.NotFoundError) as info:
        lh.get_user("nobody-" + user[0])
    assert info.value.status == 404 and info.value.code == "not_found" and info.value.request_id


def test_wrong_key_is_an_authentication_error(sdk_for) -> None:
    with sdk_for("not-a-key") as sdk, pytest.raises(exc.AuthenticationError) as info:
        sdk.get_user()
    assert info.value.status == 401


def test_dataset_lifecycle(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    dataset = lh.add_dataset(name, "flowers", TaskType.VECTOR, metadata={"team": "a"},
                             task_attributes={"format_version": "0.1",
                                              "categories": [{"id": 1, "name": "rose"}, {"id": 2, "name": "tulip"}]})
    assert isinstance(dataset, Dataset)
    full = f"{user[0]}/{name}"
    assert dataset.full_name == full and dataset["task_type"] == "vector" and dataset.owner.username == user[0]
    assert [c.name for c in dataset.task_attributes.categories] == ["rose", "tulip"]
    with pytest.raises(exc.AlreadyExistsError):
        lh.add_dataset(name)
    assert lh.get_dataset(full).description == "flowers"
    updated = lh.update_dataset(full, description="only roses", public=True, enable_ratings=True)
    assert (updated.description, updated.public, updated.enable_ratings) == ("only roses", True, True)
    assert full in [d.full_name for d in lh.get_datasets()]
    assert full in [d.full_name for d in lh.iter_datasets(per_page=1)]
    assert full in [d.full_name for d in lh.get_datasets(user[0], per_page=10, page=1)]
    lh.delete_dataset(full)
    with pytest.raises(exc.NotFoundError):
        lh.get_dataset(full)


def test_invalid_input_names_the_field(lh: SegmentsClient, name: str) -> None:
    with pytest.raises(exc.InvalidRequestError) as info:
        lh.add_dataset(name, category="not-a-category")  # type: ignore[arg-type]
    assert info.value.status == 400 and info.value.field == "category"


def test_clone_dataset(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    lh.add_dataset(name, task_type="bboxes")
    full = f"{user[0]}/{name}"
    sample = lh.add_sample(full, "a.jpg", IMAGE)
    lh.add_label(sample.uuid, "ground-truth", BBOX, label_status=LabelStatus.LABELED)
    clone = lh.clone_dataset(full, clone_labels=True)
    assert clone.name == f"{name}-clone" and clone.task_type == TaskType.BBOXES
    cloned = lh.get_samples(clone.full_name, labelset="ground-truth")
    assert [s.name for s in cloned] == ["a.jpg"] and cloned[0].label.label_status == LabelStatus.LABELED
    other = lh.clone_dataset(full, new_name=f"{name}-v", new_task_type="vector", new_public=False)
    assert other.task_type == "vector" and other.public is False


def test_collaborators(lh: SegmentsClient, user: tuple[str, str], name: str, app, sdk_for) -> None:
    lh.add_dataset(name)
    full = f"{user[0]}/{name}"
    john, john_key = app.create_user()
    collaborator = lh.add_dataset_collaborator(full, john, "reviewer")
    assert isinstance(collaborator, Collaborator) and collaborator.role == Role.REVIEWER
    assert collaborator.user.username == john
    assert lh.get_dataset_collaborator(full, john).role == "reviewer"
    assert lh.update_dataset_collaborator(full, john, Role.MANAGER).role == Role.MANAGER
    assert john in [c.user.username for c in lh.get_dataset_collaborators(full)]
    with sdk_for(john_key) as as_john:
        assert as_john.get_dataset(full).name == name
    lh.delete_dataset_collaborator(full, john)
    with pytest.raises(exc.NotFoundError):
        lh.get_dataset_collaborator(full, john)
    with sdk_for(john_key) as as_john, pytest.raises(exc.NotFoundError):
        as_john.get_dataset(full)  # invisible datasets are 404, not 403


def test_labelsets(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    lh.add_dataset(name)
    full = f"{user[0]}/{name}"
    created = lh.add_labelset(full, "predictions", "model v1")
    assert (created.name, created.description) == ("predictions", "model v1")
    assert [ls.name for ls in lh.get_labelsets(full)] == ["ground-truth", "predictions"]
    assert lh.get_labelset(full, "predictions")["description"] == "model v1"
    with pytest.raises(exc.AlreadyExistsError):
        lh.add_labelset(full, "predictions")
    lh.delete_labelset(full, "predictions")
    with pytest.raises(exc.NotFoundError):
        lh.get_labelset(full, "predictions")


def test_samples(lh: SegmentsClient, user: tuple[str, str], name: str, app) -> None:
    lh.add_dataset(name)
    full = f"{user[0]}/{name}"
    labeler, _ = app.create_user()
    lh.add_dataset_collaborator(full, labeler, "labeler")
    sample = lh.add_sample(full, "violet.jpg", IMAGE, metadata={"weather": "sunny"}, priority=5,
                           assigned_labeler=labeler, embedding=[0.1, 0.2])
    assert isinstance(sample, Sample) and sample.dataset_full_name == full
    assert (sample.priority, sample.metadata, sample.assigned_labeler) == (5, {"weather": "sunny"}, labeler)
    with pytest.raises(exc.AlreadyExistsError):
        lh.add_sample(full, "violet.jpg", IMAGE)
    got = lh.get_sample(sample.uuid)
    assert got.name == "violet.jpg" and got["attributes"] == IMAGE
    updated = lh.update_sample(sample.uuid, name="rose.jpg", priority=1, assigned_labeler=labelhouse.UNASSIGNED)
    assert (updated.name, updated.priority, updated.assigned_labeler) == ("rose.jpg", 1, None)
    assert lh.update_sample(sample.uuid, metadata={"weather": "rain"}).assigned_labeler is None

    bulk = lh.add_samples(full, [{"name": f"{i:03d}.jpg", "attributes": IMAGE, "metadata": {"i": i}}
                                 for i in range(25)], batch_size=10, progress=True)
    assert len(bulk) == 25
    again = lh.add_samples(full, [{"name": "000.jpg", "attributes": IMAGE}])  # re-run: nothing duplicated
    assert again[0].uuid == bulk[0].uuid
    assert len(list(lh.iter_samples(full, per_page=7))) == 26
    page2 = lh.get_samples(full, per_page=10, page=2)
    assert [s.name for s in page2] == [f"{i:03d}.jpg" for i in range(10, 20)]
    assert [s.name for s in lh.get_samples(full, name="rose")] == ["rose.jpg"]
    assert [s.name for s in lh.get_samples(full, metadata=["weather:rain"])] == ["rose.jpg"]
    assert lh.get_samples(full, sort="priority", direction="desc")[0].name == "rose.jpg"

    deleted = lh.delete_samples(full, [s.uuid for s in bulk[:5]])
    assert deleted.deleted_count == 5
    lh.delete_sample(sample.uuid)
    with pytest.raises(exc.NotFoundError):
        lh.get_sample(sample.uuid)
    assert len(list(lh.iter_samples(full))) == 20


def test_labels(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    lh.add_dataset(name, task_type="vector")
    full = f"{user[0]}/{name}"
    lh.add_labelset(full, "predictions")
    sample = lh.add_sample(full, "a.jpg", IMAGE)
    with pytest.raises(exc.NotFoundError):
        lh.get_label(sample.uuid)
    label = lh.add_label(sample.uuid, "ground-truth", BBOX)
    assert isinstance(label, Label) and label.label_status == LabelStatus.PRELABELED and label.attributes == BBOX
    assert lh.get_label(sample.uuid, "ground-truth")["attributes"] == BBOX
    reviewed = lh.update_label(sample.uuid, "ground-truth", label_status="REVIEWED")
    assert reviewed.label_status == LabelStatus.REVIEWED and reviewed.attributes == BBOX
    lh.add_label(sample.uuid, "predictions", BBOX, score=0.25)
    listed = lh.get_samples(full, labelset="predictions")
    assert isinstance(listed[0].label, LabelSummary) and listed[0].label.score == 0.25
    full_labels = lh.get_samples(full, labelset="predictions", include_full_label=True)
    assert isinstance(full_labels[0].label, Label) and full_labels[0].label.attributes == BBOX
    assert lh.get_sample(sample.uuid, labelset="predictions").label.score == 0.25
    assert [s.name for s in lh.get_samples(full, labelset="ground-truth", label_status=["REVIEWED"])] == ["a.jpg"]
    lh.delete_label(sample.uuid, "predictions")
    with pytest.raises(exc.NotFoundError):
        lh.get_label(sample.uuid, "predictions")
    with pytest.raises(exc.ValidationError):
        lh.get_samples(full, include_full_label=True)  # needs a labelset; caught before sending


def test_issues(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    lh.add_dataset(name)
    full = f"{user[0]}/{name}"
    sample = lh.add_sample(full, "a.jpg", IMAGE)
    issue = lh.add_issue(sample.uuid, "The car on the left is missing.",
                         anchor={"type": "location", "location": {"type": "2d", "x": 1.5, "y": 2.0}})
    assert isinstance(issue, Issue) and issue.status == IssueStatus.OPEN and issue.sample_uuid == sample.uuid
    assert issue.anchor["location"]["x"] == 1.5
    assert [i.uuid for i in lh.get_issues(full)] == [issue.uuid]
    closed = lh.update_issue(issue.uuid, status=IssueStatus.CLOSED, description="fixed")
    assert (closed.status, closed.description) == (IssueStatus.CLOSED, "fixed")
    assert lh.get_issue_comments(issue.uuid) == []
    first = lh.add_issue_comment(issue.uuid, "Fixed in the latest labels.")
    assert isinstance(first, IssueComment) and first.text == "Fixed in the latest labels."
    assert first.created_by == user[0] and first.created_at is not None
    lh.add_issue_comment(issue.uuid, "Checked.")
    assert [c.text for c in lh.get_issue_comments(issue.uuid)] == ["Fixed in the latest labels.", "Checked."]
    with pytest.raises(exc.ValidationError):
        lh.add_issue_comment(issue.uuid, "")  # the server's 400: 1 to 10,000 characters
    lh.delete_issue(issue.uuid)
    assert lh.get_issues(full) == []


def test_workunits(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    lh.add_dataset(name, task_type="vector")
    full = f"{user[0]}/{name}"
    sample = lh.add_sample(full, "a.jpg", IMAGE)
    lh.add_label(sample.uuid, "ground-truth", BBOX, label_status="LABELED")
    lh.update_label(sample.uuid, "ground-truth", label_status="REVIEWED")
    workunits = lh.get_workunits(full)
    assert workunits and all(w.sample_uuid == sample.uuid and w.created_by == user[0] for w in workunits)
    assert len(list(lh.iter_workunits(full, direction="asc", per_page=1))) == len(workunits)
    assert lh.get_workunits(full, start="2000-01-01T00:00:00", end="2000-01-02T00:00:00") == []


def test_text_task_types_of_seed_002(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    dataset = lh.add_dataset(name, task_type="text-named-entities")
    assert dataset.task_type == TaskType.TEXT_NAMED_ENTITIES
    full = f"{user[0]}/{name}"
    sample = lh.add_sample(full, "sentence-1", {"text": "Jane lives in Ghent."})
    assert sample.attributes == {"text": "Jane lives in Ghent."}
    text_label = {"format_version": "0.1", "annotations": [{"start": 0, "end": 4, "category_id": 1},
                                                          {"start": 14, "end": 19, "category_id": 1}]}
    label = lh.add_label(sample.uuid, "ground-truth", text_label, label_status="LABELED")
    assert label.label_type == TaskType.TEXT_NAMED_ENTITIES and label.attributes == text_label
    assert lh.get_datasets()[0]["task_type"] in {t.value for t in TaskType}
    spans = lh.add_dataset(name + "-spans", task_type=TaskType.TEXT_SPAN_CATEGORIZATION)
    assert spans["task_type"] == "text-span-categorization"


def test_raw_methods_of_seed_000(lh: SegmentsClient, user: tuple[str, str], name: str) -> None:
    assert lh.get("/user")["username"] == user[0]
    with pytest.raises(exc.AuthenticationError):
        lh.get("/user", auth=False)
    created = lh.post("/user/datasets/", {"name": name, "task_type": "vector"})
    assert created["full_name"] == f"{user[0]}/{name}"
    assert lh.patch(f"/datasets/{user[0]}/{name}/", {"description": "raw"})["description"] == "raw"
    sample = lh.post(f"/datasets/{user[0]}/{name}/samples/", {"name": "a.jpg", "attributes": IMAGE})
    assert lh.put(f"/labels/{sample['uuid']}/ground-truth/", {"attributes": BBOX, "label_status": "LABELED"}
                  )["label_status"] == "LABELED"
    assert lh.delete(f"/datasets/{user[0]}/{name}/") is None


def test_every_public_method_is_exercised_by_a_live_test() -> None:
    from pathlib import Path

    sdk_tests = Path(__file__).parents[1]  # tests/sdk: the in-process tests here, test_live_releases.py there
    repository = sdk_tests.parents[1]
    live = sorted(sdk_tests.rglob("test_live*.py"))
    assert {p.name for p in live} >= {"test_live.py", "test_live_embeddings.py", "test_live_history.py",
                                      "test_live_releases.py"}
    text = "".join(p.read_text() for p in live) + (repository / "sdk/README.md").read_text()
    methods = {n for n in dir(SegmentsClient) if not n.startswith("_") and callable(getattr(SegmentsClient, n))}
    missing = {m for m in methods if f".{m}(" not in text} - {"close"}  # close: every `with` block
    assert not missing, f"no live test calls {sorted(missing)}"


def test_async_client_against_the_app(app, user: tuple[str, str], name: str) -> None:
    async def main() -> None:
        async with AsyncSegmentsClient(user[1], api_url=app.url, transport=app.async_transport()) as client:
            dataset = await client.add_dataset(name, task_type="vector")
            await client.add_samples(dataset.full_name, [{"name": f"{i}.jpg", "attributes": IMAGE} for i in range(12)])
            names = [s.name async for s in client.iter_samples(dataset.full_name, per_page=5)]
            assert len(names) == 12
            sample = await client.get_sample((await client.get_samples(dataset.full_name, per_page=1))[0].uuid)
            label = await client.add_label(sample.uuid, "ground-truth", BBOX)
            assert label.attributes == BBOX
            with pytest.raises(exc.NotFoundError):
                await client.get_dataset(f"{user[0]}/missing-{name}")

    asyncio.run(main())
