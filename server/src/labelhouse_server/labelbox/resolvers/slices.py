"""§2.14 catalog slices over ``catalog/slices.py``: list, get by id (unknown -> RESOURCE_NOT_FOUND, the only answer
both SDK callers survive), the data rows of a slice by cursor, and our create/delete extension."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import slices as service
from ...errors import NotFound
from ...models import service as models
from .. import ids
from ..context import ctx
from ..errors import InvalidInput, ResourceNotFound, Unauthorized

MAX_PAGE = 1000

query = QueryType()
mutation = ObjectType("Mutation")


@query.field("catalogSavedQueries")
def resolve_slices(_: Any, info: Any) -> list[dict[str, Any]]:
    c = ctx(info)
    return [service.slice_public(s) for s in service.list_slices(c.session, c.scope)]


@query.field("getSavedQuery")
def resolve_slice(_: Any, info: Any, id: str) -> dict[str, Any]:
    c = ctx(info)
    item = service.get_slice(c.session, c.scope, id)
    if item is None:
        raise ResourceNotFound(f"Slice {id!r} not found.")
    return service.slice_public(item)


def _page(info: Any, input: dict[str, Any], after_id: Any, model_run: bool) -> dict[str, Any]:
    c = ctx(info)
    item = service.get_slice(c.session, c.scope, input.get("savedQueryId"))
    if item is None:
        raise ResourceNotFound(f"Slice {input.get('savedQueryId')!r} not found.")
    first = input.get("first")
    if type(first) is not int or not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first: from 1 to {MAX_PAGE}.")
    after = None
    if after_id:
        after = ids.decode("data_row", after_id)
        if after is None:
            raise InvalidInput(f"Unknown cursor: {after_id!r}.")
    run_pk = None
    if model_run:
        run = models.get_run(c.session, c.scope, ids.decode("model_run", input.get("modelRunId")))
        if run is None:  # absent or another organization's run: it has no rows (reads never fail on absence)
            return {"totalCount": 0, "nodes": [], "pageInfo": {"endCursor": None, "hasNextPage": False}}
        run_pk = run.id
    rows, total, more = service.data_rows(c.session, c.scope, c.embedding_indexes, item, after, first, run_pk)
    cursor: Any = None
    if more and rows:
        last_id, last_key = rows[-1]
        cursor = ids.encode("data_row", last_id)
        if model_run:
            cursor = {"dataRowId": cursor, "globalKey": last_key}
    return {"totalCount": total,
            "nodes": [{"id": ids.encode("data_row", sid), "globalKey": key} for sid, key in rows],
            "pageInfo": {"endCursor": cursor, "hasNextPage": more}}


@query.field("getDataRowIdentifiersBySavedQuery")
def resolve_slice_rows(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    return _page(info, input, input.get("after"), model_run=False)


@query.field("getDataRowIdentifiersBySavedModelQuery")
def resolve_model_slice_rows(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    return _page(info, input, (input.get("after") or {}).get("dataRowId"), model_run=True)


@mutation.field("createCatalogSavedQuery")
def resolve_create_slice(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    return service.slice_public(service.create_slice(c.session, c.scope, data.get("name"), data.get("description"),
                                                     data.get("filter")))


@mutation.field("deleteCatalogSavedQuery")
def resolve_delete_slice(_: Any, info: Any, id: str) -> bool:
    c = ctx(info)
    try:
        service.delete_slice(c.session, c.scope, id)
    except NotFound:
        raise Unauthorized() from None
    return True


BINDABLES = [query, mutation]
