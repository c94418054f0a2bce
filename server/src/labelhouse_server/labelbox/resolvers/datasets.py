"""§2.2 datasets: get, list (``where``), create, update, delete (``updateDataset(data: {deleted: true})``)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import datasets as service
from ...db import Dataset
from .. import ids
from ..context import Context, ctx
from ..errors import Unauthorized
from ..where import Column, compile_where, order_by, where_sdl

DATASET_FIELDS = {"id": "ID", "name": "String", "description": "String", "createdAt": "DateTime",
                  "updatedAt": "DateTime"}
EXTRA_SDL = where_sdl("Dataset", DATASET_FIELDS)
COLUMNS = {
    "id": Column(Dataset.id, lambda v: ids.decode("dataset", v)),
    "name": Column(service.LABELBOX_NAME),
    "description": Column(Dataset.description),
    "createdAt": Column(Dataset.created_at),
    "updatedAt": Column(Dataset.updated_at),
}

query = QueryType()
mutation = ObjectType("Mutation")
dataset_type = ObjectType("Dataset")


def dataset_public(dataset: Dataset, row_count: int | None) -> dict[str, Any]:
    return {"id": ids.encode("dataset", dataset.id), "name": service.labelbox_name(dataset),
            "description": dataset.description or "", "createdAt": dataset.created_at,
            "updatedAt": dataset.updated_at, "_row_count": row_count, "_pk": dataset.id,
            "_created_by": dataset.created_by_id}


def find(c: Context, public_id: Any) -> Dataset | None:
    return service.get_dataset(c.session, c.scope, ids.decode("dataset", public_id))


@query.field("dataset")
def resolve_dataset(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    dataset = find(ctx(info), where.get("id"))
    return None if dataset is None else dataset_public(dataset, None)


@query.field("datasets")
def resolve_datasets(_: Any, info: Any, where: dict[str, Any] | None = None, skip: int | None = None,
                     first: int | None = None, orderBy: str | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    found = service.list_datasets(c.session, c.scope, compile_where(where, COLUMNS), order_by(orderBy, COLUMNS),
                                  skip or 0, first)
    counts = service.row_counts(c.session, [d.id for d in found])
    return [dataset_public(d, counts.get(d.id, 0)) for d in found]


@dataset_type.field("rowCount")
def resolve_row_count(dataset: dict[str, Any], info: Any) -> int:
    if dataset["_row_count"] is None:
        return service.row_counts(ctx(info).session, [dataset["_pk"]]).get(dataset["_pk"], 0)
    return int(dataset["_row_count"])


@dataset_type.field("createdBy")
def resolve_created_by(dataset: dict[str, Any], info: Any) -> dict[str, Any] | None:
    from .users import _members

    return next((m for m in _members(info) if ids.decode("user", m["id"]) == dataset["_created_by"]), None)


@dataset_type.field("organization")
def resolve_dataset_organization(_: dict[str, Any], info: Any) -> dict[str, Any]:
    from .users import organization_public

    return organization_public(ctx(info).scope)


@mutation.field("createDataset")
def resolve_create_dataset(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    c.require_write()
    dataset = service.create_dataset(c.session, c.scope, data.get("name"), data.get("description"))
    return dataset_public(dataset, 0)


@mutation.field("updateDataset")
def resolve_update_dataset(_: Any, info: Any, where: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    dataset = find(c, where.get("id"))
    if dataset is None or not c.scope.can_write():
        raise Unauthorized()
    public = dataset_public(dataset, None)
    if data.get("deleted"):
        service.remove_dataset(c.session, c.scope, dataset, getattr(c.job_runner, "notify", None))
        return public
    return dataset_public(service.update_dataset(c.session, dataset, data), None)


BINDABLES = [query, mutation, dataset_type]
