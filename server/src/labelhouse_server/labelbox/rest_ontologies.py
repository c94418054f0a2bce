"""§2.6 REST routes for ontologies and feature schemas under ``rest_endpoint`` (``/api/v1``), over
``ontologies/service.py``. The SDK checks each exact success code (200, 201 or 204) and otherwise raises
``LabelboxError`` with the body's ``message`` (``MessageErrorRoute``). Ids in paths are public ids; a malformed
one is an absent object (404)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from ..auth.bearer import BearerUser
from ..catalog.orgs import scope_for
from ..deps import DB
from ..ontologies import service
from ..routing import Routes
from . import ids
from .rest import PREFIX, MessageErrorRoute

router = Routes(prefix=PREFIX, tags=["labelbox"], route_class=MessageErrorRoute)

NEW_FEATURE = "new_feature_schema_id"


class NormalizedBody(BaseModel):
    normalized: Any


class TitleBody(BaseModel):
    title: Any = None


class PositionBody(BaseModel):
    position: Any = None


class AfterBody(BaseModel):
    after: str | None = None


def _after(kind: str, body: AfterBody | None) -> int | None:
    after = body.after if body is not None else None
    return ids.decode(kind, after) if after else None


# "unused" routes first: they would otherwise match /{id}.
@router.get("/feature-schemas/unused", summary="Ids of feature schemas no ontology uses (100 per page)")
def unused_feature_schemas(user: BearerUser, session: DB, body: AfterBody | None = None) -> list[str]:
    scope = scope_for(session, user)
    found = service.unused_feature_schemas(session, scope, _after("feature_schema", body))
    return [service.feature_ids(fs.id)[0] for fs in found]


@router.get("/ontologies/unused", summary="Ids of ontologies no project uses (100 per page)")
def unused_ontologies(user: BearerUser, session: DB, body: AfterBody | None = None) -> list[str]:
    scope = scope_for(session, user)
    return [ids.encode("ontology", o.id) for o in service.unused_ontologies(session, scope, _after("ontology", body))]


@router.put("/feature-schemas/{feature_schema_id}", summary="Create (new_feature_schema_id) or update a feature")
def upsert_feature_schema(feature_schema_id: str, body: NormalizedBody, user: BearerUser,
                          session: DB) -> dict[str, str]:
    scope = scope_for(session, user)
    create = feature_schema_id == NEW_FEATURE
    pk = None if create else ids.decode("feature_schema", feature_schema_id)
    fs = service.upsert_feature_schema(session, scope, pk, body.normalized, create=create)
    return {"schemaId": service.feature_ids(fs.id)[0]}


@router.patch("/feature-schemas/{feature_schema_id}/definition", summary="Rename a feature schema")
def rename_feature_schema(feature_schema_id: str, body: TitleBody, user: BearerUser, session: DB) -> dict[str, Any]:
    scope = scope_for(session, user)
    fs = service.rename_feature_schema(session, scope, ids.decode("feature_schema", feature_schema_id), body.title)
    return service.feature_public(fs)


@router.delete("/feature-schemas/{feature_schema_id}", status_code=204,
               summary="Delete a feature schema that no ontology uses")
def delete_feature_schema(feature_schema_id: str, user: BearerUser, session: DB) -> Response:
    scope = scope_for(session, user)
    service.delete_unused_feature_schema(session, scope, ids.decode("feature_schema", feature_schema_id))
    return Response(status_code=204)


@router.get("/ontologies/{ontology_id}", summary="An ontology's features with their archived flags")
def get_ontology(ontology_id: str, user: BearerUser, session: DB) -> dict[str, Any]:
    scope = scope_for(session, user)
    return service.feature_schema_nodes(session, scope, ids.decode("ontology", ontology_id))


@router.delete("/ontologies/{ontology_id}", status_code=204, summary="Delete an ontology that no project uses")
def delete_ontology(ontology_id: str, user: BearerUser, session: DB) -> Response:
    scope = scope_for(session, user)
    service.delete_unused_ontology(session, scope, ids.decode("ontology", ontology_id))
    return Response(status_code=204)


@router.post("/ontologies/{ontology_id}/feature-schemas/{feature_schema_id}", status_code=201,
             summary="Insert (or move) a feature schema into an ontology at a position")
def insert_feature(ontology_id: str, feature_schema_id: str, user: BearerUser, session: DB,
                   body: PositionBody | None = None) -> dict[str, Any]:
    scope = scope_for(session, user)
    service.insert_feature(session, scope, ids.decode("ontology", ontology_id),
                           ids.decode("feature_schema", feature_schema_id), body.position if body else None)
    return {"ontologyId": ontology_id, "featureSchemaId": feature_schema_id}


@router.delete("/ontologies/{ontology_id}/feature-schemas/{feature_schema_id}",
               summary="Remove a feature from an ontology (archived instead when labels may use it)")
def remove_feature(ontology_id: str, feature_schema_id: str, user: BearerUser, session: DB) -> dict[str, bool]:
    scope = scope_for(session, user)
    archived, deleted = service.remove_feature(session, scope, ids.decode("ontology", ontology_id),
                                               ids.decode("feature_schema", feature_schema_id))
    return {"archived": archived, "deleted": deleted}


@router.patch("/ontologies/{ontology_id}/feature-schemas/{feature_schema_id}/unarchive",
              summary="Unarchive a feature of an ontology")
def unarchive_feature(ontology_id: str, feature_schema_id: str, user: BearerUser, session: DB) -> dict[str, bool]:
    scope = scope_for(session, user)
    return {"unarchived": service.unarchive_feature(session, scope, ids.decode("ontology", ontology_id),
                                                    ids.decode("feature_schema", feature_schema_id))}
