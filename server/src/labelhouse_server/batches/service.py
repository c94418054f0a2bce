"""Batches put existing data rows (samples of the organization's datasets) into a project. Each write checks its
input first, then makes its changes in one ``write_transaction``, with the reads they depend on.

Rows are passed in as ``(identifier, sample_id)`` pairs: the identifier is what the caller sent (a data row id or
a global key) and comes back in the failed list when the row cannot be used (unknown, another organization's,
already in the project); ``sample_id`` is None when the identifier named no row at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import orjson
from sqlalchemy import Table, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..catalog.orgs import OrgScope
from ..db import Batch, Dataset, Label, Labelset, Project, ProjectDataRow, ProjectLabelset, Sample
from ..db.catalog import DataRowInfo
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, Invalid, NotFound, OperationNotAllowed
from ..labelbox import ids
from ..labels import history
from ..ontologies.service import check_name, page, require_write
from ..projects.service import get_project, get_task_queue, initial_queue
from ..timeutil import now_iso

MAX_BATCH_ROWS = 100_000
PAGE_MAX = 1000
_CHUNK = 900  # ids per IN (...) list: below SQLite's host-parameter limit with room for the other parameters

Rows = Sequence[tuple[str, int | None]]
PROJECT_DATA_ROWS = cast(Table, ProjectDataRow.__table__)  # for Core inserts


def labelset_name(project: Project) -> str:
    return f"project-{ids.encode('project', project.id)}"


def check_priority(value: Any) -> int:
    if value is None:
        return 5
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid("priority must be an integer from 1 (highest) to 5 (lowest).", field="priority")
    return value


def check_consensus(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid("consensusSettings must be an object.", field="consensusSettings")
    labels, coverage = value.get("numberOfLabels"), value.get("coveragePercentage")
    if isinstance(labels, bool) or not isinstance(labels, int) or labels < 1:
        raise Invalid("consensusSettings.numberOfLabels must be a positive integer.",
                      field="consensusSettings.numberOfLabels")
    if isinstance(coverage, bool) or not isinstance(coverage, (int, float)) or not 0 <= coverage <= 1:
        raise Invalid("consensusSettings.coveragePercentage must be a number from 0 to 1.",
                      field="consensusSettings.coveragePercentage")
    return {"numberOfLabels": labels, "coveragePercentage": coverage}


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ------------------------------------------------------------------------------------------------- reading
def get_batch(session: Session, scope: OrgScope, project_pk: int | None, batch_pk: int | None) -> tuple[Project, Batch]:
    project = get_project(session, scope, project_pk)
    batch = session.get(Batch, batch_pk) if isinstance(batch_pk, int) else None
    if batch is None or batch.project_id != project.id:
        raise NotFound("Batch not found in this project.")
    return project, batch


def list_batches(session: Session, scope: OrgScope, project_pk: int | None, after: int | None = None,
                 first: Any = None) -> tuple[list[Batch], int | None]:
    """A page of the project's batches, oldest first; the cursor is the last batch's key (None: no more)."""
    project = get_project(session, scope, project_pk)
    return page(session, select(Batch).where(Batch.project_id == project.id), Batch, after, first)


def batches_public(session: Session, batches: Sequence[Batch]) -> list[dict[str, Any]]:
    sizes: dict[int, int] = {}
    if batches:
        sizes = dict(session.execute(select(ProjectDataRow.batch_id, func.count()).where(
            ProjectDataRow.batch_id.in_([b.id for b in batches])).group_by(ProjectDataRow.batch_id)).all())
    return [{"id": ids.encode("batch", b.id), "name": b.name, "size": sizes.get(b.id, 0), "priority": b.priority,
             "consensusSettingsJson": b.consensus_settings, "createdAt": b.created_at, "updatedAt": b.updated_at}
            for b in batches]


def batch_sample_ids(session: Session, batch: Batch) -> list[int]:
    return list(session.scalars(select(ProjectDataRow.sample_id).where(ProjectDataRow.batch_id == batch.id)
                                .order_by(ProjectDataRow.sample_id)))


# ------------------------------------------------------------------------------------------------- writing
def _ensure_labelsets(session: Session, project: Project, dataset_ids: set[int]) -> None:
    """The labelset that will hold the project's labels for each dataset its rows come from."""
    have = set(session.scalars(select(ProjectLabelset.dataset_id).where(ProjectLabelset.project_id == project.id)))
    now = now_iso()
    for dataset_id in sorted(dataset_ids - have):
        name = labelset_name(project)
        labelset = session.scalars(select(Labelset).where(Labelset.dataset_id == dataset_id,
                                                          Labelset.name == name)).first()
        if labelset is None:
            labelset = Labelset(dataset_id=dataset_id, name=name, is_groundtruth=False, created_at=now,
                                description=f"Labels of project '{project.name}' ({project.id})")
            session.add(labelset)
            session.flush()
        session.add(ProjectLabelset(project_id=project.id, dataset_id=dataset_id, labelset_id=labelset.id))
    session.flush()


def _add_rows(session: Session, scope: OrgScope, project: Project, batch: Batch, rows: Rows, priority: int,
              queue_id: int | None) -> list[str]:
    """Add the usable rows to ``batch``; returns the identifiers of the rows that could not be added."""
    failed: list[str] = []
    wanted: dict[int, str] = {}
    for identifier, sample_id in rows:
        if sample_id is None:
            failed.append(identifier)
        elif sample_id not in wanted:
            wanted[sample_id] = identifier
    ids = list(wanted)
    # The organization's datasets, read once: joining them per chunk makes SQLite walk every sample of a dataset.
    org_datasets = set(session.scalars(select(Dataset.id).where(Dataset.owner_id == scope.org_id)))
    usable: dict[int, int] = {}  # sample id -> dataset id
    for chunk in _chunks(ids):
        usable.update((sample_id, dataset_id) for sample_id, dataset_id in session.execute(
            select(Sample.id, Sample.dataset_id).where(Sample.id.in_(chunk))).tuples()
            if dataset_id in org_datasets)
        taken = set(session.scalars(select(ProjectDataRow.sample_id).where(
            ProjectDataRow.project_id == project.id, ProjectDataRow.sample_id.in_(chunk))))
        for sample_id in taken:
            usable.pop(sample_id, None)
    failed.extend(wanted[sample_id] for sample_id in ids if sample_id not in usable)
    if usable:
        _ensure_labelsets(session, project, set(usable.values()))
        now = now_iso()
        values = [{"project_id": project.id, "sample_id": sample_id, "batch_id": batch.id,
                   "task_queue_id": queue_id, "priority": priority, "created_at": now}
                  for sample_id in ids if sample_id in usable]
        # Core executemany: the ORM's bulk insert costs several times the database's own work here.
        connection = session.connection()
        for chunk in _chunks(values, 5000):
            connection.execute(insert(PROJECT_DATA_ROWS), list(chunk))
        batch.updated_at = now
        project.last_activity_time = now
    return failed


def _new_batch(session: Session, project: Project, scope: OrgScope, name: str, priority: int,
               consensus: dict[str, Any] | None) -> Batch:
    """A new batch named ``name`` (checked by ``check_name``), in the caller's write transaction."""
    if session.scalar(select(Batch.id).where(Batch.project_id == project.id, Batch.name == name)) is not None:
        raise AlreadyExists(f"A batch named '{name}' already exists in this project.", field="name")
    now = now_iso()
    batch = Batch(project_id=project.id, name=name, priority=priority, consensus_settings=consensus,
                  created_by_id=scope.user.id, created_at=now, updated_at=now)
    session.add(batch)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent create took the name (the caller's block rolls back)
        if violated_constraint(exc) == "uq_batches_project_id_name":
            raise AlreadyExists(f"A batch named '{name}' already exists in this project.", field="name") from None
        raise
    return batch


def _check_size(rows: Rows) -> None:
    if not rows:
        raise Invalid("A batch needs at least one data row.", field="dataRowIds")
    if len(rows) > MAX_BATCH_ROWS:
        raise Invalid(f"A batch holds at most {MAX_BATCH_ROWS} data rows; split the rows into several batches.",
                      field="dataRowIds")


def create_batch(session: Session, scope: OrgScope, project_pk: int | None, name: Any, rows: Rows, priority: Any = None,
                 consensus: Any = None) -> tuple[Batch, list[str]]:
    """``createBatchV2``: a batch of the given rows; returns it with the identifiers that could not be added."""
    require_write(scope)
    project = get_project(session, scope, project_pk)
    priority, consensus = check_priority(priority), check_consensus(consensus)
    _check_size(rows)
    name = check_name(name, "batch name")
    queue_id = initial_queue(session, project).id
    with write_transaction(session):  # rolled back, batch included, when no row can be added
        batch = _new_batch(session, project, scope, name, priority, consensus)
        failed = _add_rows(session, scope, project, batch, rows, priority, queue_id)
        if len(failed) == len(rows):
            sample = ", ".join(failed[:5]) + (" ..." if len(failed) > 5 else "")
            raise Invalid(f"None of the {len(rows)} data rows can be added to the project (unknown, not visible, "
                          f"or already in a batch of this project): {sample}", field="dataRowIds")
    return batch, failed


def create_empty_batch(session: Session, scope: OrgScope, project_pk: int | None, name: Any,
                       consensus: Any = None) -> Batch:
    require_write(scope)
    project = get_project(session, scope, project_pk)
    consensus = check_consensus(consensus)
    name = check_name(name, "batch name")
    with write_transaction(session):
        return _new_batch(session, project, scope, name, 5, consensus)


def add_rows_to_batch(session: Session, scope: OrgScope, project_pk: int | None, batch_pk: int | None, rows: Rows,
                      priority: Any = None) -> list[str]:
    """``addDataRowsToBatchAsync``: returns the identifiers that could not be added."""
    require_write(scope)
    project, batch = get_batch(session, scope, project_pk, batch_pk)
    priority = check_priority(priority)
    _check_size(rows)
    queue_id = initial_queue(session, project).id
    with write_transaction(session):
        return _add_rows(session, scope, project, batch, rows, priority, queue_id)


def create_batches(session: Session, scope: OrgScope, project_pk: int | None, prefix: Any, rows: Rows,
                   priority: Any = None, consensus: Any = None) -> list[tuple[Batch, list[str]]]:
    """``createBatches``: batches of at most 100,000 rows named ``<prefix>0000``, ``<prefix>0001`` ..."""
    require_write(scope)
    project = get_project(session, scope, project_pk)
    priority, consensus = check_priority(priority), check_consensus(consensus)
    prefix = check_name(prefix, "batchNamePrefix")
    if not rows:
        raise Invalid("At least one data row is needed.", field="dataRowIds")
    queue_id = initial_queue(session, project).id
    out = []
    with write_transaction(session):  # all the batches, or none
        for i, start in enumerate(range(0, len(rows), MAX_BATCH_ROWS)):
            batch = _new_batch(session, project, scope, check_name(f"{prefix}{i:04d}", "batch name"), priority,
                               consensus)
            out.append((batch, _add_rows(session, scope, project, batch, rows[start:start + MAX_BATCH_ROWS],
                                         priority, queue_id)))
    return out


def create_batches_from_dataset(session: Session, scope: OrgScope, project_pk: int | None, prefix: Any, dataset_pk: int | None,
                                priority: Any = None, consensus: Any = None) -> list[tuple[Batch, list[str]]]:
    """``createBatchesFromDataset``: the dataset's rows that are not in the project yet (no batch when none).
    Their identifiers are data row ids."""
    require_write(scope)
    project = get_project(session, scope, project_pk)
    dataset = session.get(Dataset, dataset_pk) if isinstance(dataset_pk, int) else None
    if dataset is None or dataset.owner_id != scope.org_id:
        raise NotFound("Dataset not found.")
    in_project = select(ProjectDataRow.sample_id).where(ProjectDataRow.project_id == project.id)
    sample_ids = list(session.scalars(select(Sample.id).where(Sample.dataset_id == dataset.id,
                                                              Sample.id.not_in(in_project)).order_by(Sample.id)))
    if not sample_ids:
        return []
    return create_batches(session, scope, project.id, prefix, [(ids.encode("data_row", i), i) for i in sample_ids],
                          priority, consensus)


def _labeled(project: Project) -> Any:
    """Rows of the project that have a label in one of its labelsets (a correlated EXISTS)."""
    labelsets = select(ProjectLabelset.labelset_id).where(ProjectLabelset.project_id == project.id)
    return exists().where(Label.sample_id == ProjectDataRow.sample_id, Label.labelset_id.in_(labelsets))


def delete_batch(session: Session, scope: OrgScope, project_pk: int | None, batch_pk: int | None) -> int:
    require_write(scope)
    project, batch = get_batch(session, scope, project_pk, batch_pk)
    with write_transaction(session):  # no label may arrive between the check and the delete
        if session.scalar(select(exists().where(ProjectDataRow.batch_id == batch.id, _labeled(project)))):
            raise OperationNotAllowed(f"Batch '{batch.name}' has labeled data rows; delete its labels first "
                                      "(Batch.delete_labels).")
        session.execute(delete(ProjectDataRow).where(ProjectDataRow.batch_id == batch.id))
        session.delete(batch)
        project.last_activity_time = now_iso()
    return batch.id


def remove_queued_rows(session: Session, scope: OrgScope, project_pk: int | None, batch_pk: int | None) -> int:
    """Take the batch's rows that still wait in a queue without a label out of the project; returns how many."""
    require_write(scope)
    project, batch = get_batch(session, scope, project_pk, batch_pk)
    queued = (ProjectDataRow.batch_id == batch.id, ProjectDataRow.task_queue_id.is_not(None), ~_labeled(project))
    with write_transaction(session):
        removed = session.scalar(select(func.count()).select_from(ProjectDataRow).where(*queued)) or 0
        session.execute(delete(ProjectDataRow).where(*queued))
        batch.updated_at = now_iso()
    return removed


def delete_batch_labels(session: Session, scope: OrgScope, project_pk: int | None, batch_pk: int | None) -> list[int]:
    """Delete the project's labels on the batch's rows and queue those rows for labeling again; returns the
    deleted labels' ids."""
    require_write(scope)
    project, batch = get_batch(session, scope, project_pk, batch_pk)
    labelsets = select(ProjectLabelset.labelset_id).where(ProjectLabelset.project_id == project.id)
    rows = select(ProjectDataRow.sample_id).where(ProjectDataRow.batch_id == batch.id)
    where = (Label.labelset_id.in_(labelsets), Label.sample_id.in_(rows))
    queue_id = initial_queue(session, project).id
    with write_transaction(session):
        doomed = session.execute(select(Label.id, Label.dataset_id, Label.sample_id, Label.labelset_id)
                                 .where(*where).order_by(Label.id).with_for_update()).all()
        session.execute(delete(Label).where(*where))
        now = now_iso()
        for label in doomed:  # every deletion is kept in the label's history
            history.record_revision(session, dataset_id=label.dataset_id, sample_id=label.sample_id,
                                    labelset_id=label.labelset_id, action="deleted", label_status=None,
                                    attributes=None, score=None, user_id=scope.user.id, created_at=now)
        session.execute(update(ProjectDataRow).where(ProjectDataRow.batch_id == batch.id)
                        .values(task_queue_id=queue_id))
        batch.updated_at = now
    return [label.id for label in doomed]


# -------------------------------------------------------------------------------------------- queue moves
def move_rows_to_queue(session: Session, scope: OrgScope, project_pk: int | None, queue_pk: int | None, rows: Rows) -> list[str]:
    """Move rows of the project to a task queue (``queue_pk`` None: the Done state); returns the identifiers
    of rows that are not in the project."""
    require_write(scope)
    project = get_project(session, scope, project_pk)
    target = get_task_queue(session, project, queue_pk).id if queue_pk is not None else None
    failed = [identifier for identifier, sample_id in rows if sample_id is None]
    wanted = {sample_id: identifier for identifier, sample_id in rows if sample_id is not None}
    ids = list(wanted)
    with write_transaction(session):
        for chunk in _chunks(ids):
            present = set(session.scalars(select(ProjectDataRow.sample_id).where(
                ProjectDataRow.project_id == project.id, ProjectDataRow.sample_id.in_(chunk))))
            failed.extend(wanted[sample_id] for sample_id in chunk if sample_id not in present)
            session.execute(update(ProjectDataRow).where(ProjectDataRow.project_id == project.id,
                                                         ProjectDataRow.sample_id.in_(list(present)))
                            .values(task_queue_id=target))
        project.last_activity_time = now_iso()
    return failed


def send_to_annotate(session: Session, scope: OrgScope, project_pk: int | None, batch_name: Any, rows: Rows, *,
                     priority: Any = None, queue_pk: int | None = None, to_done: bool = False,
                     exclude_rows_in_project: bool = False, source_project_pk: int | None = None,
                     override_labels: bool = False) -> tuple[Batch | None, list[str]]:
    """``sendToAnnotateFromCatalog``: a batch of the rows in the destination project, placed in task queue
    ``queue_pk`` (the first queue when None) or in Done (``to_done``). Rows already in the project are skipped when
    ``exclude_rows_in_project``, otherwise reported as failed. With ``source_project_pk`` the source project's
    labels of those rows are copied: as they are into Done, as PRELABELED (pre-labels to start from) into a
    queue; an existing label of the destination is kept unless ``override_labels``."""
    require_write(scope)
    project = get_project(session, scope, project_pk)
    source = get_project(session, scope, source_project_pk) if source_project_pk is not None else None
    priority = check_priority(priority)
    if to_done:
        target = None
    elif queue_pk is not None:
        target = get_task_queue(session, project, queue_pk).id
    else:
        target = initial_queue(session, project).id
    _check_size(rows)
    if exclude_rows_in_project:
        present: set[int] = set()
        known = [sample_id for _, sample_id in rows if sample_id is not None]
        for chunk in _chunks(known):
            present.update(session.scalars(select(ProjectDataRow.sample_id).where(
                ProjectDataRow.project_id == project.id, ProjectDataRow.sample_id.in_(chunk))))
        rows = [(identifier, sample_id) for identifier, sample_id in rows if sample_id not in present]
        if not rows:
            return None, []
    batch_name = check_name(batch_name, "batch name")
    with write_transaction(session):  # (a row added to the project meanwhile fails in _add_rows)
        batch = _new_batch(session, project, scope, batch_name, priority, None)
        failed = _add_rows(session, scope, project, batch, rows, priority, target)
        if source is not None:
            _copy_labels(session, source, project, batch, None if to_done else "PRELABELED", override_labels,
                         scope.user.id)
    return batch, failed


def labeled_samples(session: Session, project: Project, sample_ids: Sequence[int]) -> set[int]:
    """The samples among ``sample_ids`` with a label (not a pre-label) in the project."""
    labelsets = list(_labelset_ids(session, project).values())
    out: set[int] = set()
    if not labelsets:
        return out
    for chunk in _chunks(list(sample_ids)):
        out.update(session.scalars(select(Label.sample_id).where(
            Label.sample_id.in_(chunk), Label.labelset_id.in_(labelsets), Label.label_status != "PRELABELED")))
    return out


def _labelset_ids(session: Session, project: Project) -> dict[int, int]:
    """dataset id -> the project's labelset for it."""
    return dict(session.execute(select(ProjectLabelset.dataset_id, ProjectLabelset.labelset_id)
                                .where(ProjectLabelset.project_id == project.id)).all())


def _copy_labels(session: Session, source: Project, destination: Project, batch: Batch, status: str | None,
                 override: bool, user_id: int) -> None:
    """Copy the source project's labels of ``batch``'s rows into the destination project's labelsets."""
    source_sets, destination_sets = _labelset_ids(session, source), _labelset_ids(session, destination)
    if not source_sets:
        return
    sample_ids = batch_sample_ids(session, batch)
    now = now_iso()
    copied: list[tuple[Label, str]] = []
    for chunk in _chunks(sample_ids):
        labels = session.scalars(select(Label).where(Label.sample_id.in_(chunk),
                                                     Label.labelset_id.in_(list(source_sets.values())))).all()
        existing = {(lab.sample_id, lab.labelset_id): lab for lab in session.scalars(select(Label).where(
            Label.sample_id.in_(chunk), Label.labelset_id.in_(list(destination_sets.values()))))}
        for label in labels:
            target_set = destination_sets.get(label.dataset_id)
            if target_set is None:
                continue
            current = existing.get((label.sample_id, target_set))
            if current is not None and not override:
                continue
            action = "updated" if current is not None else "created"
            if current is None:
                current = Label(sample_id=label.sample_id, labelset_id=target_set, dataset_id=label.dataset_id,
                                created_by_id=label.created_by_id, created_at=now)
                session.add(current)
            current.label_status = status or label.label_status
            current.attributes = label.attributes
            current.score = label.score
            current.updated_by_id = label.updated_by_id
            current.updated_at = now
            copied.append((current, action))
    session.flush()
    for current, action in copied:  # the copies are label writes: kept in each label's history
        history.record_revision(session, dataset_id=current.dataset_id, sample_id=current.sample_id,
                                labelset_id=current.labelset_id, action=action, label_status=current.label_status,
                                attributes=None if current.attributes is None else orjson.dumps(
                                    current.attributes).decode(), score=current.score, user_id=user_id,
                                created_at=now)


# ---------------------------------------------------------------------------------------------- identifiers
def rows_for_global_keys(session: Session, scope: OrgScope, keys: Sequence[str]) -> list[tuple[str, int | None]]:
    """``(key, sample id)`` for each global key, in order; None for a key no data row of the organization has."""
    found: dict[str | None, int] = {}
    unique = list(dict.fromkeys(k for k in keys if isinstance(k, str)))
    for chunk in _chunks(unique):
        found.update(session.execute(select(DataRowInfo.global_key, DataRowInfo.sample_id).where(
            DataRowInfo.org_id == scope.org_id, DataRowInfo.global_key.in_(list(chunk)))).tuples().all())
    return [(key, found.get(key)) for key in keys]
