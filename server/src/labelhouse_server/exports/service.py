"""Start an export (a task and its job) and answer the stream queries on it."""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ..catalog import slices
from ..catalog.orgs import OrgScope
from ..db import Task
from ..db.transaction import write_transaction
from ..errors import NotFound
from ..jobs import enqueue
from ..labelbox import ids
from ..models.service import get_run
from ..projects.service import get_project
from ..storage import ObjectStore
from ..tasks import service as tasks
from . import streams
from .builder import EXPORT_JOB

TASK_TYPE = "export-data-rows"


def start_export(session: Session, scope: OrgScope, spec: dict[str, Any], runner: Any,
                 index_cache: Any = None) -> Task:
    """A new export task (IN_PROGRESS) whose job is enqueued, in one write transaction. A project (model run) export needs the
    project (run) to be the caller's organization's (else NotFound -> AUTHORIZATION_ERROR, as for any write)."""
    if spec["kind"] == "project":
        project = get_project(session, scope, ids.decode("project", spec["project_ids"][0]))
        default_name = f"Export v2: project - {project.name}"
    elif spec["kind"] == "model_run":
        run = get_run(session, scope, ids.decode("model_run", spec["model_run_ids"][0]))
        if run is None:
            raise NotFound("Model run not found.")
        default_name = f"Export v2: model run - {run.name}"
    elif spec.get("slice_id") is not None:
        item = slices.get_slice(session, scope, spec["slice_id"])
        if item is None:
            raise NotFound("Slice not found.")
        spec["slice_filter"] = slices.frozen_filter(session, scope, index_cache, item)
        default_name = f"Export v2: slice - {item.name}"
    else:
        default_name = "Export v2: catalog"
    with write_transaction(session):
        task = tasks.create_task(session, scope, name=spec.get("task_name") or default_name, type=TASK_TYPE)
        job = enqueue(session, EXPORT_JOB, {"task_id": task.id, "org_id": scope.org.id, "spec": spec,
                                            "token": secrets.token_hex(16)},
                      max_attempts=2, on_commit=getattr(runner, "notify", None))
        task.job_id = job.id
    return task


def wait_briefly(sessions: sessionmaker[Session], task_id: int, seconds: float) -> None:
    """Give the job ``seconds`` to finish before the mutation answers (trap 8: the SDK sleeps 2 s per poll)."""
    deadline = time.monotonic() + seconds
    delay = 0.02
    while time.monotonic() < deadline:
        with sessions() as session:
            status = session.get(Task, task_id).status  # type: ignore[union-attr]
        if status != tasks.IN_PROGRESS:
            return
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, 0.2)


def _index(task: Task, stream: str) -> dict[str, Any] | None:
    if task.type != TASK_TYPE or task.status != tasks.COMPLETE or not isinstance(task.details, dict):
        return None
    export = task.details.get("export")
    return export.get(stream) if isinstance(export, dict) else None


def metadata_header(task: Task, stream: str) -> dict[str, Any] | None:
    return streams.header(_index(task, stream))


def file_from_offset(store: ObjectStore, task: Task, stream: str, offset: int, base_url: str) -> dict[str, Any]:
    return streams.chunk_at(store, _index(task, stream), offset, base_url)
