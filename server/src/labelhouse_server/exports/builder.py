"""The export job: rows from the database -> NDJSON chunks in the object store -> the task COMPLETE.

Pages of rows come from ``ExportReader`` (constant memory) and go straight into two ``ChunkWriter``s (RESULT and
ERRORS); each attempt writes under its own prefix. The stream indexes land on the task in the same transaction
that completes the job (fenced), so a task is COMPLETE exactly when every chunk it names exists; an attempt that
lost the job deletes what it wrote.
"""

from __future__ import annotations

import logging

from .streams import KEY_PREFIX

log = logging.getLogger("labelhouse.exports")

EXPORT_JOB = "labelbox.export"


def export_prefix(token: str, attempt: int) -> str:
    return f"{KEY_PREFIX}{token}/{attempt}"


