"""Batches on a real database: rows go into a project once, unusable rows come back as failed, names are unique
per project, queues and Done, labelled rows protect their batch, organizations isolated."""

from __future__ import annotations

import pytest
from labelhouse_server.batches import service as batches
from labelhouse_server.db import Label, ProjectDataRow, ProjectLabelset
from labelhouse_server.errors import AlreadyExists, Forbidden, Invalid, NotFound, OperationNotAllowed
from labelhouse_server.labelbox import ids
from labelhouse_server.projects import service as projects
from labelhouse_server.timeutil import now_iso
from projectsupport import make_dataset
from sqlalchemy import select


def rows(sample_ids):
    return [(f"id-{s}", s) for s in sample_ids]


@pytest.fixture
def project(session, org):
    return projects.create_project(session, org.manager, "p", media_type="IMAGE")


def _queue_counts(session, project):
    return {q["queueType"]: q["dataRowCount"] for q in projects.task_queues(session, project)}


def _label(session, project, sample_id):
    link = session.scalars(select(ProjectLabelset).where(ProjectLabelset.project_id == project.id)).first()
    now = now_iso()
    label = Label(sample_id=sample_id, labelset_id=link.labelset_id, dataset_id=link.dataset_id,
                  label_status="LABELED", attributes={}, created_at=now, updated_at=now)
    session.add(label)
    session.commit()
    return label.id


def test_create_batch_reports_unusable_rows(session, org, other_org, project):
    _, mine = make_dataset(session, org.account, 5)
    _, theirs = make_dataset(session, other_org.account, 1)
    batch, failed = batches.create_batch(session, org.manager, project.id, "first",
                                         rows(mine[:3]) + rows(theirs) + [("nope", None)] + rows(mine[:1]),
                                         priority=2, consensus={"numberOfLabels": 3, "coveragePercentage": 0.5})
    assert sorted(failed) == sorted([f"id-{theirs[0]}", "nope"])
    public = batches.batches_public(session, [batch])[0]
    assert public["size"] == 3 and public["name"] == "first" and public["priority"] == 2
    assert public["consensusSettingsJson"] == {"numberOfLabels": 3, "coveragePercentage": 0.5}
    assert projects.project_public(session, project)["dataRowCount"] == 3
    assert _queue_counts(session, project) == {"INITIAL_LABELING_QUEUE": 3, "MANUAL_REVIEW_QUEUE": 0}
    # a row is in at most one batch of a project
    second, failed = batches.create_batch(session, org.manager, project.id, "second", rows(mine[2:]))
    assert failed == [f"id-{mine[2]}"] and batches.batches_public(session, [second])[0]["size"] == 2
    with pytest.raises(AlreadyExists):
        batches.create_batch(session, org.manager, project.id, "first", rows(mine))
    with pytest.raises(Invalid, match="None of the 1 data rows"):
        batches.create_batch(session, org.manager, project.id, "third", rows(mine[:1]))
    # nothing of a refused batch remains
    assert [b.name for b in batches.list_batches(session, org.manager, project.id)[0]] == ["first", "second"]


@pytest.mark.parametrize("kwargs, field", [
    ({"priority": 0}, "priority"), ({"priority": "high"}, "priority"),
    ({"consensus": {"numberOfLabels": 0, "coveragePercentage": 1}}, "consensusSettings.numberOfLabels"),
    ({"consensus": {"numberOfLabels": 2, "coveragePercentage": 3}}, "consensusSettings.coveragePercentage"),
])
def test_bad_batch_input(session, org, project, kwargs, field):
    _, mine = make_dataset(session, org.account, 1)
    with pytest.raises(Invalid) as exc:
        batches.create_batch(session, org.manager, project.id, "b", rows(mine), **kwargs)
    assert exc.value.field == field
    with pytest.raises(Invalid, match="at least one"):
        batches.create_batch(session, org.manager, project.id, "b", [])
    with pytest.raises(Invalid, match="non-empty"):
        batches.create_batch(session, org.manager, project.id, " ", rows(mine))


def test_empty_batch_then_rows(session, org, project):
    _, mine = make_dataset(session, org.account, 4)
    batch = batches.create_empty_batch(session, org.manager, project.id, "big")
    assert batches.batches_public(session, [batch])[0]["size"] == 0
    failed = batches.add_rows_to_batch(session, org.manager, project.id, batch.id, rows(mine) + [("x", None)], 1)
    assert failed == ["x"]
    assert batches.batches_public(session, [batch])[0]["size"] == 4
    assert batches.batch_sample_ids(session, batch) == sorted(mine)


def test_create_batches_split_and_from_dataset(session, org, project, monkeypatch):
    monkeypatch.setattr(batches, "MAX_BATCH_ROWS", 2)
    dataset, mine = make_dataset(session, org.account, 5)
    made = batches.create_batches(session, org.manager, project.id, "part", rows(mine[:3]))
    assert [(b.name, batches.batches_public(session, [b])[0]["size"], f) for b, f in made] == [
        ("part0000", 2, []), ("part0001", 1, [])]
    with pytest.raises(AlreadyExists):
        batches.create_batches(session, org.manager, project.id, "part", rows(mine[3:]))
    made = batches.create_batches_from_dataset(session, org.manager, project.id, "rest", dataset.id)
    assert [b.name for b, _ in made] == ["rest0000"]
    assert batches.batch_sample_ids(session, made[0][0]) == sorted(mine[3:])
    assert batches.create_batches_from_dataset(session, org.manager, project.id, "none", dataset.id) == []


def test_list_pages(session, org, project):
    _, mine = make_dataset(session, org.account, 5)
    made = [batches.create_batch(session, org.manager, project.id, f"b{i}", rows([s]))[0]
            for i, s in enumerate(mine)]
    seen, cursor = [], None
    while True:
        page, cursor = batches.list_batches(session, org.manager, project.id, cursor, 2)
        seen += [b.id for b in page]
        if cursor is None:
            break
    assert seen == [b.id for b in made]


def test_delete_remove_queued_and_delete_labels(session, org, project):
    _, mine = make_dataset(session, org.account, 4)
    batch, _ = batches.create_batch(session, org.manager, project.id, "b", rows(mine))
    label_id = _label(session, project, mine[0])
    with pytest.raises(OperationNotAllowed, match="labeled"):
        batches.delete_batch(session, org.manager, project.id, batch.id)
    # move one row to Done: it is no longer queued either
    assert batches.move_rows_to_queue(session, org.manager, project.id, None, rows(mine[1:2]) + [("gone", None)]) \
        == ["gone"]
    assert batches.remove_queued_rows(session, org.manager, project.id, batch.id) == 2
    assert batches.batch_sample_ids(session, batch) == sorted(mine[:2])
    assert batches.delete_batch_labels(session, org.manager, project.id, batch.id) == [label_id]
    assert session.get(Label, label_id) is None
    assert _queue_counts(session, project)["INITIAL_LABELING_QUEUE"] == 2
    assert batches.delete_batch(session, org.manager, project.id, batch.id) == batch.id
    assert session.scalars(select(ProjectDataRow).where(ProjectDataRow.project_id == project.id)).all() == []
    with pytest.raises(NotFound):
        batches.get_batch(session, org.manager, project.id, batch.id)


def test_move_to_queues(session, org, project):
    _, mine = make_dataset(session, org.account, 3)
    batches.create_batch(session, org.manager, project.id, "b", rows(mine))
    review = projects.task_queues(session, project)[1]
    review_pk = ids.decode("task_queue", review["id"])
    failed = batches.move_rows_to_queue(session, org.manager, project.id, review_pk, rows(mine[:2]) + [("x", 10**9)])
    assert failed == ["x"]
    assert _queue_counts(session, project) == {"INITIAL_LABELING_QUEUE": 1, "MANUAL_REVIEW_QUEUE": 2}
    other = projects.create_project(session, org.manager, "other", media_type="IMAGE")
    other_queue = ids.decode("task_queue", projects.task_queues(session, other)[0]["id"])
    with pytest.raises(NotFound):
        batches.move_rows_to_queue(session, org.manager, project.id, other_queue, rows(mine))


def test_send_to_annotate(session, org, project):
    _, mine = make_dataset(session, org.account, 4)
    batches.create_batch(session, org.manager, project.id, "b", rows(mine[:1]))
    batch, failed = batches.send_to_annotate(session, org.manager, project.id, "sent", rows(mine), to_done=True)
    assert failed == [f"id-{mine[0]}"] and batches.batches_public(session, [batch])[0]["size"] == 3
    assert _queue_counts(session, project) == {"INITIAL_LABELING_QUEUE": 1, "MANUAL_REVIEW_QUEUE": 0}
    again, failed = batches.send_to_annotate(session, org.manager, project.id, "again", rows(mine),
                                             exclude_rows_in_project=True)
    assert (again, failed) == (None, [])


def test_isolation_and_roles(session, org, other_org, project):
    _, mine = make_dataset(session, org.account, 2)
    batch, _ = batches.create_batch(session, org.manager, project.id, "b", rows(mine))
    for call in (lambda s: batches.get_batch(session, s, project.id, batch.id),
                 lambda s: batches.list_batches(session, s, project.id),
                 lambda s: batches.delete_batch(session, s, project.id, batch.id),
                 lambda s: batches.create_batch(session, s, project.id, "x", rows(mine))):
        with pytest.raises(NotFound):
            call(other_org.manager)
    other_dataset, _ = make_dataset(session, other_org.account, 1)
    with pytest.raises(NotFound):
        batches.create_batches_from_dataset(session, org.manager, project.id, "x", other_dataset.id)
    assert batches.get_batch(session, org.labeler, project.id, batch.id)[1].id == batch.id
    with pytest.raises(Forbidden):
        batches.delete_batch(session, org.labeler, project.id, batch.id)


def test_send_to_annotate_copies_labels(session, org):
    source = projects.create_project(session, org.manager, "source", media_type="IMAGE")
    destination = projects.create_project(session, org.manager, "destination", media_type="IMAGE")
    _, mine = make_dataset(session, org.account, 3)
    batches.create_batch(session, org.manager, source.id, "b", rows(mine))
    labelled = _label(session, source, mine[0])
    session.get(Label, labelled).attributes = {"annotations": [{"id": 1}]}
    session.commit()
    batches.send_to_annotate(session, org.manager, destination.id, "done", rows(mine[:2]), to_done=True,
                             source_project_pk=source.id)
    link = session.scalars(select(ProjectLabelset).where(ProjectLabelset.project_id == destination.id)).one()
    copied = session.scalars(select(Label).where(Label.labelset_id == link.labelset_id)).all()
    assert [(lab.sample_id, lab.label_status, lab.attributes) for lab in copied] == [
        (mine[0], "LABELED", {"annotations": [{"id": 1}]})]
    assert projects.label_count(session, destination) == 1
    # into a queue they arrive as pre-labels
    third = projects.create_project(session, org.manager, "third", media_type="IMAGE")
    batches.send_to_annotate(session, org.manager, third.id, "queued", rows(mine), source_project_pk=source.id)
    link = session.scalars(select(ProjectLabelset).where(ProjectLabelset.project_id == third.id)).one()
    assert [lab.label_status for lab in session.scalars(select(Label).where(Label.labelset_id == link.labelset_id))] \
        == ["PRELABELED"]
