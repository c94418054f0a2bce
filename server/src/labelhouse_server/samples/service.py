"""Sample writes and single reads. Each write is one short write transaction (``write_transaction``), opened here
after the body has been parsed and validated.

The bulk path is built for throughput: one JSON parse, validation without per-sample models, one SELECT per chunk
for names that already exist, one Core ``executemany`` insert, and JSON documents stored as the text they arrived
as (re-serialized compactly) so responses splice them back in undecoded.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable
from typing import Any, cast

import orjson
from sqlalchemy import CursorResult, Table, Text, delete, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..datasets.permissions import DatasetAccess
from ..datasets.service import GROUND_TRUTH
from ..db import Account, Dataset, Label, Labelset, Sample
from ..db.integrity import violated_constraint
from ..db.sql import in_list, run
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, Conflict, Invalid, NotFound
from ..labels.schemas import label_public, label_user_ids
from ..timeutil import now_iso
from ..validation import validate_sample_attributes
from . import schemas as s
from .deps import SampleAccess

ST = cast(Table, Sample.__table__)
LT = Label.__table__
NAME_CONSTRAINT = "uq_samples_dataset_id_name"
CHUNK = 500  # names / uuids per IN (...) list: far below every database's bound-parameter limit
MAX_BULK = 10_000
MAX_BULK_DELETE = 10_000

SAMPLE_COLUMNS = [
    ST.c.id, ST.c.uuid, ST.c.name,
    type_coerce(ST.c.attributes, Text).label("attributes"),
    type_coerce(ST.c.metadata, Text).label("metadata"),
    ST.c.priority, ST.c.readme,
    type_coerce(ST.c.embedding, Text).label("embedding"),
    ST.c.assigned_labeler_id, ST.c.assigned_reviewer_id, ST.c.created_by_id, ST.c.created_at, ST.c.updated_at,
]


def full_name(dataset: Dataset) -> str:
    return f"{dataset.owner.username}/{dataset.name}"


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ------------------------------------------------------------------------------------------------- accounts
def usernames(session: Session, ids: Iterable[int | None], known: Account | None = None) -> dict[int, str]:
    """id -> username for every id given, in one query per chunk (no N+1); none when all ids are ``known``'s
    (typically the caller, who created most of what they list)."""
    out: dict[int, str] = {known.id: known.username} if known is not None else {}
    wanted = sorted({i for i in ids if i is not None and i not in out})
    if len(wanted) <= 4:  # single-item paths: a prebuilt statement per length
        if wanted:
            out.update(run(session, _USERNAMES[len(wanted)], wanted).all())
        return out
    for chunk in _chunks(wanted):
        out.update(session.execute(select(Account.id, Account.username).where(Account.id.in_(chunk))).tuples().all())
    return out


_USERNAMES = {n: f"SELECT id, username FROM accounts WHERE id IN ({in_list(n)})" for n in range(1, 5)}


def account_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(names))
    out: dict[str, int] = {}
    for chunk in _chunks(wanted):
        out.update((n, i) for i, n in session.execute(
            select(Account.id, Account.username).where(Account.username.in_(chunk))).tuples())
    return out


def _resolve_assignees(session: Session, parsed: list[dict[str, Any]]) -> None:
    """Replace ``assigned_labeler``/``assigned_reviewer`` usernames by account ids (one query for all)."""
    names = [p[k] for p in parsed for k in ("assigned_labeler", "assigned_reviewer") if p.get(k)]
    if not names:
        return
    ids = account_ids(session, names)
    for p in parsed:
        for key in ("assigned_labeler", "assigned_reviewer"):
            name = p.get(key)
            if name is None:
                continue
            if name not in ids:
                field = f"{p['_prefix']}.{key}" if p["_prefix"] else key
                raise Invalid(f"{field}: there is no user named '{name}'.", field=field)
            p[key] = ids[name]


# -------------------------------------------------------------------------------------------------- parsing
def _validated_attributes(task_type: str, attributes: Any, prefix: str, name: str | None) -> str:
    try:
        validate_sample_attributes(task_type, attributes)
    except Invalid as exc:
        if not prefix:
            raise
        field = f"{prefix}.{exc.field}" if exc.field else prefix
        raise Invalid(f"Sample {prefix} ({name!r}): {exc.detail}", field=field, **exc.extra) from None
    return orjson.dumps(attributes).decode()


def parse_create(item: Any, task_type: str, index: int | None = None) -> dict[str, Any]:
    """Check one sample of a create request (``index``: its position in a bulk request, for error fields).

    The common case — well-typed values — is tested inline; the ``check_*`` helpers only run (and build error
    texts) when a value needs converting or is wrong: this runs once per sample on the bulk path."""
    prefix = "" if index is None else f"[{index}]"
    if type(item) is not dict:
        raise Invalid(f"{prefix or 'body'}: a sample object is required.", field=prefix or "body")
    get = item.get
    name = get("name")
    if type(name) is not str or not name or len(name) > s.MAX_NAME_LENGTH or name.isspace():
        name = s.check_name(name, prefix)
    if "attributes" not in item:
        field = f"{prefix}.attributes" if prefix else "attributes"
        raise Invalid(f"{field}: this field is required.", field=field)
    metadata = get("metadata")
    priority = get("priority")
    readme = get("readme")
    embedding = get("embedding")
    labeler = get("assigned_labeler")
    reviewer = get("assigned_reviewer")
    return {
        "_prefix": prefix,
        "name": name,
        "attributes": _validated_attributes(task_type, item["attributes"], prefix, name),
        "metadata": orjson.dumps(metadata).decode() if type(metadata) is dict else s.check_metadata(metadata, prefix),
        "priority": priority if type(priority) is float and math.isfinite(priority)
        else s.check_priority(priority, prefix),
        "readme": readme if type(readme) is str else s.check_readme(readme, prefix),
        "embedding": None if embedding is None else s.check_embedding(embedding, prefix),
        "assigned_labeler": None if labeler is None else s.check_username(labeler, "assigned_labeler", prefix),
        "assigned_reviewer": None if reviewer is None else s.check_username(reviewer, "assigned_reviewer", prefix),
    }


# ------------------------------------------------------------------------------------------------- creating
def add_samples(session: Session, acc: DatasetAccess, items: Any, *, single: bool = False) -> list[dict[str, Any]]:
    """Add samples; names that already exist come back unchanged (bulk) or raise AlreadyExists (single)."""
    if single:
        items = [items]
    elif not isinstance(items, list):
        raise Invalid("body: a JSON array of samples is required.", field="body")
    if len(items) > MAX_BULK:
        raise Invalid(f"body: at most {MAX_BULK} samples per request.", field="body")
    dataset = acc.dataset
    task_type = dataset.task_type
    parsed = [parse_create(item, task_type, None if single else i) for i, item in enumerate(items)]
    _resolve_assignees(session, parsed)
    for attempt in range(3):
        try:
            return _insert_new(session, acc, parsed, single)
        except IntegrityError as exc:
            # A concurrent request added one of these names first (the write transaction was rolled back): start
            # over and return it as existing.
            if violated_constraint(exc) != NAME_CONSTRAINT:
                raise
            if attempt == 2:
                raise Conflict("Samples with these names were being added concurrently; retry.") from None
    raise AssertionError("unreachable")


INSERT_COLUMNS = ("uuid", "dataset_id", "name", "attributes", "metadata", "priority", "readme", "embedding",
                  "assigned_labeler_id", "assigned_reviewer_id", "created_by_id", "created_at", "updated_at")


def new_uuids(count: int) -> list[str]:
    """Time-ordered random UUIDs (RFC 9562 version 7: 48-bit millisecond timestamp, then random bits).

    Version 7 rather than 4 so that new keys land at the right edge of the ``uuid`` unique index: with random
    (v4) keys every insert of a bulk request dirties a different index page of a large dataset, which made
    imports into a 1,000,000-sample dataset markedly slower than into an empty one. One urandom call for all."""
    stamp = f"{time.time_ns() // 1_000_000:012x}"
    head = f"{stamp[:8]}-{stamp[8:12]}-7"
    raw = os.urandom(15 * count).hex()
    out = []
    for i in range(0, 30 * count, 30):
        h = raw[i:i + 30]
        out.append(f"{head}{h[:3]}-{VARIANT[h[3]]}{h[4:7]}-{h[7:19]}")
    return out


VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


SAMPLE_COLUMNS_SQL = ("id, uuid, name, attributes, metadata, priority, readme, embedding, assigned_labeler_id, "
                      "assigned_reviewer_id, created_by_id, created_at, updated_at")  # = SAMPLE_COLUMNS


def _existing_by_name(session: Session, dataset_id: int, names: list[str]) -> dict[str, Any]:
    """Rows (SAMPLE_COLUMNS order) of the samples among ``names`` that already exist: one indexed SELECT per chunk,
    sent straight to the driver (compiling a 1,000-value IN list costs more than running it)."""
    connection = session.connection()
    existing: dict[str, Any] = {}
    if connection.dialect.name == "postgresql":  # one array parameter (psycopg parses statement text in Python)
        # A join on unnest(), not ``name = ANY(array)``: one probe of the (dataset_id, name) unique index per name
        # whatever the statistics say. Without fresh statistics (a bulk load before ANALYZE; autovacuum off) the
        # ANY form was planned as a scan of the whole dataset filtered by name: 26 s a request at 10,000,000
        # samples, against 0.01-0.04 s for this one (bench/scale10m.py).
        columns = ", ".join(f"s.{c.strip()}" for c in SAMPLE_COLUMNS_SQL.split(","))
        sql = (f"SELECT {columns} FROM unnest(%b::text[]) AS n(name) JOIN samples s "
               "ON s.dataset_id = %s AND s.name = n.name")
        for row in connection.exec_driver_sql(sql, (names, dataset_id)):
            existing[row[2]] = row
        return existing
    for chunk in _chunks(names):
        sql = (f"SELECT {SAMPLE_COLUMNS_SQL} FROM samples WHERE dataset_id = ? AND name IN ("
               + ", ".join(["?"] * len(chunk)) + ")")
        for row in connection.exec_driver_sql(sql, (dataset_id, *chunk)):
            existing[row[2]] = row
    return existing


PG_COLUMN_TYPES = ("text", "int", "text", "text", "text", "float8", "text", "text", "int", "int", "int", "text",
                   "text")  # INSERT_COLUMNS, for unnest()


def _insert_rows(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """One statement for the whole chunk, straight to the driver (no per-row parameter processing): SQLite
    ``executemany``; PostgreSQL one ``INSERT ... SELECT FROM unnest(<one array per column>)`` — a short statement
    with 13 parameters however many rows (psycopg parses statement text in Python: a 13,000-placeholder VALUES
    list cost more than the insert itself)."""
    connection = session.connection()
    columns = ", ".join(INSERT_COLUMNS)
    if connection.dialect.name == "postgresql":
        arrays = ", ".join(f"%b::{kind}[]" for kind in PG_COLUMN_TYPES)  # %b: binary parameters
        sql = f"INSERT INTO samples ({columns}) SELECT * FROM unnest({arrays})"
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor:
            try:
                cursor.execute(sql, tuple(list(column) for column in zip(*rows)))
            except connection.dialect.loaded_dbapi.IntegrityError as exc:
                # what SQLAlchemy would have raised, so callers translate it by constraint name
                raise IntegrityError(sql, None, exc) from exc
        return
    marks = ", ".join(["?"] * len(INSERT_COLUMNS))
    connection.exec_driver_sql(f"INSERT INTO samples ({columns}) VALUES ({marks})", rows)


def _insert_new(session: Session, acc: DatasetAccess, parsed: list[dict[str, Any]],
                single: bool) -> list[dict[str, Any]]:
    dataset_id = acc.dataset.id
    name_of_dataset = full_name(acc.dataset)
    data_type = acc.dataset.data_type
    names = list(dict.fromkeys(p["name"] for p in parsed))
    user_id = acc.user.id
    with write_transaction(session):  # which names exist, and the insert of the others: one unit
        existing = _existing_by_name(session, dataset_id, names)
        if single and existing:
            raise AlreadyExists(f"Sample with this name already exists: {parsed[0]['name']}.", field="name")
        now = now_iso()
        by_name: dict[str, Any] = dict(existing)
        new_rows: list[tuple[Any, ...]] = []
        fresh = [p for p in parsed if p["name"] not in existing]
        uuids = iter(new_uuids(len(fresh)))
        for p in fresh:
            name = p["name"]
            if name in by_name:  # the same name twice in one request: the first one wins
                continue
            row = (next(uuids), dataset_id, name, p["attributes"], p["metadata"], p["priority"], p["readme"],
                   p["embedding"], p["assigned_labeler"], p["assigned_reviewer"], user_id, now, now)
            new_rows.append(row)
            by_name[name] = (None, *row[:1], *row[2:])  # SAMPLE_COLUMNS order: id first, no dataset_id
        if new_rows:
            _insert_rows(session, new_rows)
    ids: set[int | None] = {user_id}
    for row in existing.values():
        ids.update(s.sample_user_ids(row))
    for p in parsed:
        ids.update((p["assigned_labeler"], p["assigned_reviewer"]))
    users = usernames(session, ids, acc.user)
    return [s.sample_public(by_name[p["name"]], users, name_of_dataset, data_type) for p in parsed]


# -------------------------------------------------------------------------------------------------- reading
def sample_row(session: Session, sample_id: int) -> Any:
    row = session.execute(select(*SAMPLE_COLUMNS).where(ST.c.id == sample_id)).first()
    if row is None:
        raise NotFound("Sample not found.")
    return row


def find_labelset(session: Session, dataset_id: int, name: str | None) -> Labelset | None:
    if not name:
        return None
    return session.scalars(select(Labelset).where(Labelset.dataset_id == dataset_id, Labelset.name == name)).first()


_LABEL_BY_LABELSET_NAME = (
    "SELECT ls.name, l.id, l.label_status, l.attributes, l.score, l.rating, l.created_by_id, l.updated_by_id, "
    "l.reviewed_by_id, l.created_at, l.updated_at, l.reviewed_at FROM labelsets ls "
    "LEFT JOIN labels l ON l.labelset_id = ls.id AND l.sample_id = ? WHERE ls.dataset_id = ? AND ls.name = ?"
)  # label columns in ``label_columns()`` order


def get_sample(session: Session, sacc: SampleAccess, labelset: str | None) -> dict[str, Any]:
    row = sacc.row
    sample_uuid = row[1]
    if labelset:
        # The SDK builds ``?labelset=X?include_signed_urls=1`` when both options are given.
        labelset = labelset.split("?", 1)[0]
    label_row = None
    if labelset:
        found = run(session, _LABEL_BY_LABELSET_NAME, (row[0], sacc.dataset_id, labelset)).first()
        if found is not None and found[1] is not None:
            label_row = found[1:]
    ids = list(s.sample_user_ids(row))
    if label_row is not None:
        ids.extend(label_user_ids(label_row))
    users = usernames(session, ids, sacc.user)
    out = s.sample_public(row, users, sacc.full_name, sacc.data_type)
    if labelset is not None:
        out["label"] = (label_public(label_row, users, sample_uuid=sample_uuid, task_type=sacc.task_type,
                                     labelset=labelset) if label_row is not None else None)
    return out


# ------------------------------------------------------------------------------------------------- updating
def update_sample(session: Session, sacc: SampleAccess, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("body: a JSON object is required.", field="body")
    sample = sacc.sample
    dataset = sacc.dataset
    values: dict[str, Any] = {}
    if "name" in body:
        name = s.check_name(body["name"])
        if name != sample.name:
            taken = session.scalar(select(ST.c.id).where(ST.c.dataset_id == dataset.id, ST.c.name == name))
            if taken is not None:
                raise AlreadyExists(f"Sample with this name already exists: {name}.", field="name")
        values["name"] = name
    if "attributes" in body:
        values["attributes"] = _validated_attributes(dataset.task_type, body["attributes"], "", None)
    if "metadata" in body:
        values["metadata"] = s.check_metadata(body["metadata"])
    if "priority" in body:
        values["priority"] = s.check_priority(body["priority"])
    if "readme" in body:
        values["readme"] = s.check_readme(body["readme"])
    if "embedding" in body:
        values["embedding"] = s.check_embedding(body["embedding"])
    for key in ("assigned_labeler", "assigned_reviewer"):
        if key in body:
            username = s.check_username(body[key], key)
            if username is None:
                values[f"{key}_id"] = None
            else:
                found = account_ids(session, [username])
                if username not in found:
                    raise Invalid(f"{key}: there is no user named '{username}'.", field=key)
                values[f"{key}_id"] = found[username]
    values["updated_at"] = now_iso()
    try:
        with write_transaction(session):
            session.execute(update(ST).where(ST.c.id == sample.id).values(**values))
    except IntegrityError as exc:
        if violated_constraint(exc) != NAME_CONSTRAINT:
            raise
        raise AlreadyExists("Sample with this name already exists.", field="name") from None
    row = sample_row(session, sample.id)
    users = usernames(session, s.sample_user_ids(row), sacc.user)
    return s.sample_public(row, users, sacc.full_name, dataset.data_type)


# ------------------------------------------------------------------------------------------------- deleting
def delete_sample(session: Session, sacc: SampleAccess) -> None:
    with write_transaction(session):
        session.execute(delete(ST).where(ST.c.id == sacc.sample_id))


def delete_samples(session: Session, acc: DatasetAccess, body: Any) -> int:
    uuids = body.get("uuids") if isinstance(body, dict) else None
    if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
        raise Invalid("uuids: a list of sample uuids is required.", field="uuids")
    if len(uuids) > MAX_BULK_DELETE:
        raise Invalid(f"uuids: at most {MAX_BULK_DELETE} per request.", field="uuids")
    deleted = 0
    with write_transaction(session):
        for chunk in _chunks(list(dict.fromkeys(uuids))):
            result = cast(CursorResult[Any], session.execute(
                delete(ST).where(ST.c.dataset_id == acc.dataset.id, ST.c.uuid.in_(chunk))))
            deleted += result.rowcount or 0
    return deleted


__all__ = ["GROUND_TRUTH", "add_samples", "delete_sample", "delete_samples", "find_labelset", "get_sample",
           "update_sample", "usernames"]
