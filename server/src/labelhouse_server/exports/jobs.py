"""Job kinds of this feature (``jobs.registry`` imports every feature's ``jobs`` module: a new kind edits no
central list)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from ..db import Task
from ..jobs import JobContext, PermanentJobError, register
from ..tasks import service as tasks
from .builder import EXPORT_JOB, export_prefix
from .rows import ExportGone, ExportReader
from .streams import ChunkWriter

log = logging.getLogger("labelhouse.exports")


@register(EXPORT_JOB)
class BuildExport:
    def run(self, ctx: JobContext, payload: dict[str, Any]) -> Any:
        with ctx.sessionmaker() as session:
            task = session.get(Task, payload["task_id"])
            if task is None or task.status != tasks.IN_PROGRESS:
                return {"skipped": "task was deleted or is finished"}
            try:
                reader = ExportReader(session, payload["spec"], payload["org_id"])
            except ExportGone as exc:
                raise PermanentJobError(str(exc)) from None
        store = ctx.store
        prefix = export_prefix(payload["token"], ctx.attempt)
        chunk_bytes = ctx.settings.labelbox_export_chunk_bytes
        result = ChunkWriter(store, prefix, "RESULT", chunk_bytes)
        errors = ChunkWriter(store, prefix, "ERRORS", chunk_bytes)
        try:
            for page in reader.pages(ctx.sessionmaker):
                for line in page.lines:
                    result.add(line)
                for line in page.errors:
                    errors.add(line)
                ctx.progress = result.lines + result.buffer_lines
                ctx.check()
            indexes = {"RESULT": result.close(), "ERRORS": errors.close()}
        except BaseException:
            result.discard()
            errors.discard()
            raise
        summary = {"rows": result.lines, "bytes": result.size, "errors": errors.lines}
        with ctx.sessionmaker() as session:
            task = session.get(Task, payload["task_id"])
            if task is not None and task.status == tasks.IN_PROGRESS:
                tasks.finish(session, task, details={"export": indexes, **summary})
            if ctx.complete_in(session, summary):
                session.commit()
            else:
                session.rollback()
                result.discard()
                errors.discard()
                ctx.check()
                raise PermanentJobError("lost the job while finishing")
        log.info("export task %s: %d rows, %d bytes, %d errors", payload["task_id"], summary["rows"],
                 summary["bytes"], summary["errors"])
        return None

    def on_failed(self, session: Session, payload: dict[str, Any], reason: str) -> None:
        task = session.get(Task, payload["task_id"])
        if task is not None and task.status == tasks.IN_PROGRESS:
            # ``errors`` stays null: the SDK GETs a non-null export ``errors`` as a URL
            tasks.finish(session, task, status=tasks.FAILED, details={"error": reason})
            task.metadata_ = {"error": reason}
