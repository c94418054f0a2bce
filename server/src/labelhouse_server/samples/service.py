"""Sample writes and single reads. Each write is one short write transaction (``write_transaction``), opened here
after the body has been parsed and validated.

The bulk path is built for throughput: one JSON parse, validation without per-sample models, one SELECT per chunk
for names that already exist, one Core ``executemany`` insert, and JSON documents stored as the text they arrived
as (re-serialized compactly) so responses splice them back in undecoded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, cast

import orjson
from sqlalchemy import CursorResult, Table, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..access import SampleAccess
from ..datasets.permissions import DatasetAccess
from ..datasets.service import GROUND_TRUTH
from ..db import Dataset, Label, Labelset, Sample
from ..db.integrity import violated_constraint
from ..db.rows import LABEL, SAMPLE
from ..db.sql import Reader, in_list, run, run_many
from ..db.transaction import write_transaction
from ..errors import AlreadyExists, Conflict, Invalid, NotFound
from ..ids import new_uuids
from ..labels.schemas import label_public, label_user_ids
from ..lookups import account_ids, usernames
from ..timeutil import now_iso
from ..validation import validate_sample_attributes
from . import schemas as s

ST = cast(Table, Sample.__table__)
LT = Label.__table__
NAME_CONSTRAINT = "uq_samples_dataset_id_name"
CHUNK = 500  # names / uuids per IN (...) list: far below every database's bound-parameter limit
MAX_BULK = 10_000
MAX_BULK_DELETE = 10_000


def full_name(dataset: Dataset) -> str:
    return f"{dataset.owner.username}/{dataset.name}"


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ------------------------------------------------------------------------------------------------- accounts
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


# An inserted row: its dataset, then the sample's columns after ``id`` (``db.rows.SAMPLE``), so that the same
# values with the id in front are the sample's row (``_as_sample_row``).
INSERT_COLUMNS = ("dataset_id", *SAMPLE.columns[1:])


_sample_name = SAMPLE.getter("name")
# A join on unnest(), not ``name = ANY(array)``: one probe of the (dataset_id, name) unique index per name whatever
# the statistics say. Without fresh statistics (a bulk load before ANALYZE; autovacuum off) the ANY form was planned
# as a scan of the whole dataset filtered by name: 26 s a request at 10,000,000 samples, against 0.01-0.04 s for
# this one (bench/scale10m.py).
_EXISTING_PG = (f"SELECT {SAMPLE.sql('s')} FROM unnest(?::text[]) AS n(name) JOIN samples s "
                "ON s.dataset_id = ? AND s.name = n.name")


def _existing_by_name(session: Session, dataset_id: int, names: list[str]) -> dict[str, Any]:
    """Rows (``db.rows.SAMPLE``) of the samples among ``names`` that already exist: one indexed SELECT per chunk,
    sent straight to the driver (compiling a 1,000-value IN list costs more than running it)."""
    existing: dict[str, Any] = {}
    if session.get_bind().dialect.name == "postgresql":  # one array parameter (psycopg parses statement text)
        for row in run(session, _EXISTING_PG, (names, dataset_id), binary=True):
            existing[_sample_name(row)] = row
        return existing
    for chunk in _chunks(names):
        sql = f"SELECT {SAMPLE.sql()} FROM samples WHERE dataset_id = ? AND name IN ({in_list(len(chunk))})"
        for row in run(session, sql, (dataset_id, *chunk)):
            existing[_sample_name(row)] = row
    return existing


_PG_TYPES = {"dataset_id": "int", "uuid": "text", "name": "text", "attributes": "text", "metadata": "text",
             "priority": "float8", "readme": "text", "embedding": "text", "assigned_labeler_id": "int",
             "assigned_reviewer_id": "int", "created_by_id": "int", "created_at": "text", "updated_at": "text"}
_INSERT_PG = (f"INSERT INTO samples ({', '.join(INSERT_COLUMNS)}) "
              f"SELECT * FROM unnest({', '.join(f'?::{_PG_TYPES[c]}[]' for c in INSERT_COLUMNS)})")
_INSERT = f"INSERT INTO samples ({', '.join(INSERT_COLUMNS)}) VALUES ({in_list(len(INSERT_COLUMNS))})"


def _insert_rows(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """One statement for the whole chunk, straight to the driver (no per-row parameter processing): SQLite
    ``executemany``; PostgreSQL one ``INSERT ... SELECT FROM unnest(<one array per column>)`` with binary
    parameters — a short statement with 13 parameters however many rows (psycopg parses statement text in
    Python: a 13,000-placeholder VALUES list cost more than the insert itself)."""
    if session.get_bind().dialect.name == "postgresql":
        run(session, _INSERT_PG, tuple(list(column) for column in zip(*rows)), binary=True)
        return
    run_many(session, _INSERT, rows)


def _as_sample_row(inserted: tuple[Any, ...]) -> tuple[Any, ...]:
    """The ``db.rows.SAMPLE`` row of an ``INSERT_COLUMNS`` row (no id yet: responses do not show it)."""
    return (None, *inserted[1:])


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
            row = (dataset_id, next(uuids), name, p["attributes"], p["metadata"], p["priority"], p["readme"],
                   p["embedding"], p["assigned_labeler"], p["assigned_reviewer"], user_id, now, now)
            new_rows.append(row)
            by_name[name] = _as_sample_row(row)
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
_SAMPLE_BY_ID = f"SELECT {SAMPLE.sql()} FROM samples WHERE id = ?"


def sample_row(session: Session, sample_id: int) -> Any:
    """The ``db.rows.SAMPLE`` row of sample ``sample_id``."""
    row = run(session, _SAMPLE_BY_ID, (sample_id,)).first()
    if row is None:
        raise NotFound("Sample not found.")
    return SAMPLE.make(row)


def find_labelset(session: Session, dataset_id: int, name: str | None) -> Labelset | None:
    if not name:
        return None
    return session.scalars(select(Labelset).where(Labelset.dataset_id == dataset_id, Labelset.name == name)).first()


# The sample's label in the labelset named (NULL columns: unlabeled, or no such labelset).
_LABEL_BY_LABELSET_NAME = (
    f"SELECT {LABEL.sql('l')} FROM labelsets ls "
    "LEFT JOIN labels l ON l.labelset_id = ls.id AND l.sample_id = ? WHERE ls.dataset_id = ? AND ls.name = ?"
)


def get_sample(session: Reader, sacc: SampleAccess, labelset: str | None) -> dict[str, Any]:
    row = sacc.row
    if labelset:
        # The SDK builds ``?labelset=X?include_signed_urls=1`` when both options are given.
        labelset = labelset.split("?", 1)[0]
    label_row = None
    if labelset:
        found = run(session, _LABEL_BY_LABELSET_NAME, (row.id, sacc.dataset_id, labelset)).first()
        if found is not None:
            label_row = LABEL.make(found)
            if label_row.id is None:
                label_row = None
    ids = list(s.sample_user_ids(row))
    if label_row is not None:
        ids.extend(label_user_ids(label_row))
    users = usernames(session, ids, sacc.user)
    out = s.sample_public(row, users, sacc.full_name, sacc.data_type)
    if labelset is not None:
        out["label"] = (label_public(label_row, users, sample_uuid=row.uuid, task_type=sacc.task_type,
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
           "update_sample"]
