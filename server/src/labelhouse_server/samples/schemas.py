"""Wire shapes of samples: request parsing (plain functions, the bulk path must not build a model per sample)
and the ``Sample`` response, assembled from stored JSON text without decoding it (``orjson.Fragment``)."""

from __future__ import annotations

import math
from typing import Any

import orjson

from ..errors import Invalid

MAX_NAME_LENGTH = 1024
UNSET: Any = object()
SAMPLE_FIELDS = ("name", "attributes", "metadata", "priority", "assigned_labeler", "assigned_reviewer", "readme",
                 "embedding")


def _where(prefix: str, key: str) -> str:
    return f"{prefix}{key}" if not prefix else f"{prefix}.{key}"


def check_name(value: Any, prefix: str = "") -> str:
    field = _where(prefix, "name")
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{field}: a non-empty string is required.", field=field)
    if len(value) > MAX_NAME_LENGTH:
        raise Invalid(f"{field}: at most {MAX_NAME_LENGTH} characters.", field=field)
    return value


def check_priority(value: Any, prefix: str = "") -> float:
    field = _where(prefix, "priority")
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Invalid(f"{field}: a number is required.", field=field)
    return float(value)


def check_metadata(value: Any, prefix: str = "") -> str:
    field = _where(prefix, "metadata")
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        raise Invalid(f"{field}: an object is required.", field=field)
    return orjson.dumps(value).decode()


def check_readme(value: Any, prefix: str = "") -> str:
    field = _where(prefix, "readme")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{field}: a string is required.", field=field)
    return value


def check_embedding(value: Any, prefix: str = "") -> str | None:
    field = _where(prefix, "embedding")
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in value
    ):
        raise Invalid(f"{field}: a list of numbers is required.", field=field)
    return orjson.dumps(value).decode()


def check_username(value: Any, key: str, prefix: str = "") -> str | None:
    field = _where(prefix, key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise Invalid(f"{field}: a username or null is required.", field=field)
    return value


def sample_public(row: Any, users: dict[int, str], full_name: str, data_type: str,
                  label: Any = UNSET) -> dict[str, Any]:
    """``row`` has the raw text columns ``attributes``, ``metadata``, ``embedding`` (never decoded here)."""
    out: dict[str, Any] = {
        "uuid": row.uuid,
        "name": row.name,
        "attributes": orjson.Fragment(row.attributes) if row.attributes is not None else None,
        "metadata": orjson.Fragment(row.metadata) if row.metadata else {},
        "data_type": data_type,
        "created_at": row.created_at,
        "created_by": users.get(row.created_by_id, "") if row.created_by_id is not None else "",
        "updated_at": row.updated_at,
        "priority": row.priority,
        "assigned_labeler": users.get(row.assigned_labeler_id) if row.assigned_labeler_id is not None else None,
        "assigned_reviewer": users.get(row.assigned_reviewer_id) if row.assigned_reviewer_id is not None else None,
        "readme": row.readme or "",
        "dataset_full_name": full_name,
    }
    if row.embedding is not None:
        out["embedding"] = orjson.Fragment(row.embedding)
    if label is not UNSET:
        out["label"] = label
    return out
