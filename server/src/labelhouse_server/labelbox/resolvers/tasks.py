"""§2.10 tasks: ``user.createdTasks`` (the only way the SDK reads a task), cancelling."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...db import Task
from ...tasks import service
from .. import ids
from ..context import ctx
from ..errors import NotAllowed, Unauthorized
from ..where import where_sdl

TASK_FIELDS = {"id": "ID", "name": "String", "status": "String", "type": "String", "createdAt": "DateTime",
               "updatedAt": "DateTime", "completionPercentage": "Float"}
EXTRA_SDL = where_sdl("Task", TASK_FIELDS, deletable=False)

query = QueryType()
mutation = ObjectType("Mutation")
user_type = ObjectType("User")


def task_public(task: Task) -> dict[str, Any]:
    return {"id": ids.encode("task", task.id), "createdAt": task.created_at, "updatedAt": task.updated_at,
            "name": task.name, "status": task.status, "completionPercentage": task.completion_percentage,
            "result": task.result, "errors": task.errors, "type": task.type, "metadata": task.metadata_}


@user_type.field("createdTasks")
def resolve_created_tasks(user: dict[str, Any], info: Any, where: dict[str, Any] | None = None,
                          skip: int | None = None, first: int | None = None,
                          orderBy: str | None = None) -> list[dict[str, Any]]:
    c = ctx(info)
    user_id = ids.decode("user", user["id"])
    if user_id is None:
        return []
    wanted = None
    if where and "id" in where:
        task_id = ids.decode("task", where["id"])
        wanted = [task_id] if task_id is not None else []
    tasks = service.tasks_of_user(c.session, c.scope, user_id, wanted)
    start = skip or 0
    page = tasks[start:start + first] if first is not None else tasks[start:]
    return [task_public(t) for t in page]


@query.field("cancelableTaskTypes")
def resolve_cancelable_task_types(*_: Any) -> list[str]:
    return []  # every task of this server finishes on its own; contract §5 allows []


@mutation.field("cancelBulkOperationJob")
def resolve_cancel(_: Any, info: Any, id: str) -> dict[str, Any]:
    c = ctx(info)
    task = service.get_task(c.session, c.scope, ids.decode("task", id))
    if task is None:
        raise Unauthorized()
    raise NotAllowed(f"Task {id} cannot be cancelled (status {task.status}).")


BINDABLES = [query, mutation, user_type]
