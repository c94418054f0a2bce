"""§2.6 ontologies and feature schemas over ``ontologies/service.py`` (REST half: ``labelbox/rest_ontologies.py``)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...errors import NotFound
from ...ontologies import service
from .. import ids
from ..context import ctx
from ..errors import InvalidInput, ResourceNotFound

query = QueryType()
mutation = ObjectType("Mutation")


def cursor(kind: str, after: str | None) -> int | None:
    """The key behind a page cursor (the public id of the previous page's last object)."""
    if after is None or after == "":
        return None
    pk = ids.decode(kind, after)
    if pk is None:
        raise InvalidInput(f"Unknown cursor: {after!r}.")
    return pk


def _search(where: dict[str, Any] | None) -> str | None:
    return (where or {}).get("search") or None


@query.field("ontology")
def resolve_ontology(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    c = ctx(info)
    try:
        ontology = service.get_ontology(c.session, c.scope, ids.decode("ontology", where.get("id")))
    except NotFound:
        return None
    return service.ontology_public(c.session, ontology)


@query.field("ontologies")
def resolve_ontologies(_: Any, info: Any, where: dict[str, Any] | None = None, after: str | None = None,
                       first: int | None = None) -> dict[str, Any]:
    c = ctx(info)
    found, last = service.list_ontologies(c.session, c.scope, _search(where), cursor("ontology", after), first)
    return {"nodes": service.ontologies_public(c.session, found),
            "nextCursor": ids.encode("ontology", last) if last is not None else None}


@query.field("rootSchemaNode")
def resolve_root_schema_node(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    try:
        fs = service.get_feature_schema(c.session, c.scope, ids.decode("feature_schema", where.get("featureSchemaId")))
    except NotFound:
        raise ResourceNotFound(f"Feature schema {where.get('featureSchemaId')!r} not found.") from None
    return service.feature_public(fs)


@query.field("rootSchemaNodes")
def resolve_root_schema_nodes(_: Any, info: Any, where: dict[str, Any] | None = None, after: str | None = None,
                              first: int | None = None) -> dict[str, Any]:
    c = ctx(info)
    found, last = service.list_feature_schemas(c.session, c.scope, _search(where), cursor("feature_schema", after),
                                               first)
    return {"nodes": [service.feature_public(fs) for fs in found],
            "nextCursor": ids.encode("feature_schema", last) if last is not None else None}


@mutation.field("upsertOntology")
def resolve_upsert_ontology(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    ontology = service.create_ontology(c.session, c.scope, data.get("name"), data.get("normalized"),
                                       data.get("mediaType"), data.get("editorTaskType"), data.get("description"))
    return service.ontology_public(c.session, ontology)


@mutation.field("upsertRootSchemaNode")
def resolve_upsert_root_schema_node(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    return service.feature_public(service.create_feature_schema(c.session, c.scope, data.get("normalized")))


BINDABLES = [query, mutation]
