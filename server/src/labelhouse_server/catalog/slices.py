"""Catalog slices (contract §2.14): saved queries over the organization's data rows, evaluated when read.

The Labelbox SDK only reads slices; they are created with our GraphQL extension ``createCatalogSavedQuery``
(``labelbox/sdl/slices.graphql``). A slice's ``filter`` is a list of conditions, all of which a data row must
meet — the shapes of the SDK's own catalog search queries (``Client.build_catalog_query``, export filters), plus
similarity [our choice]::

    {"type": "dataset" | "data_row_id" | "global_key", "operator": "is" | "is_not", "ids": [...]}
    {"type": "metadata", "operator": "is" | "is_not", "schemaId": <metadata schema id>, "value": <str | number>}
    {"type": "similarity", "embeddingId": <id>, "dataRowId": <id> | "vector": [...], "k": 1..1000}

A similarity condition keeps the ``k`` data rows nearest to the data row's vector (the row itself left out) or to
the vector, from the embedding's usearch index (``embeddings/search.py``), and the other conditions then narrow
those; it is evaluated again on every read, so the slice follows new vectors. A metadata condition compares the
stored value (an enum's value is its option's id; numbers compare as numbers). Ids that name nothing match
nothing.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import CatalogSlice, DataRowInfo, DataRowMetadata, Dataset, ModelRunDataRow, Sample
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..embeddings.search import MAX_K, Scope, nearest_samples, query_vector_of
from ..embeddings.vectors import check_vector
from ..errors import AlreadyExists, Forbidden, Invalid, NotFound
from ..labelbox import ids
from ..timeutil import now_iso
from . import embeddings
from .orgs import OrgScope

TYPES = ("dataset", "data_row_id", "global_key", "metadata", "similarity")
MAX_IDS = 10_000
MAX_CONDITIONS = 20
MAX_NAME = 255


# ----------------------------------------------------------------------------------------------- the filter
def check_filter(session: Session, scope: OrgScope, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_CONDITIONS:
        raise Invalid(f"filter: a list of 1 to {MAX_CONDITIONS} conditions is required.", field="filter")
    for i, cond in enumerate(value):
        where = f"filter[{i}]"
        if not isinstance(cond, dict) or cond.get("type") not in TYPES:
            raise Invalid(f"{where}.type: one of {', '.join(TYPES)} is required.", field="filter")
        if cond["type"] == "similarity":
            _check_similarity(session, scope, cond, where)
            continue
        if cond.get("operator", "is") not in ("is", "is_not"):
            raise Invalid(f"{where}.operator: 'is' or 'is_not' is required.", field="filter")
        if cond["type"] == "metadata":
            if type(cond.get("schemaId")) is not str or not cond["schemaId"]:
                raise Invalid(f"{where}.schemaId: a metadata schema id is required.", field="filter")
            if type(cond.get("value")) not in (str, int, float):
                raise Invalid(f"{where}.value: a string or a number is required.", field="filter")
            continue
        values = cond.get("ids")
        if not isinstance(values, list) or not 1 <= len(values) <= MAX_IDS \
                or not all(type(v) is str for v in values):
            raise Invalid(f"{where}.ids: a list of 1 to {MAX_IDS} strings is required.", field="filter")
    return value


def _check_similarity(session: Session, scope: OrgScope, cond: dict[str, Any], where: str) -> None:
    embedding = embeddings.get_embedding(session, scope, cond.get("embeddingId"))
    if embedding is None:
        raise Invalid(f"{where}.embeddingId: no such embedding.", field="filter")
    k = cond.get("k", 10)
    if type(k) is not int or not 1 <= k <= MAX_K:
        raise Invalid(f"{where}.k: an integer from 1 to {MAX_K} is required.", field="filter")
    if ("vector" in cond) == ("dataRowId" in cond):
        raise Invalid(f"{where}: give exactly one of 'vector' and 'dataRowId'.", field="filter")
    if "vector" in cond:
        check_vector(cond["vector"], embedding.dims, embedding.metric, f"{where}.vector")
    elif type(cond["dataRowId"]) is not str:
        raise Invalid(f"{where}.dataRowId: a data row id is required.", field="filter")


def _similar(session: Session, scope: OrgScope, index_cache: Any, cond: dict[str, Any]) -> list[int]:
    embedding = embeddings.get_embedding(session, scope, cond.get("embeddingId"))
    if embedding is None:  # deleted since the slice was saved
        return []
    exclude = None
    if "dataRowId" in cond:
        exclude = ids.decode("data_row", cond["dataRowId"])
        if exclude is None or exclude not in embeddings.org_rows(session, scope, [exclude]):
            return []
        query = query_vector_of(session, embedding.id, exclude, embedding.dims)
        if query is None:
            return []
    else:
        query = check_vector(cond["vector"], embedding.dims, embedding.metric)
    hits = nearest_samples(session, index_cache, embedding.id, query, int(cond.get("k", 10)),
                           Scope(user=scope.user, exclude_sample_id=exclude))
    return [sid for sid, _ in hits]


def _stored(value: Any) -> str:
    """A metadata value as ``data_row_metadata`` stores it (JSON text; the SDK sends numbers as floats)."""
    return orjson.dumps(float(value) if type(value) in (int, float) else value).decode()


def _conditions(session: Session, scope: OrgScope, index_cache: Any, conds: list[dict[str, Any]]) -> list[Any]:
    out: list[Any] = [Dataset.owner_id == scope.org.id]
    for cond in conds:
        kind = cond.get("type")
        if kind == "similarity":
            found = _similar(session, scope, index_cache, cond)
            out.append(Sample.id.in_(found) if found else false())
            continue
        negate = cond.get("operator", "is") == "is_not"
        if kind == "metadata":
            has = select(DataRowMetadata.sample_id).where(DataRowMetadata.sample_id == Sample.id,
                                                          DataRowMetadata.schema_id == cond["schemaId"],
                                                          DataRowMetadata.value == _stored(cond["value"])).exists()
            out.append(~has if negate else has)
            continue
        values = list(cond.get("ids") or [])
        if kind == "global_key":
            keys = DataRowInfo.global_key.in_(values)
            out.append(or_(DataRowInfo.global_key.is_(None), ~keys) if negate else keys)
            continue
        column, id_kind = (Sample.dataset_id, "dataset") if kind == "dataset" else (Sample.id, "data_row")
        pks = ids.decode_many(id_kind, values)
        member: Any = column.in_(pks) if pks else false()
        out.append(~member if negate else member)
    return out


def frozen_filter(session: Session, scope: OrgScope, index_cache: Any, item: CatalogSlice) -> list[dict[str, Any]]:
    """The slice's filter with each similarity condition replaced by the data rows it finds now: what an export
    of the slice evaluates later, in a background job that has no vector index at hand."""
    out = []
    for cond in item.filter or []:
        if cond.get("type") == "similarity":
            found = _similar(session, scope, index_cache, cond)
            cond = {"type": "data_row_id", "operator": "is", "ids": [ids.encode("data_row", pk) for pk in found]}
        out.append(cond)
    return out


def sql_conditions(scope: Any, conds: list[dict[str, Any]]) -> list[Any]:
    """SQL conditions (over samples joined with datasets and data_rows) of a filter without similarity
    conditions (``frozen_filter``); ``scope.org.id`` is the organization."""
    return _conditions(None, scope, None, conds)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------- slices
def slice_public(item: CatalogSlice) -> dict[str, Any]:
    return {"id": ids.encode("catalog_slice", item.id), "name": item.name, "description": item.description,
            "filter": item.filter, "createdAt": item.created_at, "updatedAt": item.updated_at}


def list_slices(session: Session, scope: OrgScope) -> list[CatalogSlice]:
    return list(session.scalars(select(CatalogSlice).where(CatalogSlice.organization_id == scope.org.id)
                                .order_by(CatalogSlice.created_at, CatalogSlice.id)))


def get_slice(session: Session, scope: OrgScope, public_id: Any) -> CatalogSlice | None:
    pk = ids.decode("catalog_slice", public_id)
    item = session.get(CatalogSlice, pk) if pk is not None else None
    return item if item is not None and item.organization_id == scope.org.id else None


def create_slice(session: Session, scope: OrgScope, name: Any, description: Any, filter_: Any) -> CatalogSlice:
    if not scope.can_write():
        raise Forbidden("Your role in this organization may not create slices.")
    if type(name) is not str or not name.strip() or len(name) > MAX_NAME:
        raise Invalid(f"name: a non-empty name of at most {MAX_NAME} characters is required.", field="name")
    if description is not None and type(description) is not str:
        raise Invalid("description: a string is required.", field="description")
    conds = check_filter(session, scope, filter_)
    taken = f"A slice named '{name}' already exists."
    if session.scalar(select(CatalogSlice.id).where(CatalogSlice.organization_id == scope.org.id,
                                                    CatalogSlice.name == name)):
        raise AlreadyExists(taken, field="name")
    now = now_iso()
    item = CatalogSlice(organization_id=scope.org.id, name=name, description=description or "", filter=conds,
                        created_by_id=scope.user.id, created_at=now, updated_at=now)
    try:
        with write_transaction(session):
            session.add(item)
    except IntegrityError as exc:  # a concurrent create took the name; the block rolled back
        if violated_constraint(exc) == "uq_lb_catalog_slices_organization_id_name":
            raise AlreadyExists(taken, field="name") from None
        raise
    return item


def delete_slice(session: Session, scope: OrgScope, public_id: Any) -> None:
    item = get_slice(session, scope, public_id)
    if item is None:
        raise NotFound("Slice not found.")
    if not scope.can_write():
        raise Forbidden("Your role in this organization may not delete slices.")
    with write_transaction(session):
        session.delete(item)


def data_rows(session: Session, scope: OrgScope, index_cache: Any, item: CatalogSlice, after: int | None,
              first: int, model_run_id: int | None = None) -> tuple[list[tuple[int, str | None]], int, bool]:
    """One page of the slice's data rows (sample id, global key) in id order after ``after``, the total count, and
    whether more follow; with ``model_run_id`` (a model slice) only the rows of that run."""
    conds = _conditions(session, scope, index_cache, item.filter or [])
    if model_run_id is not None:
        conds.append(Sample.id.in_(select(ModelRunDataRow.sample_id)
                                   .where(ModelRunDataRow.model_run_id == model_run_id)))
    base = (Sample.__table__.join(Dataset.__table__, Dataset.__table__.c.id == Sample.__table__.c.dataset_id)
            .outerjoin(DataRowInfo.__table__, DataRowInfo.__table__.c.sample_id == Sample.__table__.c.id))
    total = session.scalar(select(func.count()).select_from(base).where(*conds)) or 0
    query = select(Sample.id, DataRowInfo.global_key).select_from(base).where(*conds)
    if after is not None:
        query = query.where(Sample.id > after)
    rows = [(r.id, r.global_key) for r in session.execute(query.order_by(Sample.id).limit(first + 1))]
    return rows[:first], int(total), len(rows) > first
