"""Job kinds of this feature (``jobs.registry`` imports every feature's ``jobs`` module: a new kind edits no
central list)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..catalog.orgs import OrgScope, scope_for
from ..db import (
    Account,
    AnnotationImport,
)
from ..jobs import JobContext, register
from .service import IMPORT_JOB, process, raise_failed, split_lines


@register(IMPORT_JOB)
class AnnotationImportJob:
    """The background half of ``create_import``. One attempt: lines already written stay written."""

    def run(self, ctx: JobContext, payload: dict[str, Any]) -> Any:
        with ctx.sessionmaker() as session:
            imp = session.get(AnnotationImport, payload["import_id"])
            if imp is None:
                return {"skipped": "import was deleted"}
            user = session.get(Account, imp.created_by_id) if imp.created_by_id is not None else None
            org = session.get(Account, payload["org_id"])
            if user is None or org is None:
                raise_failed(session, imp, "The import's creator or organization no longer exists.")
                return None
            scope = scope_for(session, user)
            if scope.org.id != org.id:
                scope = OrgScope(user=user, org=org, role="owner")
            lines = split_lines(ctx.store.get(imp.input_key or ""))

            def progress(n: int) -> None:
                ctx.progress = n
                ctx.check()

            process(session, scope, imp.id, lines, ctx.store, progress)
            if ctx.complete_in(session, {"import_id": imp.id}):
                session.commit()
        return None

    def on_failed(self, session: Session, payload: dict[str, Any], reason: str) -> None:
        imp = session.get(AnnotationImport, payload["import_id"])
        if imp is not None:
            raise_failed(session, imp, reason)
