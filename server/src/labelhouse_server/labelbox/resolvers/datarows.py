"""§2.3 data rows: get, list a dataset's rows (cursor), update, delete, attachments, external ids, and the
``upsertDataRows`` task with its failed/successful results."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import datarows as service
from ...catalog import metadata as md
from ...catalog import upserts
from ...catalog.datasets import get_dataset
from ...db import DataRowAttachment
from ...db.transaction import committed_writes
from ...errors import DatabaseBusy, LabelhouseError
from ...tasks import service as tasks
from .. import ids
from ..context import Context, ctx
from ..errors import InvalidInput, Unauthorized
from .tasks import task_public

MAX_PAGE = 2000

query = QueryType()
mutation = ObjectType("Mutation")
data_row_type = ObjectType("DataRow")


def _ontology(c: Context) -> md.Ontology:
    if "ontology" not in c.cache:
        c.cache["ontology"] = md.ontology(c.session, c.scope)
    ontology: md.Ontology = c.cache["ontology"]
    return ontology


def rows_public(c: Context, views: list[service.RowView]) -> list[dict[str, Any]]:
    """The DataRow shape for several rows, with their metadata loaded in one query."""
    values = md.values_of(c.session, [v.sample_id for v in views])
    onto = _ontology(c) if values else None
    out = []
    for view in views:
        row_data = view.row_data
        custom, named = md.wire_fields(onto, values[view.sample_id]) if onto and view.sample_id in values \
            else ([], [])
        out.append({"id": ids.encode("data_row", view.sample_id), "createdAt": view.created_at,
                    "updatedAt": view.updated_at, "externalId": view.external_id, "globalKey": view.global_key,
                    "rowData": row_data, "mediaAttributes": service.media_attributes(row_data, view.media_type),
                    "customMetadata": custom, "metadataFields": named, "_view": view})
    return out


def find_row(c: Context, public_id: Any) -> service.RowView | None:
    return service.get_row(c.session, c.scope, ids.decode("data_row", public_id))


def attachment_public(att: DataRowAttachment) -> dict[str, Any]:
    return {"id": ids.encode("attachment", att.id), "type": att.type, "value": att.value, "name": att.name}


@query.field("dataRow")
def resolve_data_row(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    c = ctx(info)
    view = find_row(c, where.get("id"))
    return None if view is None else rows_public(c, [view])[0]


@query.field("datasetDataRows")
def resolve_dataset_data_rows(_: Any, info: Any, id: str, first: int | None = None,
                              where: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any] | None:
    c = ctx(info)
    dataset = get_dataset(c.session, c.scope, ids.decode("dataset", id))
    if dataset is None:
        return None
    start = kwargs.get("from")
    start_pk = ids.decode("data_row", start) if start is not None else None
    if start is not None and start_pk is None:
        return {"nodes": [], "pageInfo": {"hasNextPage": False, "startCursor": None, "endCursor": None}}
    where = where or {}
    if where.get("id") is not None:
        view = find_row(c, where["id"])
        views = [view] if view is not None and view.dataset_id == dataset.id else []
        next_pk = None
    else:
        views, next_pk = service.dataset_rows(c.session, dataset.id, start_pk, min(max(first or 100, 1), MAX_PAGE),
                                              where.get("externalId"), where.get("globalKey"))
    cursor = ids.encode("data_row", next_pk) if next_pk is not None else None
    return {"nodes": rows_public(c, views),
            "pageInfo": {"hasNextPage": cursor is not None, "startCursor": cursor, "endCursor": cursor}}


@data_row_type.field("dataset")
def resolve_data_row_dataset(row: dict[str, Any], info: Any) -> dict[str, Any] | None:
    from .datasets import dataset_public

    c = ctx(info)
    dataset = get_dataset(c.session, c.scope, row["_view"].dataset_id)
    return None if dataset is None else dataset_public(dataset, None)


@data_row_type.field("createdBy")
def resolve_data_row_created_by(row: dict[str, Any], info: Any) -> dict[str, Any] | None:
    from .users import _members

    return next((m for m in _members(info) if ids.decode("user", m["id"]) == row["_view"].created_by_id), None)


@data_row_type.field("organization")
def resolve_data_row_organization(_: dict[str, Any], info: Any) -> dict[str, Any]:
    from .users import organization_public

    return organization_public(ctx(info).scope)


@data_row_type.field("attachments")
def resolve_attachments(row: dict[str, Any], info: Any, skip: int | None = None,
                        first: int | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    found = service.attachments_of(c.session, [row["_view"].sample_id]).get(row["_view"].sample_id, [])
    start = skip or 0
    return [attachment_public(a) for a in (found[start:start + first] if first is not None else found[start:])]


@query.field("externalIdsToDataRowIds")
def resolve_external_ids(_: Any, info: Any, externalId_in: list[str]) -> list[dict[str, Any]]:
    c = ctx(info)
    pairs = service.ids_for_external_ids(c.session, c.scope, externalId_in)
    return [{"dataRowId": ids.encode("data_row", sample_id), "externalId": ext} for sample_id, ext in pairs]


@mutation.field("updateDataRow")
def resolve_update_data_row(_: Any, info: Any, where: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    view = find_row(c, where.get("id"))
    if view is None or not c.scope.can_write():
        raise Unauthorized()
    service.update_row(c.session, c.scope, view, data)
    fresh = find_row(c, where.get("id"))
    assert fresh is not None
    return rows_public(c, [fresh])[0]


@mutation.field("deleteDataRows")
def resolve_delete_data_rows(_: Any, info: Any, where: dict[str, Any]) -> list[dict[str, Any]]:
    c = ctx(info)
    c.require_write()
    wanted = where.get("dataRowIds") or []
    deleted = service.delete_rows(c.session, c.scope, ids.decode_many("data_row", wanted))
    if len(deleted) != len(set(wanted)):
        # some ids were absent or another organization's: the ones that were ours are deleted, say so
        missing = len(set(wanted)) - len(deleted)
        if not deleted:
            raise Unauthorized(f"{missing} of these data rows do not exist or are not yours.")
    return [{"id": ids.encode("data_row", pk)} for pk in deleted]


@mutation.field("createDataRowAttachment")
def resolve_create_attachment(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    view = find_row(c, data.get("dataRowId"))
    if view is None or not c.scope.can_write():
        raise Unauthorized()
    return attachment_public(service.add_attachment(c.session, view, data.get("type"), data.get("value"),
                                                    data.get("name")))


@mutation.field("upsertDataRows")
def resolve_upsert_data_rows(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    c.require_write()
    try:
        task = upserts.start_upsert(c.session, c.scope, data.get("manifestUri"), c.store, c.settings, c.job_runner)
    except LabelhouseError as exc:
        if isinstance(exc, DatabaseBusy) and not committed_writes(c.session):
            raise  # nothing was changed: retried (errors.Busy), not a bad input
        raise InvalidInput(exc.detail) from None
    return task_public(task)


def _results(c: Context, data: dict[str, Any], kind: str) -> tuple[list[Any], int, str | None] | None:
    task = tasks.get_task(c.session, c.scope, ids.decode("task", data.get("taskId")))
    if task is None or task.type != upserts.TASK_TYPE:
        return None
    items = (task.details or {}).get(kind, [])
    try:
        start = int(data.get("from") or 0)
    except ValueError:
        start = 0
    size = min(max(data.get("first") or 5000, 1), 10_000)
    page = items[start:start + size]
    after = str(start + size) if start + size < len(items) else None
    return page, len(items), after


@query.field("failedDataRowImports")
def resolve_failed_imports(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any] | None:
    found = _results(ctx(info), data, "failed")
    if found is None:
        return None
    page, total, after = found
    return {"after": after, "total": total, "results": page}


@query.field("successesfulDataRowImports")
def resolve_successful_imports(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any] | None:
    c = ctx(info)
    found = _results(c, data, "written")
    if found is None:
        return None
    page, total, after = found
    views = service.load_rows(c.session, c.scope, page)
    nodes = [{"id": ids.encode("data_row", pk), "externalId": views[pk].external_id,
              "globalKey": views[pk].global_key, "rowData": views[pk].row_data} for pk in page if pk in views]
    return {"nodes": nodes, "after": after, "total": total}


BINDABLES = [query, mutation, data_row_type]
