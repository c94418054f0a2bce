"""Wire shapes of labels: the full ``Label`` and the ``LabelSummary`` used in sample lists. Stored attribute JSON
is spliced in undecoded."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import Text, type_coerce

from ..db import Label
from ..users.schemas import TIME

LABEL_STATUSES = ("REVIEWED", "REVIEWING_IN_PROGRESS", "LABELED", "LABELING_IN_PROGRESS", "REJECTED",
                  "PRELABELED", "SKIPPED", "VERIFIED")
# Setting one of these is a review decision: reviewers and above only.
REVIEW_STATUSES = frozenset({"REVIEWED", "REJECTED", "VERIFIED"})
DEFAULT_STATUS = "PRELABELED"

LT = Label.__table__


def label_columns(prefix: str = "") -> list[Any]:
    """Columns of ``labels`` in the order ``label_public``/``label_summary`` read them (positionally: attribute
    access on result rows costs more than the rest of rendering); JSON text is selected raw (not decoded)."""
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


LABEL_WIDTH = 11


def label_user_ids(lab: Any) -> tuple[Any, Any, Any]:
    return lab[5], lab[6], lab[7]


def label_public(lab: Any, users: dict[int, str], *, sample_uuid: str, task_type: str,
                 labelset: str) -> dict[str, Any]:
    """``lab``: a row/tuple of ``label_columns()``."""
    (_id, status, attributes, score, rating, created_by, updated_by, reviewed_by, created_at, updated_at,
     reviewed_at) = lab
    return {
        "sample_uuid": sample_uuid,
        "label_type": task_type,
        "label_status": status,
        "labelset": labelset,
        "attributes": orjson.Fragment(attributes) if attributes is not None else None,
        "score": score,
        "rating": rating,
        "created_at": created_at,
        "created_by": (users.get(created_by) if created_by is not None else None) or "",
        "updated_at": updated_at,
        "updated_by": users.get(updated_by) if updated_by is not None else None,
        "reviewed_at": reviewed_at,
        "reviewed_by": users.get(reviewed_by) if reviewed_by is not None else None,
    }


def label_summary(lab: Any, users: dict[int, str]) -> dict[str, Any]:
    return {
        "label_status": lab[1],
        "score": lab[3],
        "updated_at": lab[9],
        "created_by": users.get(lab[5]) if lab[5] is not None else None,
        "reviewed_by": users.get(lab[7]) if lab[7] is not None else None,
    }


# ---- response models --------------------------------------------------------------------------------------------
class LabelPublic(BaseModel):
    sample_uuid: str
    label_type: str = Field(description="The dataset's task type")
    label_status: str = Field(description=", ".join(LABEL_STATUSES))
    labelset: str
    attributes: dict[str, Any] | None = Field(description="The label document, as stored")
    score: float | None
    rating: float | None
    created_at: str = Field(description=TIME)
    created_by: str
    updated_at: str | None = Field(description=TIME)
    updated_by: str | None
    reviewed_at: str | None = Field(description=TIME)
    reviewed_by: str | None


class LabelSummary(BaseModel):
    """The label of a sample in a listing without ``include_full_label``."""

    label_status: str
    score: float | None
    updated_at: str | None = Field(description=TIME)
    created_by: str | None
    reviewed_by: str | None
