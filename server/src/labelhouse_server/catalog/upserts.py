"""``upsertDataRows``: read the manifest and chunk files the SDK uploaded (§3.1) and write them, one transaction
per chunk, recording each bad row with its reason (Partial Success) on the task.

Small imports (up to ``settings.labelbox_sync_rows`` rows) finish inside the request, so the SDK's first poll sees COMPLETE and it
never pays its 2 s poll sleep (trap 8); larger ones run as a background job that finishes the task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy.orm import Session

from ..db import Task
from ..db.transaction import write_transaction
from ..errors import Invalid, LabelhouseError
from ..jobs import enqueue
from ..settings import Settings
from ..storage import ObjectStore
from ..tasks import service as tasks
from . import files
from . import metadata as md
from .datarows import failure_spec, upsert_chunk
from .orgs import OrgScope

log = logging.getLogger("labelhouse.catalog")

UPSERT_JOB = "labelbox.upsert_data_rows"
TASK_TYPE = "adv-upsert-data-rows"
TASK_NAME = "Upsert Data Rows"
MAX_CHUNKS = 10_000


def read_manifest(store: ObjectStore, url: Any, settings: Settings) -> dict[str, Any]:
    if not isinstance(url, str):
        raise Invalid("manifestUri must be the URL uploadFile returned for the manifest.")
    try:
        manifest = orjson.loads(files.read_upload(store, url, settings.max_upload_bytes))
    except orjson.JSONDecodeError:
        raise Invalid("The manifest is not JSON.") from None
    uris = manifest.get("chunk_uris") if isinstance(manifest, dict) else None
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris) or len(uris) > MAX_CHUNKS:
        raise Invalid('The manifest must be {"chunk_uris": [<URLs from uploadFile>], "item_count": N}.')
    for uri in uris:
        if files.key_for_url(store, uri) is None:
            raise Invalid(f"Chunk '{uri}' is not a file uploaded to this server.")
    count = manifest.get("item_count")
    manifest["item_count"] = count if isinstance(count, int) and count >= 0 else None
    return manifest


def process(session: Session, scope: OrgScope, manifest: dict[str, Any], store: ObjectStore, settings: Settings,
            progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Write every chunk; returns the task details {"failed": [...], "written": [sample ids]}."""
    onto = md.ontology(session, scope)
    session.rollback()  # the ontology read must not pin a snapshot across the chunk transactions
    failed: list[dict[str, Any]] = []
    written: list[int] = []
    datasets_ok: dict[int, bool] = {}
    for number, uri in enumerate(manifest["chunk_uris"]):
        try:
            items = orjson.loads(files.read_upload(store, uri, settings.max_upload_bytes))
            chunk_failed, chunk_written = upsert_chunk(session, scope, items, onto, datasets_ok, settings)
        except (orjson.JSONDecodeError, LabelhouseError) as exc:
            session.rollback()
            message = exc.detail if isinstance(exc, LabelhouseError) else "The chunk file is not JSON."
            failed.append({"message": f"Chunk {number + 1}: {message}", "spec": failure_spec(None)})
            continue
        failed.extend(chunk_failed)
        written.extend(chunk_written)
        if progress is not None:
            progress(len(failed) + len(written))
    return {"failed": failed, "written": written}


def start_upsert(session: Session, scope: OrgScope, manifest_url: Any, store: ObjectStore, settings: Settings,
                 runner: Any) -> Task:
    manifest = read_manifest(store, manifest_url, settings)
    count = manifest["item_count"]
    if count is not None and count <= settings.labelbox_sync_rows:
        details = process(session, scope, manifest, store, settings)  # one write transaction per chunk
        with write_transaction(session):
            return tasks.create_task(session, scope, name=TASK_NAME, type=TASK_TYPE, status=tasks.COMPLETE,
                                     details=details)
    with write_transaction(session):
        task = tasks.create_task(session, scope, name=TASK_NAME, type=TASK_TYPE)
        job = enqueue(session, UPSERT_JOB, {"task_id": task.id, "manifest": manifest, "org_id": scope.org.id},
                      max_attempts=1, on_commit=getattr(runner, "notify", None))
        task.job_id = job.id
    return task


