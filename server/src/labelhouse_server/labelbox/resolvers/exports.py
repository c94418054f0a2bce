"""§2.11 exports: ``exportDataRowsInProject`` / ``InCatalog`` / ``InSlice`` / ``InModelRun`` start a task (``exports/``);
``task { exportMetadataHeader, exportFileFromOffset }`` serve its streams by byte offset."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType, ScalarType

from ...db import Task
from ...exports import service
from ...exports.spec import parse_input, parse_model_run_input, parse_slice_input
from ...tasks import service as tasks
from .. import ids
from ..context import ctx
from .tasks import task_public

query = QueryType()
mutation = ObjectType("Mutation")
task_type = ObjectType("Task")
int64 = ScalarType("Int64", serializer=int)


def _start(info: Any, spec: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    task = service.start_export(c.session, c.scope, spec, c.job_runner, c.embedding_indexes)
    service.wait_briefly(c.sessionmaker, task.id, c.settings.labelbox_export_wait_seconds)
    return {"taskId": ids.encode("task", task.id), "isStreamable": True}


@mutation.field("exportDataRowsInProject")
def resolve_export_project(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    return _start(info, parse_input(input, project=True))


@mutation.field("exportDataRowsInCatalog")
def resolve_export_catalog(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    return _start(info, parse_input(input, project=False))


@mutation.field("exportDataRowsInSlice")
def resolve_export_slice(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    return _start(info, parse_slice_input(input))


@mutation.field("exportDataRowsInModelRun")
def resolve_export_model_run(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    return _start(info, parse_model_run_input(input))


@query.field("task")
def resolve_task(_: Any, info: Any, where: dict[str, Any] | None = None) -> dict[str, Any] | None:
    c = ctx(info)
    task = tasks.get_task(c.session, c.scope, ids.decode("task", (where or {}).get("id")))
    return task_public(task) if task is not None else None


def _task_row(info: Any, task: dict[str, Any]) -> Task | None:
    return tasks.get_task(ctx(info).session, ctx(info).scope, ids.decode("task", task["id"]))


@task_type.field("exportMetadataHeader")
def resolve_header(task: dict[str, Any], info: Any, streamType: str) -> dict[str, Any] | None:
    row = _task_row(info, task)
    return service.metadata_header(row, streamType) if row is not None else None


@task_type.field("exportFileFromOffset")
def resolve_file(task: dict[str, Any], info: Any, streamType: str, offset: int) -> dict[str, Any] | None:
    row = _task_row(info, task)
    if row is None:
        return None
    c = ctx(info)
    return service.file_from_offset(c.store, row, streamType, offset, c.base_url)


BINDABLES = [query, mutation, task_type, int64]
