"""Datasets through the Labelbox API. A Labelbox dataset IS a labelhouse dataset, owned by the caller's
organization account (``orgs.py``).

Labelbox names are free text and need not be unique; Segments names are path segments, unique per owner. So the
Segments ``name`` is a slug of the Labelbox name made unique (``photos``, ``photos-2``, ``My-photos``), and the
Labelbox name is kept in ``display_name`` when the two differ. Datasets made here have no labeling task yet
(Segments task type ``""``): a Labelbox project brings the task.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..datasets.permissions import DatasetAccess
from ..datasets.service import GROUND_TRUTH, delete_dataset
from ..db import Dataset, Labelset, Sample
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..errors import Invalid
from ..timeutil import now_iso
from .orgs import OrgScope

MAX_NAME = 255
LABELBOX_NAME = func.coalesce(Dataset.display_name, Dataset.name)
_SLUG_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


def visible(scope: OrgScope) -> ColumnElement[bool]:
    return Dataset.owner_id == scope.org.id


def labelbox_name(dataset: Dataset) -> str:
    return dataset.display_name or dataset.name


def get_dataset(session: Session, scope: OrgScope, dataset_id: int | None) -> Dataset | None:
    if dataset_id is None:
        return None
    dataset = session.get(Dataset, dataset_id)
    return dataset if dataset is not None and dataset.owner_id == scope.org.id else None


def list_datasets(session: Session, scope: OrgScope, condition: ColumnElement[bool], order: list[Any],
                  skip: int, first: int | None) -> list[Dataset]:
    query = select(Dataset).where(visible(scope), condition).order_by(*order, Dataset.id).offset(skip)
    if first is not None:
        query = query.limit(first)
    return list(session.scalars(query))


def row_counts(session: Session, dataset_ids: list[int]) -> dict[int, int]:
    if not dataset_ids:
        return {}
    rows = session.execute(select(Sample.dataset_id, func.count()).where(Sample.dataset_id.in_(dataset_ids))
                           .group_by(Sample.dataset_id)).all()
    return {dataset_id: count for dataset_id, count in rows}


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("Dataset name must be a non-empty string.", field="name")
    if len(name) > MAX_NAME:
        raise Invalid(f"Dataset name is longer than {MAX_NAME} characters.", field="name")
    return name


def _slug(name: str) -> str:
    slug = _SLUG_BAD.sub("-", name).strip("-_.")[:140]
    return slug if slug and slug[0].isalnum() else f"dataset-{slug}"[:140].rstrip("-_.") or "dataset"


def _free_slug(session: Session, owner_id: int, name: str) -> str:
    base = _slug(name)
    taken = set(session.scalars(select(Dataset.name).where(Dataset.owner_id == owner_id,
                                                           Dataset.name.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_dataset(session: Session, scope: OrgScope, name: Any, description: Any = None) -> Dataset:
    name = check_name(name)
    if description is not None and not isinstance(description, str):
        raise Invalid("Dataset description must be a string.", field="description")
    for _attempt in range(3):
        try:
            with write_transaction(session):  # the free slug is looked up in it: one attempt, one transaction
                now = now_iso()
                slug = _free_slug(session, scope.org.id, name)
                dataset = Dataset(owner_id=scope.org.id, name=slug, display_name=None if slug == name else name,
                                  description=description or "", category="other", public=False, archived=False,
                                  task_type="", data_type="IMAGE", readme="", metadata_={}, options={},
                                  created_by_id=scope.user.id, created_at=now, updated_at=now)
                session.add(dataset)
                session.flush()
                session.add(Labelset(dataset_id=dataset.id, name=GROUND_TRUTH, description="", is_groundtruth=True,
                                     created_at=now))
            return dataset
        except IntegrityError as exc:  # a concurrent create took the slug (rolled back): pick the next one
            if violated_constraint(exc) != "uq_datasets_owner_id_name":
                raise
    raise Invalid("Could not find a free name for this dataset; retry.", field="name")


def update_dataset(session: Session, dataset: Dataset, fields: dict[str, Any]) -> Dataset:
    """``name`` and ``description`` (the SDK's Dataset fields); the Segments name (path) does not change."""
    name = check_name(fields["name"]) if "name" in fields else None
    description = fields.get("description")
    if description is not None and not isinstance(description, str):
        raise Invalid("Dataset description must be a string.", field="description")
    with write_transaction(session):
        if name is not None:
            dataset.display_name = None if name == dataset.name else name
        if "description" in fields:
            dataset.description = description or ""
        dataset.updated_at = now_iso()
    return dataset


def remove_dataset(session: Session, scope: OrgScope, dataset: Dataset, on_commit: Any = None) -> None:
    """Deleted for real, with every data row (which frees their global keys), as the Segments API does; its
    stored files go in a background job (``storage.cleanup``)."""
    delete_dataset(session, DatasetAccess(dataset, scope.user, scope.role), on_commit)
