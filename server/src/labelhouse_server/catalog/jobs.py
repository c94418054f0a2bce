"""Job kinds of this feature (``jobs.registry`` imports every feature's ``jobs`` module: a new kind edits no
central list)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..db import Account, Task
from ..jobs import JobContext, register
from ..tasks import service as tasks
from .orgs import OrgScope, scope_for
from .upserts import UPSERT_JOB, process


@register(UPSERT_JOB)
class UpsertDataRows:
    """The background half of ``start_upsert``. One attempt: chunks already written stay written, so a retry
    would report their rows as duplicates; a crashed run fails the task with the reason instead."""

    def run(self, ctx: JobContext, payload: dict[str, Any]) -> Any:
        with ctx.sessionmaker() as session:
            task = session.get(Task, payload["task_id"])
            if task is None:
                return {"skipped": "task was deleted"}
            user = session.get(Account, task.created_by_id)
            assert user is not None
            scope = scope_for(session, user)
            if scope.org.id != payload["org_id"]:
                scope = OrgScope(user=user, org=session.get(Account, payload["org_id"]) or user, role="owner")

            def progress(n: int) -> None:
                ctx.progress = n
                ctx.check()

            details = process(session, scope, payload["manifest"], ctx.store, ctx.settings, progress)
            task = session.get(Task, payload["task_id"])
            if task is None:
                return {"skipped": "task was deleted"}
            tasks.finish(session, task, details=details)
            if ctx.complete_in(session, {"written": len(details["written"]), "failed": len(details["failed"])}):
                session.commit()
        return None

    def on_failed(self, session: Session, payload: dict[str, Any], reason: str) -> None:
        task = session.get(Task, payload["task_id"])
        if task is not None:
            tasks.finish(session, task, status=tasks.FAILED, errors=reason)
