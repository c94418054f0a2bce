"""Label writes: create-or-replace, update, delete. Attributes are validated against the dataset's task type and
categories, stored as received (compact JSON text) and recorded as a workunit in the same transaction."""

from __future__ import annotations

import math
from typing import Any

import orjson
from sqlalchemy.orm import Session

from ..access import SampleAccess
from ..datasets.permissions import can
from ..db.rows import LABEL, split
from ..db.sql import Unit, run
from ..db.transaction import write_transaction
from ..errors import Conflict, Invalid, NotFound
from ..lookups import usernames
from ..timeutil import now_iso
from ..validation import validate_label_attributes
from ..workunits import service as workunits
from . import history
from .policy import overwritable_by, require_write
from .schemas import (
    DEFAULT_STATUS,
    LABEL_STATUSES,
    REVIEW_STATUSES,
    label_public,
    label_user_ids,
)

# This sample's label in the labelset named (NULL label columns: unlabeled), then the labelset's id (no row: no
# such labelset).
_LABEL_IN_LABELSET = (
    f"SELECT {LABEL.sql('l')}, ls.id FROM labelsets ls "
    "LEFT JOIN labels l ON l.labelset_id = ls.id AND l.sample_id = ? WHERE ls.dataset_id = ? AND ls.name = ?"
)

# Create-or-replace in one statement; the labelset is resolved inside it (no row back: no such labelset). The
# unique (sample_id, labelset_id) key makes concurrent creates of one label safe: the later one replaces.
_UPSERT = (
    "INSERT INTO labels (sample_id, labelset_id, dataset_id, label_status, attributes, score, created_by_id, "
    "updated_by_id, reviewed_by_id, created_at, updated_at, reviewed_at) "
    "SELECT ?, ls.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM labelsets ls WHERE ls.dataset_id = ? AND ls.name = ? "
    "ON CONFLICT (sample_id, labelset_id) DO UPDATE SET label_status = excluded.label_status, "
    "attributes = excluded.attributes, score = excluded.score, updated_by_id = excluded.updated_by_id, "
    "updated_at = excluded.updated_at{reviewed}{guard} "
    f"RETURNING {LABEL.sql()}, labelset_id"
)
_UPSERT_LABEL = _UPSERT.format(reviewed="", guard="")
_UPSERT_REVIEW = _UPSERT.format(reviewed=", reviewed_by_id = excluded.reviewed_by_id, "
                                         "reviewed_at = excluded.reviewed_at", guard="")
# Roles below reviewer may not replace every status (``policy.py``): the replace happens only over a status the
# role may overwrite, decided in the same statement so that a review landing meanwhile is never overwritten.
_guarded_upsert: dict[str, str] = {}


def _upsert_for(role: str, review: bool) -> str:
    if can(role, "review"):
        return _UPSERT_REVIEW if review else _UPSERT_LABEL
    sql = _guarded_upsert.get(role)
    if sql is None:
        statuses = ", ".join(f"'{s}'" for s in sorted(overwritable_by(role)))
        sql = _guarded_upsert.setdefault(role, _UPSERT.format(
            reviewed="", guard=f" WHERE labels.label_status IN ({statuses})"))
    return sql


_PATCH_COLUMNS = ("label_status", "attributes", "score", "updated_by_id", "updated_at", "reviewed_by_id",
                  "reviewed_at")
_patch_sql: dict[tuple[str, ...], str] = {}
# The status read before the write is part of the condition: a label reviewed meanwhile is not overwritten.
_DELETE = "DELETE FROM labels WHERE id = ? AND label_status = ? RETURNING id"


def _label_in_labelset(session: Unit, sacc: SampleAccess, name: str) -> tuple[int, Any]:
    """(labelset id, label row or None); 404 when the dataset has no such labelset."""
    r = run(session, _LABEL_IN_LABELSET, (sacc.sample_id, sacc.dataset_id, name)).first()
    if r is None:
        raise NotFound(f"Labelset not found: {name}.")
    label, (labelset_id,) = split(r, LABEL)
    return labelset_id, (label if label.id is not None else None)


def _public(session: Unit, sacc: SampleAccess, labelset: str, row: Any) -> dict[str, Any]:
    users = usernames(session, label_user_ids(row), sacc.user)
    return label_public(row, users, sample_uuid=sacc.sample_uuid, task_type=sacc.task_type, labelset=labelset)


def get_label(session: Session, sacc: SampleAccess, labelset: str) -> dict[str, Any]:
    _ls_id, row = _label_in_labelset(session, sacc, labelset)
    if row is None:
        raise NotFound("Label not found: this sample is unlabeled in this labelset.")
    return _public(session, sacc, labelset, row)


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
    validate_label_attributes(sacc.task_type, sacc.task_attributes, value)
    return orjson.dumps(value).decode()


def _work_type(status: str) -> str:
    return "review" if status in REVIEW_STATUSES else "label"


# -------------------------------------------------------------------------------------------------- writing
def put_label(session: Unit, sacc: SampleAccess, labelset: str, body: Any) -> tuple[dict[str, Any], bool]:
    """Create or replace; returns (label, created). Two concurrent creates of the same label: the later replaces."""
    if not isinstance(body, dict):
        raise Invalid("body: a JSON object is required.", field="body")
    status = _status(body.get("label_status", DEFAULT_STATUS) or DEFAULT_STATUS)
    require_write(sacc.role, None, status)  # the new status alone; the old one is checked by the statement
    if "attributes" not in body:
        raise Invalid("attributes: this field is required.", field="attributes")
    attributes = _attributes(sacc, body["attributes"])
    score = _score(body.get("score"))
    with write_transaction(session):
        row, created = _write(session, sacc, labelset, status, attributes, score, action=None)
        # The answer is read inside the write transaction: a read after it would begin (and end) one more.
        return _public(session, sacc, labelset, row), created


def _write(session: Unit, sacc: SampleAccess, labelset: str, status: str, attributes: str, score: float | None,
           *, action: str | None) -> tuple[Any, bool]:
    """Create-or-replace, its revision and workunit, inside the caller's write transaction. ``action``: the
    revision's action (None: created or updated, whichever happened)."""
    user_id = sacc.user.id
    now = now_iso()
    review = status in REVIEW_STATUSES
    found = run(session, _upsert_for(sacc.role, review), (
        sacc.sample_id, sacc.dataset_id, status, attributes, score, user_id, user_id,
        user_id if review else None, now, now, now if review else None, sacc.dataset_id, labelset,
    )).first()
    if found is None:
        # No labelset of that name, or (guarded statement) an existing label this role may not replace.
        _ls_id, existing = _label_in_labelset(session, sacc, labelset)
        require_write(sacc.role, existing.label_status if existing is not None else None, status)
        raise Conflict("The label changed while it was being written; retry.")
    row, (labelset_id,) = split(found, LABEL)
    # A replaced label keeps its creation time; one created by this statement was stamped ``now`` just above.
    created = row.created_at == now
    history.record_revision(session, dataset_id=sacc.dataset_id, sample_id=sacc.sample_id, labelset_id=labelset_id,
                            action=action or ("created" if created else "updated"), label_status=status,
                            attributes=attributes, score=score, user_id=user_id, created_at=now)
    workunits.record(session, sacc, labelset=labelset, work_type=_work_type(status), next_label_status=status,
                     created_at=now)
    return row, created


def patch_label(session: Session, sacc: SampleAccess, labelset: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("body: a JSON object is required.", field="body")
    ls_id, existing = _label_in_labelset(session, sacc, labelset)
    if existing is None:
        raise NotFound("Label not found: this sample is unlabeled in this labelset.")
    values: dict[str, Any] = {}
    status = existing.label_status
    if body.get("label_status") is not None:
        status = _status(body["label_status"])
        values["label_status"] = status
    require_write(sacc.role, existing.label_status, status)
    if "attributes" in body and body["attributes"] is not None:
        values["attributes"] = _attributes(sacc, body["attributes"])
    if "score" in body:
        values["score"] = _score(body["score"])
    now = now_iso()
    values.update(updated_by_id=sacc.user.id, updated_at=now)
    if "label_status" in values and status in REVIEW_STATUSES:
        values.update(reviewed_by_id=sacc.user.id, reviewed_at=now)
    columns = tuple(c for c in _PATCH_COLUMNS if c in values)
    sql = _patch_sql.get(columns)
    if sql is None:
        sql = _patch_sql.setdefault(columns, "UPDATE labels SET " + ", ".join(f"{c} = ?" for c in columns)
                                    + f" WHERE id = ? AND label_status = ? RETURNING {LABEL.sql()}")
    # The status read before is part of the statement's condition: a label changed meanwhile is not overwritten.
    with write_transaction(session):
        found = run(session, sql, (*(values[c] for c in columns), existing.id, existing.label_status)).first()
        if found is None:
            raise Conflict("The label changed while it was being written; retry.")
        row = LABEL.make(found)
        history.record_revision(session, dataset_id=sacc.dataset_id, sample_id=sacc.sample_id, labelset_id=ls_id,
                                action="updated", label_status=row.label_status, attributes=row.attributes,
                                score=row.score,
                                user_id=sacc.user.id, created_at=now)
        workunits.record(session, sacc, labelset=labelset, work_type=_work_type(status), next_label_status=status,
                         created_at=now)
        return _public(session, sacc, labelset, row)


def delete_label(session: Session, sacc: SampleAccess, labelset: str) -> None:
    ls_id, existing = _label_in_labelset(session, sacc, labelset)
    if existing is None:
        raise NotFound("Label not found: this sample is unlabeled in this labelset.")
    require_write(sacc.role, existing.label_status, None)
    with write_transaction(session):
        if run(session, _DELETE, (existing.id, existing.label_status)).first() is None:
            raise Conflict("The label changed while it was being deleted; retry.")
        now = now_iso()
        history.record_revision(session, dataset_id=sacc.dataset_id, sample_id=sacc.sample_id, labelset_id=ls_id,
                                action="deleted", label_status=None, attributes=None, score=None,
                                user_id=sacc.user.id, created_at=now)
        workunits.record(session, sacc, labelset=labelset, work_type="delete", next_label_status=None,
                         created_at=now)


def restore_label(session: Session, sacc: SampleAccess, labelset: str, number: int) -> dict[str, Any]:
    """Put revision ``number`` back as the label (recreating it if it was deleted), recorded as a new revision
    "restored". Allowed when the caller may write the label from its current status to the revision's
    (``policy.may_write``, like a PUT)."""
    ls_id, current = _label_in_labelset(session, sacc, labelset)
    action, status, attributes, score = history.revision(session, sacc.sample_id, ls_id, number)
    if action == "deleted" or status is None or attributes is None:
        raise Conflict(f"Revision {number} records the label's deletion; restore a revision before it.",
                       field="revision")
    require_write(sacc.role, current.label_status if current is not None else None, status)
    with write_transaction(session):
        row, _created = _write(session, sacc, labelset, status, attributes, score, action="restored")
        return _public(session, sacc, labelset, row)
