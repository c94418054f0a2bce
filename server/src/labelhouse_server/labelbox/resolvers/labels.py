"""§2.9 labels and annotation imports over ``labelimports/``: LabelImport / MALPredictionImport (create from an
upload or one of our URLs, read by project and name, list, delete), ``project.labels``, ``label``, ``deleteLabels``,
``upsertAutoQaLabelFeedback``."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...db import Account, Project
from ...errors import NotFound
from ...labelimports import labels as service
from ...labelimports import service as imports
from ...models import predictions
from ...projects import service as projects
from .. import ids
from ..context import Context, ctx
from ..errors import InvalidInput, ResourceNotFound, Unauthorized
from .datarows import find_row, rows_public
from .projects import find, project_public
from .users import user_public

query = QueryType()
mutation = ObjectType("Mutation")
project_type = ObjectType("Project")
label_type = ObjectType("Label")
label_import_type = ObjectType("LabelImport")
mal_import_type = ObjectType("ModelAssistedLabelingPredictionImport")
mea_mal_import_type = ObjectType("MEAToMALPredictionImport")

KIND_OF_ROOT = {"labelImport": "label", "labelImports": "label", "modelAssistedLabelingPredictionImport": "mal",
                "modelAssistedLabelingPredictionImports": "mal"}


# ---------------------------------------------------------------------------------------------------- imports
def _read_upload(file: Any) -> bytes:
    stream = getattr(file, "file", None)
    if stream is None:
        raise InvalidInput("'filePayload.file' must be a file part of a multipart request.")
    return stream.read()  # already bounded by the endpoint (settings.max_upload_bytes)


def _create(info: Any, data: dict[str, Any], kind: str) -> dict[str, Any]:
    c = ctx(info)
    project = find(c, data.get("projectId"))
    if project is None:
        raise Unauthorized()
    payload = data.get("filePayload")
    content = _read_upload(payload.get("file")) if payload else None
    imp = imports.create_import(c.session, c.scope, project.id, kind, data.get("name"), content=content,
                                url=data.get("fileUrl"), store=c.store, settings=c.settings, runner=c.job_runner)
    return imports.import_public(c.store, imp)


@mutation.field("createLabelImport")
def resolve_create_label_import(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    return _create(info, data, "label")


@mutation.field("createModelAssistedLabelingPredictionImport")
def resolve_create_mal_import(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    return _create(info, data, "mal")


def _one(info: Any, where: dict[str, Any], kind: str) -> dict[str, Any]:
    """An absent import is RESOURCE_NOT_FOUND, not null: ``from_name`` builds the object from a null answer and
    crashes (TypeError); RESOURCE_NOT_FOUND makes it raise ResourceNotFoundError (contract §4)."""
    c = ctx(info)
    project = find(c, where.get("projectId"))
    imp = None if project is None else imports.get_import(c.session, c.scope, project.id, kind, where.get("name"))
    if imp is None:
        raise ResourceNotFound(f"No {'label' if kind == 'label' else 'MAL prediction'} import named "
                               f"{where.get('name')!r} in this project.")
    return imports.import_public(c.store, imp)


def _many(info: Any, where: dict[str, Any], kind: str, skip: int | None, first: int | None) -> list[dict[str, Any]]:
    c = ctx(info)
    project = find(c, where.get("projectId"))
    if project is None:
        return []
    found = imports.list_imports(c.session, c.scope, project.id, kind, skip or 0, first)
    return [imports.import_public(c.store, imp) for imp in found if where.get("name") in (None, imp.name)]


@query.field("labelImport")
def resolve_label_import(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    return _one(info, where, "label")


@query.field("modelAssistedLabelingPredictionImport")
def resolve_mal_import(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    return _one(info, where, "mal")


@query.field("labelImports")
def resolve_label_imports(_: Any, info: Any, where: dict[str, Any], skip: int | None = None,
                          first: int | None = None) -> list[dict[str, Any]]:
    return _many(info, where, "label", skip, first)


@query.field("modelAssistedLabelingPredictionImports")
def resolve_mal_imports(_: Any, info: Any, where: dict[str, Any], skip: int | None = None,
                        first: int | None = None) -> list[dict[str, Any]]:
    return _many(info, where, "mal", skip, first)


@mutation.field("deleteModelAssistedLabelingPredictionImport")
def resolve_delete_mal_import(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    imp = imports.delete_import(c.session, c.scope, ids.decode("annotation_import", where.get("id")), "mal")
    return imports.import_public(c.store, imp)


def _import_project(parent: dict[str, Any], info: Any) -> dict[str, Any] | None:
    c = ctx(info)
    project = c.session.get(Project, parent["_project_pk"])
    return None if project is None or project.deleted else project_public(c, project)


label_import_type.set_field("project", _import_project)
mal_import_type.set_field("project", _import_project)
mea_mal_import_type.set_field("project", _import_project)


@mutation.field("createMalPredictionImportForModelRunDataRows")
def resolve_create_mea_to_mal_import(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The run's stored predictions of ``dataRowIds`` become a MAL import (kind ``meamal``) of the project: the
    same checks and outcome files as any MAL import."""
    c = ctx(info)
    project = find(c, data.get("projectId"))
    if project is None:
        raise Unauthorized()
    try:
        lines = predictions.annotation_lines(c.session, c.scope, ids.decode("model_run", data.get("modelRunId")),
                                             ids.decode_many("data_row", list(data.get("dataRowIds") or [])))
    except NotFound:
        raise Unauthorized() from None
    if not lines:
        raise InvalidInput("The model run has no predictions (annotations) for these data rows.")
    imp = imports.create_import(c.session, c.scope, project.id, "meamal", data.get("name"),
                                content=b"\n".join(lines), url=None, store=c.store, settings=c.settings,
                                runner=c.job_runner)
    return imports.import_public(c.store, imp)


@query.field("meaToMalPredictionImport")
def resolve_mea_to_mal_import(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any]:
    return _one(info, where, "meamal")


# ----------------------------------------------------------------------------------------------------- labels
def _view(c: Context, project: Project) -> service.LabelView:
    key = f"label-view:{project.id}"
    if key not in c.cache:
        c.cache[key] = service.LabelView(c.session, c.scope, project)
    view: service.LabelView = c.cache[key]
    return view


@project_type.field("labels")
def resolve_project_labels(parent: dict[str, Any], info: Any, where: dict[str, Any] | None = None,
                           skip: int | None = None, first: int | None = None,
                           orderBy: str | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    project = c.session.get(Project, parent["_pk"])
    assert project is not None
    where = where or {}
    created_by = None
    if where.get("createdBy") is not None:
        created_by = ids.decode("user", where["createdBy"].get("id"))
        if created_by is None:
            return []
    dataset_ids = None
    dataset_where = (where.get("dataRow") or {}).get("dataset")
    if dataset_where is not None:
        dataset_ids = ids.decode_many("dataset", list(dataset_where.get("id_in") or []))
    if where.get("deleted"):
        return []
    labels = service.list_labels(c.session, c.scope, project.id, created_by=created_by, dataset_ids=dataset_ids,
                                 order=orderBy, skip=skip or 0, first=first)
    view = _view(c, project)
    return [view.public(label) for label in labels]


@query.field("label")
def resolve_label(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    c = ctx(info)
    found = service.get_label(c.session, c.scope, where.get("id"))
    if found is None:
        return None
    label, project = found
    return _view(c, project).public(label)


@label_type.field("dataRow")
def resolve_label_data_row(parent: dict[str, Any], info: Any) -> dict[str, Any] | None:
    c = ctx(info)
    view = find_row(c, ids.encode("data_row", parent["_sample_id"]))
    return None if view is None else rows_public(c, [view])[0]


@label_type.field("project")
def resolve_label_project(parent: dict[str, Any], info: Any) -> dict[str, Any] | None:
    c = ctx(info)
    try:
        return project_public(c, projects.get_project(c.session, c.scope, parent["_project_pk"]))
    except NotFound:
        return None


@label_type.field("createdBy")
def resolve_label_created_by(parent: dict[str, Any], info: Any) -> dict[str, Any] | None:
    c = ctx(info)
    account = c.session.get(Account, parent["_created_by"]) if parent.get("_created_by") is not None else None
    return None if account is None else user_public(account)


@mutation.field("deleteLabels")
def resolve_delete_labels(_: Any, info: Any, labelIds: list[str]) -> list[dict[str, Any]]:
    c = ctx(info)
    return [{"id": label_id, "deleted": True} for label_id in service.delete_labels(c.session, c.scope, labelIds)]


@mutation.field("upsertAutoQaLabelFeedback")
def resolve_upsert_feedback(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    return service.upsert_feedback(c.session, c.scope, input.get("labelId"), input.get("feedback"),
                                   input.get("scores"))


BINDABLES = [query, mutation, project_type, label_type, label_import_type, mal_import_type, mea_mal_import_type]
