"""Wire shapes of labels: the full ``Label`` and the ``LabelSummary`` used in sample lists. Stored attribute JSON
is spliced in undecoded."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Text, type_coerce

from ..db import Label

LABEL_STATUSES = ("REVIEWED", "REVIEWING_IN_PROGRESS", "LABELED", "LABELING_IN_PROGRESS", "REJECTED",
                  "PRELABELED", "SKIPPED", "VERIFIED")
# Setting one of these is a review decision: reviewers and above only.
REVIEW_STATUSES = frozenset({"REVIEWED", "REJECTED", "VERIFIED"})
DEFAULT_STATUS = "PRELABELED"

LT = Label.__table__


def label_columns(prefix: str = "") -> list[Any]:
    """Columns of ``labels`` for ``label_public``; JSON text is selected raw (not decoded)."""
    return [
        LT.c.id.label(f"{prefix}id"),
        LT.c.label_status.label(f"{prefix}label_status"),
        type_coerce(LT.c.attributes, Text).label(f"{prefix}attributes"),
        LT.c.score.label(f"{prefix}score"),
        LT.c.rating.label(f"{prefix}rating"),
        LT.c.created_by_id.label(f"{prefix}created_by_id"),
        LT.c.updated_by_id.label(f"{prefix}updated_by_id"),
        LT.c.reviewed_by_id.label(f"{prefix}reviewed_by_id"),
        LT.c.created_at.label(f"{prefix}created_at"),
        LT.c.updated_at.label(f"{prefix}updated_at"),
        LT.c.reviewed_at.label(f"{prefix}reviewed_at"),
    ]


def label_user_ids(row: Any, prefix: str = "") -> tuple[Any, Any, Any]:
    return (getattr(row, f"{prefix}created_by_id"), getattr(row, f"{prefix}updated_by_id"),
            getattr(row, f"{prefix}reviewed_by_id"))


def _user(users: dict[int, str], user_id: int | None) -> str | None:
    return users.get(user_id) if user_id is not None else None


def label_public(row: Any, users: dict[int, str], *, sample_uuid: str, task_type: str, labelset: str,
                 prefix: str = "") -> dict[str, Any]:
    attributes = getattr(row, f"{prefix}attributes")
    return {
        "sample_uuid": sample_uuid,
        "label_type": task_type,
        "label_status": getattr(row, f"{prefix}label_status"),
        "labelset": labelset,
        "attributes": orjson.Fragment(attributes) if attributes is not None else None,
        "score": getattr(row, f"{prefix}score"),
        "rating": getattr(row, f"{prefix}rating"),
        "created_at": getattr(row, f"{prefix}created_at"),
        "created_by": _user(users, getattr(row, f"{prefix}created_by_id")) or "",
        "updated_at": getattr(row, f"{prefix}updated_at"),
        "updated_by": _user(users, getattr(row, f"{prefix}updated_by_id")),
        "reviewed_at": getattr(row, f"{prefix}reviewed_at"),
        "reviewed_by": _user(users, getattr(row, f"{prefix}reviewed_by_id")),
    }


def label_summary(row: Any, users: dict[int, str], prefix: str = "") -> dict[str, Any]:
    return {
        "label_status": getattr(row, f"{prefix}label_status"),
        "score": getattr(row, f"{prefix}score"),
        "updated_at": getattr(row, f"{prefix}updated_at"),
        "created_by": _user(users, getattr(row, f"{prefix}created_by_id")),
        "reviewed_by": _user(users, getattr(row, f"{prefix}reviewed_by_id")),
    }
