"""Listing samples (``GET /datasets/{owner}/{dataset}/samples/``): filters, sorting, pagination, labels.

Two queries per page, both index-driven and both plain SQL on the driver's cursor (``db.sql.run``): (1) the page's
sample ids, walked in index order on (dataset_id, <sort key>) — index-only; (2) those samples joined with their
label in the chosen labelset (rows rendered positionally, stored JSON text spliced into the response undecoded).
The first is composed from a bounded set of parts (filters, sort, continuation; ``_ids_statement``): no statement
objects to build and compile per page, so a listing runs as well on ``db.sql.PlainReads`` (no ``Session``) as in a
request session. Junk query values fall
back to defaults (contract §4): the official SDK sends ``per_page=desc``, ``sort=-None``, ``filters=UNLABELED`` and
``labelset=<owner>/<dataset>``.

Continuation, correct for every caller and whatever process serves the next page, with nothing kept between
requests (issue 10 §5; a per-process cache of page ends, shared by all callers, used to answer one caller's page 2
from where another caller's page 1 ended):
- ``page=N`` is the N-th slice of the listing as it is when asked (OFFSET over the index: what the Segments SDK
  expects; it needs no state, so two callers or two server processes always agree).
- Every full page also names its successor: a ``Link: <...&after=TOKEN>; rel="next"`` header. ``after=TOKEN``
  seeks in the index to the row after the last one served (keyset pagination: the same cost at the end of a large
  dataset as at its start, and no duplicates or gaps when rows are added or deleted meanwhile). The token is
  stateless — the last row's sort key and id, and a fingerprint of the listing (dataset, filters, sort, page size)
  so that a token of another listing is refused with 400 instead of answering the wrong rows.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
from sqlalchemy import bindparam, text

from ..auth.keys import hash_key
from ..datasets.permissions import DatasetAccess, require_role, role_from
from ..db import Account
from ..db.engine import json_field
from ..db.rows import ACCOUNT, LABEL, SAMPLE, split
from ..db.sql import Reader, in_list, run
from ..errors import Invalid, InvalidApiKey, NotFound
from ..labels.schemas import LABEL_STATUSES, label_public, label_summary
from ..lookups import usernames
from . import schemas as s
from .pages import page_json
from .service import GROUND_TRUTH, full_name

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
    after: str | None = None  # a continuation token (``Page.next_token``)

    @classmethod
    def from_params(cls, params: dict[str, str | None]) -> SampleQuery:
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
            sort=sort, descending=descending, after=params.get("after") or None,
        )


def _int(value: Any, default: int, low: int, high: int | None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    number = max(number, low)
    return min(number, high) if high is not None else number


@dataclass(frozen=True)
class Page:
    body: bytes  # the JSON array of the page's samples
    next_token: str | None  # continues the listing after this page; None after a short (last) page


@dataclass(frozen=True)
class Listed:
    """What a listing needs of its dataset and its caller: from the request's ``DatasetAccess`` (``listed``), or
    read with the caller's API key in one statement (``listed_by_key``)."""
    dataset_id: int
    created_at: str
    full_name: str
    data_type: str
    task_type: str
    user: Account


def listed(acc: DatasetAccess) -> Listed:
    d = acc.dataset
    return Listed(d.id, d.created_at, full_name(d), d.data_type, d.task_type, acc.user)


# ``deps.authenticate`` (API key) and ``datasets.permissions.dataset_access`` in one statement: the key's account
# (no row: unknown or revoked key, checked on every request), then the dataset by owner and name (NULLs: none), its
# owner, and the caller's collaborator and organization roles on it.
_LISTED_BY_KEY = (
    f"SELECT {ACCOUNT.sql('a')}, d.id, d.owner_id, d.public, d.created_at, d.data_type, d.task_type, "
    "o.is_organization, c.role, m.role "
    "FROM api_keys k JOIN accounts a ON a.id = k.account_id "
    "LEFT JOIN accounts o ON o.username = ? "
    "LEFT JOIN datasets d ON d.owner_id = o.id AND d.name = ? "
    "LEFT JOIN collaborators c ON c.dataset_id = d.id AND c.user_id = a.id "
    "LEFT JOIN organization_members m ON m.organization_id = d.owner_id AND m.user_id = a.id "
    "WHERE k.key_hash = ? AND k.revoked_at IS NULL"
)


def listed_by_key(session: Reader, api_key: str, owner: str, name: str, action: str = "read") -> Listed:
    """``authenticate`` then ``dataset_access(..., action)`` for a caller with an API key, without ORM objects in
    the session: the same errors in the same order (401 for an unknown, revoked or organization key; 404 for a
    dataset missing or invisible; 403)."""
    r = run(session, _LISTED_BY_KEY, (owner, name, hash_key(api_key))).first()
    if r is None:
        raise InvalidApiKey()
    caller, (dataset_id, owner_id, public, created_at, data_type, task_type, owner_is_org, collaborator_role,
             member_role) = split(r, ACCOUNT)
    if caller.is_organization:
        raise InvalidApiKey()
    if dataset_id is None:
        raise NotFound()
    role = role_from(is_owner=owner_id == caller.id, collaborator_role=collaborator_role,
                     owner_is_organization=bool(owner_is_org), member_role=member_role, public=bool(public))
    if role is None:
        raise NotFound()
    require_role(role, action)
    user = Account(id=caller.id, username=caller.username, email=caller.email, is_organization=False,
                   is_admin=bool(caller.is_admin), created_at=caller.created_at)  # transient: no session
    return Listed(dataset_id, created_at, f"{owner}/{name}", data_type, task_type, user)


class _Labelset(NamedTuple):
    id: int
    name: str


_LABELSET = "SELECT id, name FROM labelsets WHERE dataset_id = ? AND name = ?"


def _labelset(session: Reader, dataset_id: int, name: str | None) -> _Labelset | None:
    """``service.find_labelset`` without an ORM object."""
    if not name:
        return None
    row = run(session, _LABELSET, (dataset_id, name)).first()
    return None if row is None else _Labelset(*row)


def list_samples(session: Reader, dataset: Listed, q: SampleQuery, *, json_in_database: bool = True) -> Page:
    """One page of the listing, read through a request session or ``db.sql.PlainReads``. ``json_in_database``: on
    SQLite, a page without full labels is written as JSON by the database (``samples.pages``) instead of shaped here
    (setting ``listing_json_in_database``)."""
    dialect = session.get_bind().dialect.name
    shown = _labelset(session, dataset.dataset_id, q.labelset)  # None for unknown / junk labelset names
    # Status filters and label-time sorting look at the requested labelset, else ground truth.
    needs_label_join = bool(q.statuses) or q.sort == "label_updated_at"
    joined = shown or (_labelset(session, dataset.dataset_id, GROUND_TRUTH) if needs_label_join else None)
    fingerprint = _fingerprint(dataset.dataset_id, dataset.created_at, joined.id if joined else None, q)
    after = None
    if q.after is not None:  # a continuation: seek past the last row served, no OFFSET
        if q.sort == "label_updated_at":
            raise Invalid("after: listings sorted by label time continue by page number only.", field="after")
        after = _read_token(q.after, fingerprint)
    sql, params = _ids_statement(dialect, dataset.dataset_id, joined.id if joined else None, q, after)
    page_keys = run(session, sql, params)  # (id, sort key) rows
    if not page_keys:
        return Page(b"[]", None)
    ids = [sample_id for sample_id, _sort_key in page_keys]  # the columns of ``_ids_statement``: id, sort key
    more = len(ids) == q.per_page and q.sort != "label_updated_at"
    last_id, last_key = page_keys[-1]
    next_token = _token(last_key, last_id, fingerprint) if more else None
    if json_in_database and dialect == "sqlite" and not q.include_full_label:
        body = page_json(session, ids, shown.id if shown is not None else None, dataset.full_name,
                         dataset.data_type)
        return Page(body, next_token)
    rows = _page_rows(session, ids, shown.id if shown is not None else None)
    user_ids: set[Any] = set()
    sample_users = s.sample_user_ids
    for r in rows:
        user_ids.update(sample_users(r))
        if shown is not None and _label_id(r) is not None:
            user_ids.update(_label_users(r))
    users = usernames(session, user_ids, dataset.user)
    dataset_name = dataset.full_name
    data_type = dataset.data_type
    public = s.sample_public
    if shown is None:
        return Page(orjson.dumps([public(r, users, dataset_name, data_type) for r in rows]), next_token)
    out = []
    if q.include_full_label:
        task_type, labelset_name = dataset.task_type, shown.name
        for r in rows:
            lab = r[SAMPLE.width:]
            label = None if _label_id(r) is None else label_public(lab, users, sample_uuid=_uuid(r),
                                                                   task_type=task_type, labelset=labelset_name)
            out.append(public(r, users, dataset_name, data_type, label))
    else:
        for r in rows:
            label = None if _label_id(r) is None else label_summary(r[SAMPLE.width:], users)
            out.append(public(r, users, dataset_name, data_type, label))
    return Page(orjson.dumps(out), next_token)


# Rows of ``_page_rows``: ``db.rows.SAMPLE``, then (a labelset shown) ``db.rows.LABEL``.
_sample_id = SAMPLE.getter("id")
_uuid = SAMPLE.getter("uuid")
_label_id = LABEL.getter("id", offset=SAMPLE.width)
_label_users = LABEL.getter("created_by_id", "updated_by_id", "reviewed_by_id", offset=SAMPLE.width)


_PAGE_PG = f"SELECT {SAMPLE.sql('s')} FROM samples s WHERE s.id = ANY(?::int[])"
# LATERAL ... LIMIT 1 (never flattened into a join): one (sample_id, labelset_id) index probe per sample whatever
# the statistics say; right after a bulk import the planner underestimates the labelset's labels and would hash
# all of them for every page.
_PAGE_LABELS_PG = (f"SELECT {SAMPLE.sql('s')}, {LABEL.sql('l')} FROM samples s LEFT JOIN LATERAL (SELECT * FROM "
                   "labels WHERE labels.sample_id = s.id AND labels.labelset_id = ? LIMIT 1) l ON true "
                   "WHERE s.id = ANY(?::int[])")
_PAGE_SQLITE = f"SELECT {SAMPLE.sql('s')} FROM json_each(?) j JOIN samples s ON s.id = j.value"
_PAGE_LABELS_SQLITE = (f"SELECT {SAMPLE.sql('s')}, {LABEL.sql('l')} FROM json_each(?) j JOIN samples s "
                       "ON s.id = j.value LEFT JOIN labels l ON l.sample_id = s.id AND l.labelset_id = ?")


def _page_rows(session: Reader, ids: list[int], labelset_id: int | None) -> list[tuple[Any, ...]]:
    """The page's rows (``db.rows.SAMPLE``, then ``db.rows.LABEL`` when a labelset is shown) in ``ids`` order.

    Plain SQL on the driver cursor (``db.sql.run``): no statement compilation for a 1,000-value IN list and no
    result-row objects — on a full page that overhead is larger than the database's own work."""
    if session.get_bind().dialect.name == "postgresql":  # one array parameter (psycopg parses statement text)
        if labelset_id is None:
            rows: list[tuple[Any, ...]] = run(session, _PAGE_PG, (ids,), binary=True)
        else:
            rows = run(session, _PAGE_LABELS_PG, (labelset_id, ids), binary=True)
    else:
        # SQLite: the ids as one JSON array parameter walked by json_each. With a 1,000-value IN list instead,
        # the label join cost ~4x as much (same plan on paper; 15 against 3.5 ms a page) and every page bound
        # 1,000 parameters.
        id_list = "[" + ",".join(map(str, ids)) + "]"
        if labelset_id is None:
            rows = run(session, _PAGE_SQLITE, (id_list,))
        else:
            rows = run(session, _PAGE_LABELS_SQLITE, (id_list, labelset_id))
    position = {sample_id: i for i, sample_id in enumerate(ids)}
    sample_id = _sample_id
    rows.sort(key=lambda r: position[sample_id(r)])
    return rows


def _fingerprint(dataset_id: int, dataset_created_at: Any, labelset_id: int | None, q: SampleQuery) -> str:
    """What a continuation token is valid for: this listing of this dataset (a re-created dataset of the same name
    is another one), whatever the page."""
    what = orjson.dumps([dataset_id, str(dataset_created_at), labelset_id, q.name_contains, q.metadata, q.statuses,
                         q.sort, q.descending, q.per_page])
    return hashlib.blake2s(what, digest_size=6).hexdigest()


def _token(last_key: Any, last_id: int, fingerprint: str) -> str:
    raw = orjson.dumps([fingerprint, last_key, last_id])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _read_token(token: str, fingerprint: str) -> tuple[Any, int]:
    try:
        found, last_key, last_id = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        valid = found == fingerprint and type(last_id) is int and type(last_key) in (str, int, float)
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise Invalid("after: not a continuation token of this listing (take it from the Link header of the "
                      "previous page, with the same filters, sort and per_page).", field="after")
    return last_key, last_id


# The ids statement's parts. ``s`` is the sample, ``l`` its label in the joined labelset (status filters, label-time
# sort). Every variant is built from these fixed strings, so ``run`` sees a bounded set of statements.
_SORT_COLUMNS = {"name": "s.name", "created_at": "s.created_at", "priority": "s.priority",
                 "updated_at": "s.updated_at", "label_updated_at": "l.updated_at"}
_POSITION = {"postgresql": "strpos", "sqlite": "instr"}


def _ids_statement(dialect: str, dataset_id: int, labelset_id: int | None, q: SampleQuery,
                   after: tuple[Any, int] | None) -> tuple[str, list[Any]]:
    """The statement selecting ``(id, sort key)`` of the page's samples in the listing's order, and its
    parameters: the dataset's samples (joined with their label when statuses filter or label time sorts), the
    filters, then ``after``'s seek past (last key, last id) or the page's OFFSET."""
    key = _SORT_COLUMNS[q.sort]
    params: list[Any] = []
    sql = f"SELECT s.id, {key} FROM samples s"
    if q.statuses or q.sort == "label_updated_at":
        sql += " LEFT OUTER JOIN labels l ON l.sample_id = s.id AND l.labelset_id = ?"
        params.append(labelset_id if labelset_id is not None else -1)
    where = ["s.dataset_id = ?"]
    params.append(dataset_id)
    if q.name_contains:
        where.append(f"{_POSITION[dialect]}(s.name, ?) > 0")
        params.append(q.name_contains)
    for meta_key, value in q.metadata:
        condition, values = metadata_condition(dialect, "s.metadata", meta_key, value)
        where.append(condition)
        params.extend(values)
    if q.statuses:
        real = [st for st in q.statuses if st != "UNLABELED"]
        either = []
        if real:
            either.append(f"l.label_status IN ({in_list(len(real))})")
            params.extend(real)
        if "UNLABELED" in q.statuses:
            either.append("l.id IS NULL")
        where.append(either[0] if len(either) == 1 else f"({' OR '.join(either)})")
    older = "<" if q.descending else ">"
    if after is not None:
        last_key, last_id = after
        if q.sort == "name":  # unique within the dataset
            where.append(f"{key} {older} ?")
            params.append(last_key)
        else:
            where.append(f"({key} {older} ? OR ({key} = ? AND s.id {older} ?))")
            params.extend((last_key, last_key, last_id))
    direction = "DESC" if q.descending else "ASC"
    # (dataset_id, name) is unique: no tie-breaker needed and the unique index serves the order.
    order = f"{key} {direction}" if q.sort == "name" else f"{key} {direction}, s.id {direction}"
    sql += f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?"
    params.append(q.per_page)
    if after is None:
        sql += " OFFSET ?"
        params.append((q.page - 1) * q.per_page)
    return sql, params


def metadata_condition(dialect: str, column: str, key: str, value: str) -> tuple[str, list[str]]:
    """``column[key]`` compared as text, with ``?`` placeholders, and its parameters: ``camera_id:3`` matches 3 and
    "3"; booleans as ``true``/``false``."""
    if dialect == "postgresql":
        return f"{json_field(dialect, column, '?')} = ?", [key, value]
    # SQLite: quote the key so dots/spaces in it are not taken as a JSON path; booleans come back as 1/0.
    quoted = '"' + key.replace('"', '\\"') + '"'
    sql = (f"(CASE json_type({column}, '$.' || ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
           f"ELSE CAST({json_field(dialect, column, '?')} AS TEXT) END) = ?")
    return sql, [quoted, quoted, value]


def metadata_equals(dialect: str, i: int, key: str, value: str) -> Any:
    """``metadata_condition`` on ``samples.metadata`` as a condition of a composed Core query (the ``i``-th one)."""
    # ``text()`` here is a fragment of a composed Core query (a WHERE condition with bound parameters), not a
    # statement run on its own: ``db.sql.run`` runs whole statements.
    sql, values = metadata_condition(dialect, "samples.metadata", key, value)
    names = [f"m{i}_{n}" for n in range(len(values))]
    parts = sql.split("?")
    named = "".join(part + (f":{names[n]}" if n < len(names) else "") for n, part in enumerate(parts))
    return text(named).bindparams(*(bindparam(name, v) for name, v in zip(names, values, strict=True)))


__all__ = ["Listed", "Page", "SampleQuery", "list_samples", "listed", "listed_by_key", "metadata_condition"]
