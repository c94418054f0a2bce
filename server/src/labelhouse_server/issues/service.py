"""Issues: created on a sample, listed per dataset, updated, deleted, commented on. Each write is one
transaction."""

from __future__ import annotations

import math
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import Table, Text, delete, select, type_coerce, update
from sqlalchemy.orm import Session

from ..access import SampleAccess
from ..datasets.permissions import DatasetAccess, access_with_role, effective_role
from ..db import Account, Dataset, Issue, Sample
from ..db.rows import Selected
from ..db.sql import run
from ..db.transaction import write_transaction
from ..errors import Invalid, NotFound
from ..lookups import usernames
from ..timeutil import now_iso

IT = cast(Table, Issue.__table__)
ST = cast(Table, Sample.__table__)
ISSUE_STATUSES = ("OPEN", "CLOSED")
ANCHOR_TYPES = ("basic", "track", "sceneAttribute", "location")
_ISSUE_NOT_FOUND = "Issue not found."

# An issue as listed, with its sample's keys (``db/rows.py``); JSON columns come as their text.
ISSUE = Selected("IssueRow", id=IT.c.id, uuid=IT.c.uuid, description=IT.c.description, status=IT.c.status,
                 anchor=type_coerce(IT.c.anchor, Text), comments=type_coerce(IT.c.comments, Text),
                 created_by_id=IT.c.created_by_id, updated_by_id=IT.c.updated_by_id, created_at=IT.c.created_at,
                 updated_at=IT.c.updated_at, sample_uuid=ST.c.uuid, sample_name=ST.c.name)


@dataclass(frozen=True)
class IssueAccess:
    issue: Issue
    access: DatasetAccess


def issue_access(session: Session, user: Account, issue_uuid: str, action: str) -> IssueAccess:
    issue = session.scalars(select(Issue).where(Issue.uuid == issue_uuid)).first()
    dataset = session.get(Dataset, issue.dataset_id) if issue is not None else None
    role = effective_role(session, user, dataset) if dataset is not None else None
    if role is None or issue is None or dataset is None:
        raise NotFound(_ISSUE_NOT_FOUND)  # an issue the caller may not see answers exactly like a missing one
    return IssueAccess(issue, access_with_role(dataset, user, role, action))


# ---------------------------------------------------------------------------------------------- input checks
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_anchor(anchor: Any) -> str | None:
    """The ``IssueAnchor`` union of the SDK: basic, track, sceneAttribute, location (2d/3d); sensor/frame optional."""
    if anchor is None:
        return None
    if not isinstance(anchor, dict):
        raise Invalid("anchor: an object is required.", field="anchor")
    kind = anchor.get("type")
    if kind not in ANCHOR_TYPES:
        raise Invalid(f"anchor.type: must be one of {', '.join(ANCHOR_TYPES)}.", field="anchor.type")
    if "sensor" in anchor and anchor["sensor"] is not None and not isinstance(anchor["sensor"], str):
        raise Invalid("anchor.sensor: a string is required.", field="anchor.sensor")
    frame = anchor.get("frame")
    if frame is not None and (not isinstance(frame, int) or isinstance(frame, bool)):
        raise Invalid("anchor.frame: an integer is required.", field="anchor.frame")
    if kind == "track":
        number = anchor.get("trackNumber")
        if not isinstance(number, int) or isinstance(number, bool):
            raise Invalid("anchor.trackNumber: an integer is required.", field="anchor.trackNumber")
        if anchor.get("trackAttribute") is not None and not isinstance(anchor["trackAttribute"], str):
            raise Invalid("anchor.trackAttribute: a string is required.", field="anchor.trackAttribute")
    elif kind == "sceneAttribute":
        if not isinstance(anchor.get("sceneAttribute"), str):
            raise Invalid("anchor.sceneAttribute: a string is required.", field="anchor.sceneAttribute")
    elif kind == "location":
        location = anchor.get("location")
        if not isinstance(location, dict) or location.get("type") not in ("2d", "3d"):
            raise Invalid("anchor.location: {type: 2d|3d, x, y[, z]} is required.", field="anchor.location")
        axes = ("x", "y") if location["type"] == "2d" else ("x", "y", "z")
        for axis in axes:
            if not _is_number(location.get(axis)):
                raise Invalid(f"anchor.location.{axis}: a number is required.", field=f"anchor.location.{axis}")
    return orjson.dumps(anchor).decode()


def _description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid("description: a string is required.", field="description")
    return value


def _status(value: Any) -> str:
    if value is None:
        return "OPEN"
    if value not in ISSUE_STATUSES:
        raise Invalid("status: must be OPEN or CLOSED.", field="status")
    return value


# -------------------------------------------------------------------------------------------------- reading
def _public(row: Any, users: dict[int, str]) -> dict[str, Any]:
    return {
        "uuid": row.uuid,
        "description": row.description or "",
        "status": row.status,
        "anchor": orjson.Fragment(row.anchor) if row.anchor is not None else None,
        "comments": orjson.Fragment(row.comments) if row.comments else [],
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "created_by": users.get(row.created_by_id, "") if row.created_by_id is not None else "",
        "updated_by": users.get(row.updated_by_id, "") if row.updated_by_id is not None else "",
        "sample_uuid": row.sample_uuid,
        "sample_name": row.sample_name,
    }


def _rows(session: Session, *where: Any) -> list[Any]:
    q = select(*ISSUE.select_list).select_from(IT.join(ST, ST.c.id == IT.c.sample_id)).where(*where)
    return [ISSUE.make(row) for row in session.execute(q.order_by(IT.c.created_at, IT.c.id))]


def _render(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
    users = usernames(session, [i for r in rows for i in (r.created_by_id, r.updated_by_id)])
    return [_public(r, users) for r in rows]


def list_issues(session: Session, dataset_id: int) -> list[dict[str, Any]]:
    return _render(session, _rows(session, IT.c.dataset_id == dataset_id))


def _one(session: Session, issue_id: int) -> dict[str, Any]:
    return _render(session, _rows(session, IT.c.id == issue_id))[0]


# -------------------------------------------------------------------------------------------------- writing
def add_issue(session: Session, sacc: SampleAccess, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("body: a JSON object is required.", field="body")
    now = now_iso()
    values = {"description": _description(body.get("description")), "status": _status(body.get("status")),
              "anchor": check_anchor(body.get("anchor"))}
    with write_transaction(session):
        issue_id = session.execute(IT.insert().values(
            uuid=str(uuidlib.uuid4()), sample_id=sacc.sample_id, dataset_id=sacc.dataset_id, comments="[]",
            created_by_id=sacc.user.id, updated_by_id=sacc.user.id, created_at=now, updated_at=now, **values,
        ).returning(IT.c.id)).scalar_one()
    return _one(session, issue_id)


def update_issue(session: Session, iacc: IssueAccess, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("body: a JSON object is required.", field="body")
    values: dict[str, Any] = {"updated_by_id": iacc.access.user.id, "updated_at": now_iso()}
    if "description" in body:
        values["description"] = _description(body["description"])
    if "status" in body:
        values["status"] = _status(body["status"])
    if "anchor" in body:
        values["anchor"] = check_anchor(body["anchor"])
    with write_transaction(session):
        session.execute(update(IT).where(IT.c.id == iacc.issue.id).values(**values))
    return _one(session, iacc.issue.id)


def delete_issue(session: Session, iacc: IssueAccess) -> None:
    with write_transaction(session):
        session.execute(delete(IT).where(IT.c.id == iacc.issue.id))


# ------------------------------------------------------------------------------------------------- comments
def list_comments(session: Session, iacc: IssueAccess) -> bytes:
    """The issue's comments, oldest first (as stored: JSON text)."""
    stored = session.execute(select(type_coerce(IT.c.comments, Text)).where(IT.c.id == iacc.issue.id)).scalar()
    return stored.encode() if stored else b"[]"


def add_comment(session: Session, iacc: IssueAccess, comment_text: str) -> dict[str, Any]:
    """Append a comment ``{text, created_by, created_at}``. One UPDATE that appends in the database (SQLite
    ``json_insert``, PostgreSQL ``jsonb ||``), so concurrent comments on one issue never overwrite each other."""
    if not comment_text.strip():
        raise Invalid("text: a non-empty string is required.", field="text")
    comment = {"text": comment_text, "created_by": iacc.access.user.username, "created_at": now_iso()}
    item = orjson.dumps(comment).decode()
    append = _APPEND_PG if session.get_bind().dialect.name == "postgresql" else _APPEND_SQLITE
    with write_transaction(session):
        run(session, append, (item, iacc.issue.id))
    return comment


# Parameters: the comment (JSON text), the issue id.
_APPEND_PG = ("UPDATE issues SET comments = (COALESCE(comments, '[]')::jsonb || jsonb_build_array(CAST(? AS jsonb)))"
              "::text WHERE id = ?")
_APPEND_SQLITE = "UPDATE issues SET comments = json_insert(COALESCE(comments, '[]'), '$[#]', json(?)) WHERE id = ?"
