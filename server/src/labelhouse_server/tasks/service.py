"""Create, finish and read Labelbox tasks (``db.Task``).

The SDK reads a task only through ``user(where: {id}) { createdTasks(where: {id}) }`` and sleeps 2 s before each
re-read while it is IN_PROGRESS (trap 8), so cheap work is done before the task is first returned
(``create_task(..., status="COMPLETE")`` or ``finish`` in the same request); long work runs as a background job
(``jobs.enqueue``) that calls ``finish`` when done. Every other feature (batches, exports) uses these functions.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.orgs import OrgScope
from ..db import Task
from ..timeutil import now_iso

IN_PROGRESS = "IN_PROGRESS"
COMPLETE = "COMPLETE"
FAILED = "FAILED"
CANCELED = "CANCELED"


def create_task(session: Session, scope: OrgScope, *, name: str, type: str, status: str = IN_PROGRESS,
                result: Any = None, errors: Any = None, details: Any = None, metadata: Any = None) -> Task:
    """A task row in the caller's transaction (flushed, not committed)."""
    now = now_iso()
    task = Task(org_id=scope.org.id, created_by_id=scope.user.id, name=name, type=type, status=status,
                completion_percentage=100.0 if status != IN_PROGRESS else 0.0, result=_text(result),
                errors=_text(errors), details=details, metadata_=metadata, created_at=now, updated_at=now)
    session.add(task)
    session.flush()
    return task


def finish(session: Session, task: Task, *, status: str = COMPLETE, result: Any = None, errors: Any = None,
           details: Any = None) -> Task:
    """Mark ``task`` done in the caller's transaction."""
    task.status = status
    task.completion_percentage = 100.0
    task.result = _text(result)
    task.errors = _text(errors)
    if details is not None:
        task.details = details
    task.updated_at = now_iso()
    session.flush()
    return task


def _text(value: Any) -> str | None:
    """``result``/``errors`` are strings on the wire (JSON text for structured values)."""
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def tasks_of_user(session: Session, scope: OrgScope, user_id: int, task_ids: list[int] | None = None) -> list[Task]:
    """Tasks created by ``user_id`` in the caller's organization (newest first), optionally only ``task_ids``."""
    query = select(Task).where(Task.created_by_id == user_id, Task.org_id == scope.org.id)
    if task_ids is not None:
        query = query.where(Task.id.in_(task_ids))
    return list(session.scalars(query.order_by(Task.id.desc())))


def get_task(session: Session, scope: OrgScope, task_id: int | None) -> Task | None:
    """A task of the caller's organization, or None."""
    if task_id is None:
        return None
    task = session.get(Task, task_id)
    return task if task is not None and task.org_id == scope.org.id else None
