"""Wire shapes of samples: request parsing (plain functions, the bulk path must not build a model per sample)
and the ``Sample`` response, assembled from stored JSON text without decoding it (``orjson.Fragment``)."""

from __future__ import annotations

import math
from typing import Any

import orjson
from pydantic import BaseModel, Field

from ..db.rows import SAMPLE
from ..errors import Invalid
from ..labels.schemas import LabelPublic, LabelSummary
from ..users.schemas import TIME

MAX_NAME_LENGTH = 1024
UNSET: Any = object()


def _fail(prefix: str, key: str, message: str) -> Invalid:
    """The error naming ``<prefix>.<key>`` (built only on failure: the bulk path checks 1,000s of samples)."""
    field = f"{prefix}.{key}" if prefix else key
    return Invalid(f"{field}: {message}", field=field)


def check_name(value: Any, prefix: str = "") -> str:
    if type(value) is not str or not value.strip():
        raise _fail(prefix, "name", "a non-empty string is required.")
    if len(value) > MAX_NAME_LENGTH:
        raise _fail(prefix, "name", f"at most {MAX_NAME_LENGTH} characters.")
    return value


def check_priority(value: Any, prefix: str = "") -> float:
    kind = type(value)
    if kind is float or kind is int:
        if kind is float and not math.isfinite(value):
            raise _fail(prefix, "priority", "a finite number is required.")
        return float(value)
    if value is None:
        return 0.0
    raise _fail(prefix, "priority", "a number is required.")


def check_metadata(value: Any, prefix: str = "") -> str:
    if value is None:
        return "{}"
    if type(value) is not dict:
        raise _fail(prefix, "metadata", "an object is required.")
    return orjson.dumps(value).decode()


def check_readme(value: Any, prefix: str = "") -> str:
    if value is None:
        return ""
    if type(value) is not str:
        raise _fail(prefix, "readme", "a string is required.")
    return value


def check_embedding(value: Any, prefix: str = "") -> str | None:
    if value is None:
        return None
    if type(value) is not list or not all(
        type(x) in (int, float) and math.isfinite(x) for x in value
    ):
        raise _fail(prefix, "embedding", "a list of numbers is required.")
    return orjson.dumps(value).decode()


def check_username(value: Any, key: str, prefix: str = "") -> str | None:
    if value is None:
        return None
    if type(value) is not str or not value:
        raise _fail(prefix, key, "a username or null is required.")
    return value


# Rows of ``db.rows.SAMPLE`` (named rows, or the driver's tuples of a listing, with more columns after them: read
# by column name either way).
sample_user_ids = SAMPLE.getter("created_by_id", "assigned_labeler_id", "assigned_reviewer_id")
_public_fields = SAMPLE.getter("uuid", "name", "attributes", "metadata", "priority", "readme", "embedding",
                               "assigned_labeler_id", "assigned_reviewer_id", "created_by_id", "created_at",
                               "updated_at")


def sample_public(row: Any, users: dict[int, str], full_name: str, data_type: str,
                  label: Any = UNSET) -> dict[str, Any]:
    """``row``: a ``db.rows.SAMPLE`` row (or one that starts with its columns). The raw text columns
    ``attributes``, ``metadata``, ``embedding`` are spliced in, never decoded."""
    (uuid, name, attributes, metadata, priority, readme, embedding, labeler, reviewer, created_by, created_at,
     updated_at) = _public_fields(row)
    out: dict[str, Any] = {
        "uuid": uuid,
        "name": name,
        "attributes": orjson.Fragment(attributes) if attributes is not None else None,
        "metadata": orjson.Fragment(metadata) if metadata else {},
        "data_type": data_type,
        "created_at": created_at,
        "created_by": (users.get(created_by) if created_by is not None else None) or "",
        "updated_at": updated_at,
        "priority": priority,
        "assigned_labeler": users.get(labeler) if labeler is not None else None,
        "assigned_reviewer": users.get(reviewer) if reviewer is not None else None,
        "readme": readme or "",
        "dataset_full_name": full_name,
    }
    if embedding is not None:
        out["embedding"] = orjson.Fragment(embedding)
    if label is not UNSET:
        out["label"] = label
    return out


# ---- response models --------------------------------------------------------------------------------------------
class SamplePublic(BaseModel):
    uuid: str
    name: str
    attributes: dict[str, Any] | None = Field(description="Depends on the data type, e.g. {\"image\": {\"url\": ...}}")
    metadata: dict[str, Any]
    data_type: str
    created_at: str = Field(description=TIME)
    created_by: str
    updated_at: str | None = Field(description=TIME)
    priority: float
    assigned_labeler: str | None
    assigned_reviewer: str | None
    readme: str
    dataset_full_name: str
    embedding: list[float] | None = Field(default=None, description="Only when the sample has one")
    label: LabelPublic | LabelSummary | None = Field(
        default=None, description="Only when a labelset is asked for: its label (null: unlabeled)")


class SamplesDeleted(BaseModel):
    deleted_count: int
