"""§2.7 projects over ``projects/service.py``: create, read, list (``where``), update, delete, the ``Editor``
frontend, ontology, members, task queues."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog.orgs import org_members
from ...db import Project
from ...errors import NotFound
from ...ontologies import service as ontologies
from ...projects import service
from .. import ids
from ..context import Context, ctx
from ..errors import InvalidInput, Unauthorized
from ..where import Column, compile_where, order_by, where_sdl
from .users import role_public, user_public

PROJECT_FIELDS = {"id": "ID", "name": "String", "description": "String", "createdAt": "DateTime",
                  "updatedAt": "DateTime", "lastActivityTime": "DateTime"}
FRONTEND_FIELDS = {"id": "ID", "name": "String", "description": "String", "iframeUrlPath": "String"}
EXTRA_SDL = where_sdl("Project", PROJECT_FIELDS) + where_sdl("LabelingFrontend", FRONTEND_FIELDS)
COLUMNS = {
    "id": Column(Project.id, lambda v: ids.decode("project", v)),
    "name": Column(Project.name),
    "description": Column(Project.description),
    "createdAt": Column(Project.created_at),
    "updatedAt": Column(Project.updated_at),
    "lastActivityTime": Column(Project.last_activity_time),
}
# Project.update(**fields) names -> the service's (GraphQL names, as the SDK sends them)
UPDATABLE = ("name", "description", "allowedMediaType", "autoAuditPercentage", "autoAuditNumberOfLabels",
             "isBenchmarkEnabled", "isConsensusEnabled", "uploadType", "modelSetupComplete")

query = QueryType()
mutation = ObjectType("Mutation")
project_type = ObjectType("Project")
project_mutations = ObjectType("ProjectMutations")
ontology_type = ObjectType("Ontology")


def project_public(c: Context, project: Project) -> dict[str, Any]:
    return {**service.project_public(c.session, project), "_pk": project.id}


def find(c: Context, public_id: Any) -> Project | None:
    """A live project of the caller's organization, or None (absent, deleted, foreign or malformed id)."""
    try:
        return service.get_project(c.session, c.scope, ids.decode("project", public_id))
    except NotFound:
        return None


def writable(c: Context, public_id: Any) -> Project:
    """The project a mutation changes: absent, foreign or read-only for the caller -> AUTHORIZATION_ERROR."""
    project = find(c, public_id)
    if project is None or not c.scope.can_write():
        raise Unauthorized()
    return project


def _project(c: Context, parent: dict[str, Any]) -> Project:
    project = c.session.get(Project, parent["_pk"])
    assert project is not None
    return project


@query.field("project")
def resolve_project(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    c = ctx(info)
    project = find(c, where.get("id"))
    return None if project is None else project_public(c, project)


@query.field("projects")
def resolve_projects(_: Any, info: Any, where: dict[str, Any] | None = None, skip: int | None = None,
                     first: int | None = None, orderBy: str | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    found = service.list_projects(c.session, c.scope, compile_where(where, COLUMNS), order_by(orderBy, COLUMNS),
                                  skip or 0, first)
    return [{**p, "_pk": project.id} for p, project in zip(service.projects_public(c.session, found), found)]


@query.field("labelingFrontends")
def resolve_labeling_frontends(_: Any, info: Any, where: dict[str, Any] | None = None, skip: int | None = None,
                               first: int | None = None, orderBy: str | None = None) -> list[dict[str, Any]]:
    frontends = [f for f in service.labeling_frontends() if _matches(f, where or {})]
    start = skip or 0
    return frontends[start:start + first] if first is not None else frontends[start:]


def _matches(item: dict[str, Any], where: dict[str, Any]) -> bool:
    """The ``where`` language over the fixed list of frontends (equality, ``_in``, ``_not``, AND/OR/NOT)."""
    for key, value in where.items():
        if key == "AND":
            ok = all(_matches(item, w) for w in value or [])
        elif key == "OR":
            ok = any(_matches(item, w) for w in value or [])
        elif key == "NOT":
            ok = not all(_matches(item, w) for w in value or [])
        elif key == "deleted":
            ok = not value
        elif key.endswith("_in") and key[:-3] in FRONTEND_FIELDS:
            ok = item.get(key[:-3]) in (value or [])
        elif key.endswith("_not") and key[:-4] in FRONTEND_FIELDS:
            ok = item.get(key[:-4]) != value
        elif key in FRONTEND_FIELDS:
            ok = item.get(key) == value
        else:
            raise InvalidInput(f"Filtering labeling frontends on '{key}' is not supported.")
        if not ok:
            return False
    return True


@project_type.field("labelCount")
def resolve_label_count(parent: dict[str, Any], info: Any) -> int:
    c = ctx(info)
    return service.label_count(c.session, _project(c, parent))


@project_type.field("labelingFrontend")
def resolve_labeling_frontend(parent: dict[str, Any], info: Any) -> dict[str, Any] | None:
    c = ctx(info)
    return service.project_frontend(_project(c, parent))


@project_type.field("labelingFrontendOptions")
def resolve_frontend_options(parent: dict[str, Any], info: Any, skip: int | None = None,
                             first: int | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    options = service.frontend_options(_project(c, parent))
    return options[skip or 0:][:first] if first is not None else options[skip or 0:]


@ontology_type.field("projects")
def resolve_ontology_projects(parent: dict[str, Any], info: Any, where: dict[str, Any] | None = None,
                              skip: int | None = None, first: int | None = None,
                              orderBy: str | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    condition = compile_where(where, COLUMNS) & (Project.ontology_id == ids.decode("ontology", parent["id"]))
    found = service.list_projects(c.session, c.scope, condition, order_by(orderBy, COLUMNS), skip or 0, first)
    return [{**p, "_pk": project.id} for p, project in zip(service.projects_public(c.session, found), found)]


@project_type.field("ontology")
def resolve_project_ontology(parent: dict[str, Any], info: Any) -> dict[str, Any] | None:
    c = ctx(info)
    project = _project(c, parent)
    if project.ontology_id is None:
        return None
    return ontologies.ontology_public(c.session, ontologies.get_ontology(c.session, c.scope, project.ontology_id))


@project_type.field("taskQueues")
def resolve_task_queues(parent: dict[str, Any], info: Any) -> list[dict[str, Any]]:
    c = ctx(info)
    return service.task_queues(c.session, _project(c, parent))


@project_type.field("members")
def resolve_members(parent: dict[str, Any], info: Any, skip: int | None = None,
                    first: int | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    members = service.members(c.session, c.scope, _project(c, parent))
    start = skip or 0
    members = members[start:start + first] if first is not None else members[start:]
    return [{"id": m.id, "user": user_public(m.user, m.role), "role": role_public(m.role),
             "accessFrom": m.access_from} for m in members]


@project_type.field("createdBy")
def resolve_created_by(parent: dict[str, Any], info: Any) -> dict[str, Any] | None:
    c = ctx(info)
    creator = _project(c, parent).created_by_id
    return next((user_public(u, r) for u, r in org_members(c.session, c.scope) if u.id == creator), None)


@project_type.field("organization")
def resolve_organization(_: dict[str, Any], info: Any) -> dict[str, Any]:
    from .users import organization_public

    return organization_public(ctx(info).scope)


@mutation.field("createProject")
def resolve_create_project(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    if data.get("datasetNameOrId") is not None or data.get("dataRowCount") is not None:
        raise InvalidInput("Generated chat data rows (live model-evaluation projects with a dataset) are not "
                           "supported; create the project without a dataset and add batches.")
    project = service.create_project(
        c.session, c.scope, data.get("name"), description=data.get("description"),
        media_type=data.get("allowedMediaType"), auto_audit_percentage=data.get("autoAuditPercentage"),
        auto_audit_number_of_labels=data.get("autoAuditNumberOfLabels"),
        is_benchmark_enabled=data.get("isBenchmarkEnabled"), is_consensus_enabled=data.get("isConsensusEnabled"),
        editor_task_type=data.get("editorTaskType"))
    return project_public(c, project)


@mutation.field("updateProject")
def resolve_update_project(_: Any, info: Any, where: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    project = writable(c, where.get("id"))
    public = project_public(c, project)
    if data.get("deleted"):
        service.delete_project(c.session, c.scope, project.id)
        return public
    frontend = data.get("labelingFrontend")
    if frontend is not None:
        service.connect_frontend(c.session, c.scope, project.id, frontend["connect"].get("id"))
    fields = {k: v for k, v in data.items() if k in UPDATABLE}
    if fields:
        service.update_project(c.session, c.scope, project.id, fields)
    return project_public(c, project)


@mutation.field("createLabelingFrontendOptions")
def resolve_create_frontend_options(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    project = writable(c, data["project"]["connect"].get("id"))
    return service.create_frontend_options(c.session, c.scope, project.id, data["labelingFrontend"]["connect"].get("id"),
                                           data.get("customizationOptions"))


@mutation.field("project")
def resolve_project_mutations(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    return project_public(c, writable(c, where.get("id")))


@project_mutations.field("connectOntology")
def resolve_connect_ontology(parent: dict[str, Any], info: Any, ontologyId: str) -> dict[str, Any]:
    c = ctx(info)
    ontology_pk = ids.decode("ontology", ontologyId)
    if ontology_pk is None:
        raise Unauthorized()
    project = service.connect_ontology(c.session, c.scope, parent["_pk"], ontology_pk)
    return project_public(c, project)


BINDABLES = [query, mutation, project_type, project_mutations, ontology_type]
