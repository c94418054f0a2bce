"""Release logic. Creating a release copies the dataset's samples and labels as of one instant (``snapshot``: a
file per release on SQLite, written from one read transaction so that writers are not blocked; snapshot tables
filled in the creating transaction on PostgreSQL), so the release is exactly the dataset at that instant whatever
happens afterwards; the release row and its build job commit once the snapshot is complete, and the job
(``builder``) turns the snapshot into the release file."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..datasets.permissions import DatasetAccess
from ..db import Labelset, Release
from ..db.sql import run
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, NotFound
from ..jobs import enqueue
from ..settings import Settings
from ..timeutil import now_iso
from . import snapshot

log = logging.getLogger("labelhouse.releases")

BUILD_JOB = "release.build"

# Parameters of each: the release id, the dataset id.
_SNAPSHOT_SAMPLES = (
    "INSERT INTO release_samples (release_id, sample_id, uuid, name, attributes, metadata, created_at) "
    "SELECT ?, s.id, s.uuid, s.name, s.attributes, s.metadata, s.created_at FROM samples s "
    "WHERE s.dataset_id = ?"
)
_SNAPSHOT_LABELS = (
    "INSERT INTO release_labels (release_id, sample_id, labelset_id, label_status, attributes, score, created_by, "
    "updated_by, reviewed_by, created_at, updated_at) "
    "SELECT ?, l.sample_id, l.labelset_id, l.label_status, l.attributes, l.score, cu.username, uu.username, "
    "ru.username, l.created_at, l.updated_at FROM labels l "
    "LEFT JOIN accounts cu ON cu.id = l.created_by_id LEFT JOIN accounts uu ON uu.id = l.updated_by_id "
    "LEFT JOIN accounts ru ON ru.id = l.reviewed_by_id WHERE l.dataset_id = ?"
)
# PostgreSQL: both in one statement (one MVCC snapshot), which also answers the release's sample count: counting
# the RETURNING rows of the samples' insert instead of reading the new snapshot again (at 10,000,000 samples a
# separate count(*) walked the 10,000,000 fresh rows; bench/RESULTS.md, issue 16 session 8).
_SNAPSHOT_BOTH_PG = f"WITH s AS ({_SNAPSHOT_SAMPLES} RETURNING 1), l AS ({_SNAPSHOT_LABELS}) SELECT count(*) FROM s"


def list_releases(session: Session, acc: DatasetAccess) -> list[Release]:
    return list(session.scalars(select(Release).where(Release.dataset_id == acc.dataset.id)
                                .order_by(Release.created_at.desc(), Release.id.desc())))


def get_release(session: Session, acc: DatasetAccess, name: str) -> Release:
    release = session.scalar(select(Release).where(Release.dataset_id == acc.dataset.id, Release.name == name))
    if release is None:
        raise NotFound(f"Release not found: no release named '{name}' in {acc.dataset.owner.username}/"
                       f"{acc.dataset.name}.")
    return release


def create_release(session: Session, acc: DatasetAccess, name: str, description: str, settings: Settings,
                   on_commit: Any = None) -> Release:
    dataset = acc.dataset
    if session.scalar(select(Release.id).where(Release.dataset_id == dataset.id, Release.name == name)):
        raise AlreadyExists(f"A release with name '{name}' already exists in this dataset.", field="name")
    now = now_iso()
    release = Release(uuid=str(uuid.uuid4()), dataset_id=dataset.id, name=name, description=description,
                      release_type="JSON", status="PENDING", status_info="", samples_count=0, snapshot_at=now,
                      created_by_id=acc.user.id, created_at=now)
    folder = snapshot.snapshot_dir(session.get_bind())
    if folder is None:
        with write_transaction(session):
            return _snapshot(session, dataset, release, name, settings, on_commit)
    # SQLite: the copy first (a read transaction: writers go on), then the release and its job in a short write
    # transaction; until that commits, no build can see the file, and a failed create removes it.
    release.samples_count, labelsets = snapshot.take(session.get_bind().engine, folder,
                                                     release.uuid, dataset.id)
    try:
        with write_transaction(session):
            _add(session, release, name)
            release.job_id = enqueue(session, BUILD_JOB, _payload(release, dataset, labelsets, snapshot_file=True),
                                     max_attempts=settings.job_max_attempts, on_commit=on_commit).id
    except BaseException:
        snapshot.remove(folder, release.uuid)
        raise
    return release


def _add(session: Session, release: Release, name: str) -> None:
    session.add(release)
    try:
        session.flush()
    except IntegrityError:
        raise AlreadyExists(f"A release with name '{name}' already exists in this dataset.", field="name") from None


def _payload(release: Release, dataset: Any, labelsets: list[dict[str, Any]], snapshot_file: bool = False
             ) -> dict[str, Any]:
    """The build job's payload. ``snapshot``: "file" when the snapshot is a file (``snapshot.FileSnapshot``);
    absent for the snapshot tables."""
    payload = {
        "release_id": release.id,
        "dataset": {"name": dataset.name, "owner": dataset.owner.username, "description": dataset.description or "",
                    "task_type": dataset.task_type, "data_type": dataset.data_type,
                    "task_attributes": dataset.task_attributes},
        "labelsets": labelsets,
    }
    if snapshot_file:
        payload["snapshot"] = "file"
    return payload


def _snapshot(session: Session, dataset: Any, release: Release, name: str, settings: Settings,
              on_commit: Any) -> Release:
    """The release's row, its snapshot of samples and labels in the snapshot tables, and its build job: one write
    transaction (PostgreSQL, in-memory SQLite)."""
    _add(session, release, name)
    params = (release.id, dataset.id)
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        # One statement = one MVCC snapshot for samples and labels (READ COMMITTED gives each statement its own).
        release.samples_count = run(session, _SNAPSHOT_BOTH_PG, params + params).scalar()
    else:
        # SQLite: this transaction holds the write lock (BEGIN IMMEDIATE), so nothing changes in between; the
        # samples copied are the insert's row count (not a second walk of the snapshot under the lock).
        release.samples_count = run(session, _SNAPSHOT_SAMPLES, params).rowcount
        run(session, _SNAPSHOT_LABELS, params)
    labelsets = session.scalars(select(Labelset).where(Labelset.dataset_id == dataset.id).order_by(Labelset.id))
    payload = _payload(release, dataset, [{"id": ls.id, "name": ls.name, "description": ls.description or ""}
                                          for ls in labelsets])
    job = enqueue(session, BUILD_JOB, payload, max_attempts=settings.job_max_attempts, on_commit=on_commit)
    release.job_id = job.id
    return release


def delete_release(session: Session, acc: DatasetAccess, name: str, on_commit: Any = None) -> None:
    """Delete at any status; its file goes in a background job (``storage.cleanup``) enqueued in the same
    transaction. A build still running notices (its final, conditional update finds no row) and removes what it
    wrote."""
    from ..storage.cleanup import enqueue_file_deletion  # storage.cleanup -> jobs -> ... -> releases

    release = get_release(session, acc, name)
    with write_transaction(session):
        session.execute(delete(Release).where(Release.id == release.id))
        snapshot.delete_rows(session, "release_id = ?", release.id)
        enqueue_file_deletion(session, [release.file_key], on_commit=on_commit)
    # A build reading it keeps its open file; a snapshot file left by a crash in between is swept by a later build.
    snapshot.remove(snapshot.snapshot_dir(session.get_bind()), release.uuid)
