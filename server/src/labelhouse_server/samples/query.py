"""Listing samples (``GET /datasets/{owner}/{dataset}/samples/``): filters, sorting, pagination, labels.

Two queries per page, both index-driven: (1) the page's sample ids, walked in index order with OFFSET/LIMIT on
(dataset_id, <sort key>) — index-only, so skipping earlier pages stays cheap; (2) those samples joined with their
label in the chosen labelset. Junk query values fall back to defaults (contract §4): the official SDK sends
``per_page=desc``, ``sort=-None``, ``filters=UNLABELED`` and ``labelset=<owner>/<dataset>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from ..datasets.permissions import DatasetAccess
from ..db.engine import json_field
from ..labels.schemas import LABEL_STATUSES, label_columns, label_public, label_summary, label_user_ids
from . import schemas as s
from .service import GROUND_TRUTH, LT, SAMPLE_COLUMNS, ST, find_labelset, full_name, usernames

MAX_PER_PAGE = 1000
SORT_KEYS = {
    "name": "name",
    "created": "created_at",
    "created_at": "created_at",
    "priority": "priority",
    "updated_at": "updated_at",
    "updated": "updated_at",
    "gt_label__updated_at": "label_updated_at",
    "label__updated_at": "label_updated_at",
    "label_updated_at": "label_updated_at",
}


@dataclass(frozen=True)
class SampleQuery:
    page: int = 1
    per_page: int = MAX_PER_PAGE
    labelset: str | None = None
    include_full_label: bool = False
    name_contains: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()
    statuses: tuple[str, ...] = ()
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_params(cls, params: dict[str, str]) -> SampleQuery:
        """Tolerant parsing: every junk value is ignored rather than rejected."""
        page = _int(params.get("page"), 1, 1, None)
        per_page = _int(params.get("per_page"), MAX_PER_PAGE, 1, MAX_PER_PAGE)
        metadata = []
        for part in (params.get("filters") or "").split(","):
            key, sep, value = part.partition(":")
            if sep and key:
                metadata.append((key, value))
        statuses = tuple(st for st in (x.strip().upper() for x in (params.get("label_status") or "").split(","))
                         if st in LABEL_STATUSES or st == "UNLABELED")
        raw_sort = (params.get("sort") or "name").strip()
        descending = raw_sort.startswith("-")
        sort = SORT_KEYS.get(raw_sort.lstrip("-+ "), None)
        if sort is None:
            sort, descending = "name", False
        return cls(
            page=page, per_page=per_page, labelset=(params.get("labelset") or None),
            include_full_label=(params.get("include_full_label") or "").lower() in ("1", "true", "yes"),
            name_contains=params.get("name__contains") or None, metadata=tuple(metadata), statuses=statuses,
            sort=sort, descending=descending,
        )


def _int(value: Any, default: int, low: int, high: int | None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    number = max(number, low)
    return min(number, high) if high is not None else number


def list_samples(session: Session, acc: DatasetAccess, q: SampleQuery) -> list[dict[str, Any]]:
    dataset = acc.dataset
    dialect = session.get_bind().dialect.name
    shown = find_labelset(session, dataset.id, q.labelset)  # None for unknown / junk labelset names
    # Status filters and label-time sorting look at the requested labelset, else ground truth.
    joined = shown or find_labelset(session, dataset.id, GROUND_TRUTH)
    needs_label_join = bool(q.statuses) or q.sort == "label_updated_at"

    # ---- (1) ids of this page, in order
    ids_q = select(ST.c.id).where(ST.c.dataset_id == dataset.id)
    if needs_label_join:
        on = and_(LT.c.sample_id == ST.c.id, LT.c.labelset_id == (joined.id if joined else -1))
        ids_q = ids_q.select_from(ST.outerjoin(LT, on))
    if q.name_contains:
        position = func.strpos if dialect == "postgresql" else func.instr
        ids_q = ids_q.where(position(ST.c.name, q.name_contains) > 0)
    for i, (key, value) in enumerate(q.metadata):
        ids_q = ids_q.where(_metadata_equals(dialect, i, key, value))
    if q.statuses:
        real = [st for st in q.statuses if st != "UNLABELED"]
        conditions = []
        if real:
            conditions.append(LT.c.label_status.in_(real))
        if "UNLABELED" in q.statuses:
            conditions.append(LT.c.id.is_(None))
        ids_q = ids_q.where(or_(*conditions))
    for column in _order(q):
        ids_q = ids_q.order_by(column)
    ids_q = ids_q.offset((q.page - 1) * q.per_page).limit(q.per_page)
    ids = list(session.scalars(ids_q))
    if not ids:
        return []

    # ---- (2) the rows of those ids, with their label in the shown labelset
    columns = list(SAMPLE_COLUMNS)
    rows_q = select(*columns).where(ST.c.id.in_(ids))
    if shown is not None:
        rows_q = select(*columns, *label_columns("l_")).select_from(
            ST.outerjoin(LT, and_(LT.c.sample_id == ST.c.id, LT.c.labelset_id == shown.id))
        ).where(ST.c.id.in_(ids))
    rows = session.execute(rows_q).all()
    position_of = {sample_id: i for i, sample_id in enumerate(ids)}
    rows.sort(key=lambda r: position_of[r.id])

    user_ids: list[Any] = []
    for r in rows:
        user_ids.extend((r.created_by_id, r.assigned_labeler_id, r.assigned_reviewer_id))
        if shown is not None and r.l_id is not None:
            user_ids.extend(label_user_ids(r, "l_"))
    users = usernames(session, user_ids)
    dataset_name = full_name(dataset)
    data_type = dataset.data_type
    if shown is None:
        return [s.sample_public(r, users, dataset_name, data_type) for r in rows]
    task_type = dataset.task_type
    out = []
    for r in rows:
        if r.l_id is None:
            label = None
        elif q.include_full_label:
            label = label_public(r, users, sample_uuid=r.uuid, task_type=task_type, labelset=shown.name,
                                 prefix="l_")
        else:
            label = label_summary(r, users, "l_")
        out.append(s.sample_public(r, users, dataset_name, data_type, label))
    return out


def _order(q: SampleQuery) -> list[Any]:
    if q.sort == "name":
        # (dataset_id, name) is unique: no tie-breaker needed and the unique index serves the order.
        return [ST.c.name.desc() if q.descending else ST.c.name.asc()]
    if q.sort == "label_updated_at":
        key = LT.c.updated_at
    else:
        key = ST.c[q.sort]
    if q.descending:
        return [key.desc(), ST.c.id.desc()]
    return [key.asc(), ST.c.id.asc()]


def _metadata_equals(dialect: str, i: int, key: str, value: str) -> Any:
    """``metadata[key]`` compared as text: ``camera_id:3`` matches 3 and "3"; booleans as ``true``/``false``."""
    key_param = f"mk{i}"
    value_param = f"mv{i}"
    if dialect == "postgresql":
        expr = text(f"{json_field(dialect, 'samples.metadata', ':' + key_param)} = :{value_param}")
        return expr.bindparams(bindparam(key_param, key), bindparam(value_param, value))
    # SQLite: quote the key so dots/spaces in it are not taken as a JSON path; booleans come back as 1/0.
    extracted = json_field(dialect, "samples.metadata", ":" + key_param)
    sql = (f"(CASE json_type(samples.metadata, '$.' || :{key_param}) WHEN 'true' THEN 'true' "
           f"WHEN 'false' THEN 'false' ELSE CAST({extracted} AS TEXT) END) = :{value_param}")
    quoted = '"' + key.replace('"', '\\"') + '"'
    return text(sql).bindparams(bindparam(key_param, quoted), bindparam(value_param, value))


__all__ = ["SampleQuery", "list_samples"]
