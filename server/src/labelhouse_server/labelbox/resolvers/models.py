"""§2.12 models, model runs and model configs over ``models/service.py``.

Reads of absent or foreign objects answer ``null``; writes on them AUTHORIZATION_ERROR (the service's
``NotFound``/``Forbidden``, translated by ``labelbox/errors.py``) — except model configs, whose SDK methods
expect RESOURCE_NOT_FOUND (``execute()`` then returns None and the SDK raises ResourceNotFoundError).
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import datarows
from ...db import Model, ModelConfig, ModelRun
from ...db import ProjectModelConfig as ProjectConfig
from ...errors import Forbidden, NotFound
from ...models import predictions, service
from .. import ids
from ..context import ctx
from ..errors import InvalidInput, ResourceNotFound
from ..where import Column, compile_where, order_by, where_sdl
from .datarows import rows_public

MODEL_FIELDS = {"id": "ID", "name": "String", "ontologyId": "ID", "createdAt": "DateTime", "updatedAt": "DateTime"}
EXTRA_SDL = where_sdl("Model", MODEL_FIELDS)
COLUMNS = {
    "id": Column(Model.id, lambda v: ids.decode("model", v)),
    "name": Column(Model.name),
    "ontologyId": Column(Model.ontology_id, lambda v: ids.decode("ontology", v)),
    "createdAt": Column(Model.created_at),
    "updatedAt": Column(Model.updated_at),
}
MAX_PAGE = 1000

query = QueryType()
mutation = ObjectType("Mutation")
model_type = ObjectType("Model")
model_run_type = ObjectType("ModelRun")
project_type = ObjectType("Project")


def model_public(model: Model) -> dict[str, Any]:
    return {"id": ids.encode("model", model.id), "name": model.name,
            "ontologyId": ids.encode("ontology", model.ontology_id) if model.ontology_id is not None else None,
            "createdAt": model.created_at, "updatedAt": model.updated_at, "_model": model}


def run_public(run: ModelRun) -> dict[str, Any]:
    return {"id": ids.encode("model_run", run.id), "name": run.name, "modelId": ids.encode("model", run.model_id),
            "createdBy": ids.encode("user", run.created_by_id) if run.created_by_id is not None else None,
            "createdAt": run.created_at, "updatedAt": run.updated_at, "trainingMetadata": run.training_metadata,
            "modelAppId": None, "status": run.status, "errorMessage": run.error_message, "_run": run}


def config_public(config: ModelConfig) -> dict[str, Any]:
    return {"id": ids.encode("model_config", config.id), "name": config.name,
            "modelId": ids.encode("model", config.model_id), "inferenceParams": config.inference_params}


# ---------------------------------------------------------------------------------------------------- models
@query.field("model")
def resolve_model(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    c = ctx(info)
    model = service.get_model(c.session, c.scope, ids.decode("model", where.get("id")))
    return None if model is None else model_public(model)


@query.field("models")
def resolve_models(_: Any, info: Any, where: dict[str, Any] | None = None, skip: int | None = None,
                   first: int | None = None, orderBy: str | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    found = service.list_models(c.session, c.scope, compile_where(where, COLUMNS), order_by(orderBy, COLUMNS),
                                skip or 0, first)
    return [model_public(m) for m in found]


@model_type.field("modelRuns")
def resolve_model_runs(parent: dict[str, Any], info: Any, skip: int | None = None,
                       first: int | None = None) -> list[dict[str, Any]]:
    return [run_public(r) for r in service.runs_of(ctx(info).session, parent["_model"], skip or 0, first)]


@mutation.field("createModel")
def resolve_create_model(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    return model_public(service.create_model(c.session, c.scope, data.get("name"),
                                             ids.decode("ontology", data.get("ontologyId"))))


@mutation.field("deleteModels")
def resolve_delete_models(_: Any, info: Any, where: dict[str, Any]) -> None:
    c = ctx(info)
    service.delete_models(c.session, c.scope, [ids.decode("model", i) for i in where.get("ids") or []])


# ------------------------------------------------------------------------------------------------ model runs
@query.field("modelRun")
def resolve_model_run(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    c = ctx(info)
    run = service.get_run(c.session, c.scope, ids.decode("model_run", where.get("id")))
    return None if run is None else run_public(run)


@model_run_type.field("dataRowCount")
def resolve_run_row_count(parent: dict[str, Any], info: Any) -> int:
    return service.run_row_count(ctx(info).session, parent["_run"])


@mutation.field("createModelRun")
def resolve_create_model_run(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    run = service.create_run(c.session, c.scope, ids.decode("model", data.get("modelId")), data.get("name"),
                             data.get("trainingMetadata"))
    return run_public(run)


@mutation.field("deleteModelRuns")
def resolve_delete_model_runs(_: Any, info: Any, where: dict[str, Any]) -> None:
    c = ctx(info)
    service.delete_runs(c.session, c.scope, [ids.decode("model_run", i) for i in where.get("ids") or []])


@mutation.field("updateModelRunConfig")
def resolve_update_config(_: Any, info: Any, modelRun: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    config = data.get("config")
    if not isinstance(config, dict):
        raise InvalidInput("config: a JSON object is required.")
    return run_public(service.set_config(c.session, c.scope, ids.decode("model_run", modelRun.get("id")), config))


@mutation.field("resetModelRunConfig")
def resolve_reset_config(_: Any, info: Any, modelRun: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    return run_public(service.set_config(c.session, c.scope, ids.decode("model_run", modelRun.get("id")), None))


@mutation.field("updateTrainingPipeline")
def resolve_update_status(_: Any, info: Any, modelRun: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    run = service.set_status(c.session, c.scope, ids.decode("model_run", modelRun.get("id")), data.get("status"),
                             data.get("metadata"), data.get("errorMessage"))
    return {"status": run.status}


# -------------------------------------------------------------------------------------- model-run data rows
def _task_id(task_pk: int) -> str:
    return ids.encode("task", task_pk)


@mutation.field("createMEAModelRunDataRowRegistrationTask")
def resolve_register_rows(_: Any, info: Any, where: dict[str, Any], data: dict[str, Any]) -> str:
    c = ctx(info)
    public_ids = list(data.get("dataRowIds") or [])
    task = service.register_data_rows(c.session, c.scope, ids.decode("model_run", where.get("id")),
                                      [ids.decode("data_row", p) for p in public_ids], public_ids,
                                      list(data.get("globalKeys") or []))
    return _task_id(task)


@mutation.field("createMEAModelRunLabelRegistrationTask")
def resolve_register_labels(_: Any, info: Any, where: dict[str, Any], data: dict[str, Any]) -> str:
    c = ctx(info)
    public_ids = list(data.get("labelIds") or [])
    task = service.register_labels(c.session, c.scope, ids.decode("model_run", where.get("id")),
                                   [ids.decode("label", p) for p in public_ids], public_ids)
    return _task_id(task)


@mutation.field("createMEAModelRunProjectLabelRegistrationTask")
def resolve_register_project_labels(_: Any, info: Any, where: dict[str, Any]) -> str:
    c = ctx(info)
    task = service.register_project_labels(c.session, c.scope, ids.decode("model_run", where.get("modelRunId")),
                                           ids.decode("project", where.get("projectId")))
    return _task_id(task)


@mutation.field("createAssignDataRowsToDataSplitTask")
def resolve_assign_split(_: Any, info: Any, modelRun: dict[str, Any], data: dict[str, Any]) -> str:
    c = ctx(info)
    task = service.assign_split(c.session, c.scope, ids.decode("model_run", modelRun.get("id")),
                                data.get("assignments"), lambda p: ids.decode("data_row", p))
    return _task_id(task)


def _status(info: Any, where: dict[str, Any]) -> dict[str, Any] | None:
    c = ctx(info)
    return service.registration_status(c.session, c.scope, ids.decode("task", where.get("id")))


for _field in ("MEADataRowRegistrationTaskStatus", "MEALabelRegistrationTaskStatus",
               "assignDataRowsToDataSplitTaskStatus"):
    query.set_field(_field, lambda _, info, where: _status(info, where))


@query.field("annotationGroups")
def resolve_annotation_groups(_: Any, info: Any, where: dict[str, Any], after: str | None = None,
                              first: int | None = None) -> dict[str, Any]:
    c = ctx(info)
    run = service.get_run(c.session, c.scope, ids.decode("model_run", (where.get("modelRunId") or {}).get("id")))
    if run is None:
        return {"nodes": [], "pageInfo": {"endCursor": None}}
    start = None
    if after:
        start = ids.decode("model_run_data_row", after)
        if start is None:
            raise InvalidInput(f"Unknown cursor: {after!r}.")
    size = first if first is not None else 100
    if not 1 <= size <= MAX_PAGE:
        raise InvalidInput(f"first: from 1 to {MAX_PAGE}.")
    rows, more = service.run_rows(c.session, run, start, size)
    views = datarows.load_rows(c.session, c.scope, [r.sample_id for r in rows])
    data_rows = {p["_view"].sample_id: p for p in rows_public(c, list(views.values()))}
    run_id = ids.encode("model_run", run.id)
    nodes = [{"id": ids.encode("model_run_data_row", r.id), "modelRunId": run_id, "dataSplit": r.data_split,
              "labelId": ids.encode("label", r.label_id) if r.label_id is not None else None,
              "dataRow": data_rows[r.sample_id], "predictions": predictions.predictions_of(r)}
             for r in rows if r.sample_id in data_rows]
    return {"nodes": nodes, "pageInfo": {"endCursor": ids.encode("model_run_data_row", rows[-1].id)
                                         if more and rows else None}}


@mutation.field("deleteModelRunDataRows")
def resolve_delete_run_rows(_: Any, info: Any, where: dict[str, Any]) -> None:
    c = ctx(info)
    service.delete_run_rows(c.session, c.scope, ids.decode("model_run", where.get("modelRunId")),
                            ids.decode_many("data_row", list(where.get("dataRowIds") or [])))


# --------------------------------------------------------------------------------------------- predictions
@mutation.field("createModelErrorAnalysisPredictionImport")
def resolve_create_prediction_import(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    payload = data.get("filePayload")
    content = None
    if payload:
        stream = getattr(payload.get("file"), "file", None)
        if stream is None:
            raise InvalidInput("'filePayload.file' must be a file part of a multipart request.")
        content = stream.read()  # bounded by the endpoint (settings.max_upload_bytes)
    imp = predictions.create_import(c.session, c.scope, ids.decode("model_run", data.get("modelRunId")),
                                    data.get("name"), content=content, url=data.get("fileUrl"), store=c.store,
                                    settings=c.settings)
    return predictions.import_public(c.store, imp)


@query.field("modelErrorAnalysisPredictionImport")
def resolve_prediction_import(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any]:
    """Absent: RESOURCE_NOT_FOUND (``from_name`` would build an object from a null answer and crash)."""
    c = ctx(info)
    imp = predictions.get_import(c.session, c.scope, ids.decode("model_run", where.get("modelRunId")),
                                 where.get("name"))
    if imp is None:
        raise ResourceNotFound(f"No prediction import named {where.get('name')!r} in this model run.")
    return predictions.import_public(c.store, imp)


# --------------------------------------------------------------------------------------------- model configs
@mutation.field("createModelConfig")
def resolve_create_config(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    return config_public(service.create_config(c.session, c.scope, ids.decode("model", input.get("modelId")),
                                               input.get("name"), input.get("inferenceParams")))


def _not_found_for_sdk(work: Any, what: str) -> Any:
    """Model-config calls: an absent or foreign object is RESOURCE_NOT_FOUND (the SDK's ResourceNotFoundError);
    a reader's role stays AUTHORIZATION_ERROR."""
    try:
        return work()
    except NotFound:
        raise ResourceNotFound(f"{what} not found.") from None
    except Forbidden:
        raise


@mutation.field("deleteModelConfig")
def resolve_delete_config(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    _not_found_for_sdk(lambda: service.delete_config(c.session, c.scope, ids.decode("model_config", input.get("id"))),
                       "Model config")
    return {"success": True}


@mutation.field("createProjectModelConfig")
def resolve_attach_config(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    link = _not_found_for_sdk(lambda: service.attach_config(
        c.session, c.scope, ids.decode("project", input.get("projectId")),
        ids.decode("model_config", input.get("modelConfigId")), input.get("responseCount")), "Model config")
    return {"projectModelConfigId": ids.encode("project_model_config", link.id)}


@mutation.field("deleteProjectModelConfig")
def resolve_detach_config(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    _not_found_for_sdk(lambda: service.detach_config(c.session, c.scope,
                                                     ids.decode("project_model_config", input.get("id"))),
                       "Project model config")
    return {"success": True}


@project_type.field("projectModelConfigs")
def resolve_project_configs(parent: dict[str, Any], info: Any) -> list[dict[str, Any]]:
    c = ctx(info)
    return [_link_public(link, config) for link, config in service.project_configs(c.session, parent["_pk"])]


def _link_public(link: ProjectConfig, config: ModelConfig) -> dict[str, Any]:
    return {"id": ids.encode("project_model_config", link.id), "projectId": ids.encode("project", link.project_id),
            "modelConfigId": ids.encode("model_config", config.id), "modelConfig": config_public(config)}


BINDABLES = [query, mutation, model_type, model_run_type, project_type]
