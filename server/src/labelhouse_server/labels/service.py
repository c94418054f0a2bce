"""Label writes: create-or-replace, update, delete. Attributes are validated against the dataset's task type and
categories, stored as received (compact JSON text) and recorded as a workunit in the same transaction."""

from __future__ import annotations

import math
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import Labelset
from ..db.integrity import violated_constraint
from ..errors import Invalid, NotFound
from ..samples.deps import SampleAccess
from ..samples.service import usernames
from ..timeutil import now_iso
from ..validation import validate_label_attributes
from ..workunits import service as workunits
from .schemas import (
    DEFAULT_STATUS,
    LABEL_STATUSES,
    LT,
    REVIEW_STATUSES,
    label_columns,
    label_public,
    label_user_ids,
)

LABEL_CONSTRAINT = "uq_labels_sample_id_labelset_id"


def _labelset(session: Session, sacc: SampleAccess, name: str) -> Labelset:
    ls = session.scalars(select(Labelset).where(Labelset.dataset_id == sacc.dataset.id,
                                                Labelset.name == name)).first()
    if ls is None:
        raise NotFound(f"Labelset not found: {name}.")
    return ls


def _label_row(session: Session, sample_id: int, labelset_id: int) -> Any:
    return session.execute(select(*label_columns()).where(LT.c.sample_id == sample_id,
                                                          LT.c.labelset_id == labelset_id)).first()


def _public(session: Session, sacc: SampleAccess, ls: Labelset, row: Any) -> dict[str, Any]:
    users = usernames(session, label_user_ids(row), sacc.user)
    return label_public(row, users, sample_uuid=sacc.sample.uuid, task_type=sacc.dataset.task_type,
                        labelset=ls.name)


def get_label(session: Session, sacc: SampleAccess, labelset: str) -> dict[str, Any]:
    ls = _labelset(session, sacc, labelset)
    row = _label_row(session, sacc.sample.id, ls.id)
    if row is None:
        raise NotFound("Label not found: this sample is unlabeled in this labelset.")
    return _public(session, sacc, ls, row)


# ---------------------------------------------------------------------------------------------- input checks
def _status(value: Any) -> str:
    if not isinstance(value, str) or value not in LABEL_STATUSES:
        raise Invalid(f"label_status: must be one of {', '.join(LABEL_STATUSES)}.", field="label_status")
    return value


def _score(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Invalid("score: a number is required.", field="score")
    return float(value)


def _attributes(sacc: SampleAccess, value: Any) -> str:
    validate_label_attributes(sacc.dataset.task_type, sacc.dataset.task_attributes, value)
    return orjson.dumps(value).decode()


def _check_may_set(sacc: SampleAccess, status: str) -> None:
    """Labelers write labels; only reviewers and above may record a review decision."""
    sacc.access.require("review" if status in REVIEW_STATUSES else "label")


def _work_type(status: str) -> str:
    return "review" if status in REVIEW_STATUSES else "label"


# -------------------------------------------------------------------------------------------------- writing
def put_label(session: Session, sacc: SampleAccess, labelset: str, body: Any) -> tuple[dict[str, Any], bool]:
    """Create or replace; returns (label, created). Two concurrent creates of the same label: the loser replaces."""
    try:
        return _put_label(session, sacc, labelset, body)
    except IntegrityError as exc:
        session.rollback()
        if violated_constraint(exc) != LABEL_CONSTRAINT:
            raise
        return _put_label(session, sacc, labelset, body)


def _put_label(session: Session, sacc: SampleAccess, labelset: str, body: Any) -> tuple[dict[str, Any], bool]:
    if not isinstance(body, dict):
        raise Invalid("body: a JSON object is required.", field="body")
    status = _status(body.get("label_status", DEFAULT_STATUS) or DEFAULT_STATUS)
    _check_may_set(sacc, status)
    if "attributes" not in body:
        raise Invalid("attributes: this field is required.", field="attributes")
    attributes = _attributes(sacc, body["attributes"])
    score = _score(body.get("score"))
    ls = _labelset(session, sacc, labelset)
    user_id = sacc.user.id
    now = now_iso()
    existing = _label_row(session, sacc.sample.id, ls.id)
    reviewed = {"reviewed_by_id": user_id, "reviewed_at": now} if status in REVIEW_STATUSES else {}
    if existing is None:
        session.execute(LT.insert().values(
            sample_id=sacc.sample.id, labelset_id=ls.id, dataset_id=sacc.dataset.id, label_status=status,
            attributes=attributes, score=score, created_by_id=user_id, updated_by_id=user_id, created_at=now,
            updated_at=now, **reviewed,
        ))
    else:
        session.execute(update(LT).where(LT.c.id == existing.id).values(
            label_status=status, attributes=attributes, score=score, updated_by_id=user_id, updated_at=now,
            **reviewed,
        ))
    workunits.record(session, dataset_id=sacc.dataset.id, sample=sacc.sample, labelset=ls.name, user_id=user_id,
                     work_type=_work_type(status), next_label_status=status, created_at=now)
    session.commit()
    return _public(session, sacc, ls, _label_row(session, sacc.sample.id, ls.id)), existing is None


def patch_label(session: Session, sacc: SampleAccess, labelset: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("body: a JSON object is required.", field="body")
    ls = _labelset(session, sacc, labelset)
    existing = _label_row(session, sacc.sample.id, ls.id)
    if existing is None:
        raise NotFound("Label not found: this sample is unlabeled in this labelset.")
    values: dict[str, Any] = {}
    status = existing.label_status
    if body.get("label_status") is not None:
        status = _status(body["label_status"])
        values["label_status"] = status
    _check_may_set(sacc, status)
    if "attributes" in body and body["attributes"] is not None:
        values["attributes"] = _attributes(sacc, body["attributes"])
    if "score" in body:
        values["score"] = _score(body["score"])
    now = now_iso()
    values.update(updated_by_id=sacc.user.id, updated_at=now)
    if "label_status" in values and status in REVIEW_STATUSES:
        values.update(reviewed_by_id=sacc.user.id, reviewed_at=now)
    session.execute(update(LT).where(LT.c.id == existing.id).values(**values))
    workunits.record(session, dataset_id=sacc.dataset.id, sample=sacc.sample, labelset=ls.name,
                     user_id=sacc.user.id, work_type=_work_type(status), next_label_status=status, created_at=now)
    session.commit()
    return _public(session, sacc, ls, _label_row(session, sacc.sample.id, ls.id))


def delete_label(session: Session, sacc: SampleAccess, labelset: str) -> None:
    ls = _labelset(session, sacc, labelset)
    existing = _label_row(session, sacc.sample.id, ls.id)
    if existing is None:
        raise NotFound("Label not found: this sample is unlabeled in this labelset.")
    # Removing a review decision is itself a review decision.
    _check_may_set(sacc, existing.label_status)
    session.execute(delete(LT).where(LT.c.id == existing.id))
    session.commit()
