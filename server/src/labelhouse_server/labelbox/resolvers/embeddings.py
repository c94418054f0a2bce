"""§2.13 custom embeddings over ``catalog/embeddings.py`` (the vector routes are ``labelbox/adv.py``)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import embeddings as service
from ...errors import NotFound
from ..context import ctx
from ..errors import Unauthorized

query = QueryType()
mutation = ObjectType("Mutation")


@query.field("embeddings")
def resolve_embeddings(_: Any, info: Any) -> list[dict[str, Any]]:
    c = ctx(info)
    return [service.embedding_public(e) for e in service.list_embeddings(c.session, c.scope)]


@mutation.field("createEmbedding")
def resolve_create_embedding(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    c.require_write()
    return service.embedding_public(service.create_embedding(c.session, c.scope, data.get("name"), data.get("dims")))


@mutation.field("deleteEmbedding")
def resolve_delete_embedding(_: Any, info: Any, data: dict[str, Any]) -> bool:
    c = ctx(info)
    try:
        service.delete_embedding(c.session, c.scope, data.get("id"), c.store, c.embedding_indexes)
    except NotFound:
        raise Unauthorized() from None
    return True


BINDABLES = [query, mutation]
