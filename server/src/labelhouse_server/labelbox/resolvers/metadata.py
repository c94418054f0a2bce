"""§2.5 data-row metadata: schemas (reserved + the organization's custom ones) and bulk value operations.
Bulk operations answer only their failures (an empty list is success)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import datarows
from ...catalog import metadata as service
from ...db.transaction import write_transaction
from ...errors import Invalid
from .. import ids
from ..context import Context, ctx
from ..errors import Unauthorized

query = QueryType()
mutation = ObjectType("Mutation")


def schema_public(schema: service.Schema) -> dict[str, Any]:
    return {"id": schema.id, "name": schema.name, "kind": schema.kind, "reserved": schema.reserved,
            "options": [{"id": o.id, "name": o.name, "kind": service.OPTION, "reserved": o.reserved}
                        for o in schema.options]}


@query.field("customMetadataOntology")
def resolve_ontology(_: Any, info: Any) -> list[dict[str, Any]]:
    c = ctx(info)
    return [schema_public(s) for s in service.ontology(c.session, c.scope).schemas]


@mutation.field("upsertCustomMetadataSchema")
def resolve_upsert_schema(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    c.require_write()
    return schema_public(service.upsert_schema(c.session, c.scope, data))


@mutation.field("deleteCustomMetadataSchema")
def resolve_delete_schema(_: Any, info: Any, schema: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    c.require_write()
    return {"success": service.delete_schema(c.session, c.scope, schema.get("id"))}


def _targets(c: Context, identifiers: list[tuple[Any, str]]) -> dict[int, datarows.RowView]:
    """Rows named by (id or global key, ``ID``/``GKEY``), keyed by position."""
    keys = [value for value, kind in identifiers if kind == "GKEY" and isinstance(value, str)]
    by_key = datarows.ids_for_global_keys(c.session, c.scope, keys)
    pks = [by_key.get(value) if kind == "GKEY" else ids.decode("data_row", value) for value, kind in identifiers]
    views = datarows.load_rows(c.session, c.scope, [pk for pk in pks if pk is not None])
    return {i: views[pk] for i, pk in enumerate(pks) if pk is not None and pk in views}


def _wire_values(onto: service.Ontology, stored: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"schemaId": f["schemaId"], "value": f["value"]} for f in service.wire_fields(onto, stored)[0]]


@query.field("dataRowCustomMetadata")
def resolve_export(_: Any, info: Any, where: dict[str, Any]) -> list[dict[str, Any]]:
    c = ctx(info)
    ident = where.get("dataRowIdentifiers") or {}
    kind = ident.get("idType", "ID")
    wanted = ident.get("ids") or []
    targets = _targets(c, [(value, kind) for value in wanted])
    onto = service.ontology(c.session, c.scope)
    values = service.values_of(c.session, [v.sample_id for v in targets.values()])
    return [{"dataRowId": ids.encode("data_row", view.sample_id), "globalKey": view.global_key,
             "fields": _wire_values(onto, values.get(view.sample_id, {}))}
            for _, view in sorted(targets.items())]


@mutation.field("upsertDataRowCustomMetadata")
def resolve_bulk_upsert(_: Any, info: Any, data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    c = ctx(info)
    if not c.scope.can_write():
        raise Unauthorized()
    onto = service.ontology(c.session, c.scope)
    idents = [(d.get("dataRowId"), "ID") if d.get("dataRowId") else (d.get("globalKey"), "GKEY") for d in data]
    checked: list[dict[str, Any] | str] = []  # per item: the values to store, or why they are invalid
    for item in data:
        try:
            checked.append(service.resolve_fields(onto, item.get("fields")))
        except Invalid as exc:
            checked.append(exc.detail)
    failures = []
    with write_transaction(c.session):  # the rows are looked up in it: a row deleted meanwhile is not found
        targets = _targets(c, idents)
        for i, item in enumerate(data):
            view, values = targets.get(i), checked[i]
            if view is not None and not isinstance(values, str):
                service.set_values(c.session, view.sample_id, values)
                continue
            failures.append({"dataRowId": item.get("dataRowId"), "globalKey": item.get("globalKey"),
                             "error": "Data row not found." if view is None else values,
                             "fields": item.get("fields") or []})
    return failures


@mutation.field("deleteDataRowCustomMetadata")
def resolve_bulk_delete(_: Any, info: Any, dataRowIdentifiers: list[dict[str, Any]] | None = None
                        ) -> list[dict[str, Any]]:
    c = ctx(info)
    if not c.scope.can_write():
        raise Unauthorized()
    items = dataRowIdentifiers or []
    onto = service.ontology(c.session, c.scope)
    idents = [((d.get("dataRowIdentifier") or {}).get("id"), (d.get("dataRowIdentifier") or {}).get("idType", "ID"))
              for d in items]
    failures = []
    with write_transaction(c.session):
        targets = _targets(c, idents)
        for i, item in enumerate(items):
            view = targets.get(i)
            if view is None:
                failures.append({"dataRowId": idents[i][0], "globalKey": None, "error": "Data row not found.",
                                 "fields": [{"schemaId": s, "value": None} for s in item.get("schemaIds") or []]})
                continue
            service.delete_values(c.session, onto, view.sample_id, item.get("schemaIds") or [])
    return failures


BINDABLES = [query, mutation]
