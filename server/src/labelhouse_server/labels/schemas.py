"""Wire shapes of labels: the full ``Label`` and the ``LabelSummary`` used in sample lists. Stored attribute JSON
is spliced in undecoded."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, Field

from ..db.rows import LABEL
from ..users.schemas import TIME

LABEL_STATUSES = ("REVIEWED", "REVIEWING_IN_PROGRESS", "LABELED", "LABELING_IN_PROGRESS", "REJECTED",
                  "PRELABELED", "SKIPPED", "VERIFIED")
# Setting one of these is a review decision: reviewers and above only.
REVIEW_STATUSES = frozenset({"REVIEWED", "REJECTED", "VERIFIED"})
DEFAULT_STATUS = "PRELABELED"

# Rows of ``db.rows.LABEL`` (named rows, or the driver's tuples of a listing: read by column name either way).
label_user_ids = LABEL.getter("created_by_id", "updated_by_id", "reviewed_by_id")
_public_fields = LABEL.getter("label_status", "attributes", "score", "rating", "created_by_id", "updated_by_id",
                              "reviewed_by_id", "created_at", "updated_at", "reviewed_at")
_summary_fields = LABEL.getter("label_status", "score", "updated_at", "created_by_id", "reviewed_by_id")


def label_public(lab: Any, users: dict[int, str], *, sample_uuid: str, task_type: str,
                 labelset: str) -> dict[str, Any]:
    """``lab``: a ``db.rows.LABEL`` row; stored JSON text is spliced in undecoded."""
    (status, attributes, score, rating, created_by, updated_by, reviewed_by, created_at, updated_at,
     reviewed_at) = _public_fields(lab)
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
    status, score, updated_at, created_by, reviewed_by = _summary_fields(lab)
    return {
        "label_status": status,
        "score": score,
        "updated_at": updated_at,
        "created_by": users.get(created_by) if created_by is not None else None,
        "reviewed_by": users.get(reviewed_by) if reviewed_by is not None else None,
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
