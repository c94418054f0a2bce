"""Job kinds of this feature (``jobs.registry`` imports every feature's ``jobs`` module: a new kind edits no
central list)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from ..jobs import JobContext, register
from .cleanup import DELETE_FILES_JOB

log = logging.getLogger("labelhouse.storage")


@register(DELETE_FILES_JOB)
class DeleteFiles:
    def run(self, ctx: JobContext, payload: dict[str, Any]) -> dict[str, int]:
        store = ctx.store
        keys = payload.get("keys") or []
        for done, key in enumerate(keys):
            ctx.check()
            store.delete(key)  # absent objects are fine; any other failure retries the whole (idempotent) job
            ctx.progress = done + 1
        return {"deleted": len(keys)}

    def on_failed(self, session: Session, payload: dict[str, Any], reason: str) -> None:
        log.error("could not delete %d stored file(s) (%s): %s", len(payload.get("keys") or []),
                  ", ".join((payload.get("keys") or [])[:5]), reason)
