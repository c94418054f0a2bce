"""§2.8 batches, task queues and send-to-annotate over ``batches/service.py``.

Operations the SDK follows with a task poll finish their work in the request and answer a task that is already
COMPLETE (or FAILED with the reason), so the SDK's 2-second poll sleep is never paid (contract trap 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ariadne import ObjectType, QueryType
from sqlalchemy import select

from ...batches import service
from ...db import Batch, ModelRunDataRow
from ...db.transaction import committed_writes, write_transaction
from ...errors import DatabaseBusy, LabelhouseError, NotFound
from ...labelimports import service as imports
from ...models import predictions
from ...models import service as models
from ...tasks import service as tasks
from .. import ids
from ..context import Context, ctx
from ..errors import InvalidInput, Unauthorized
from .ontologies import cursor

query = QueryType()
mutation = ObjectType("Mutation")
project_type = ObjectType("Project")
project_mutations = ObjectType("ProjectMutations")


def rows(c: Context, data_row_ids: Sequence[str] | None, global_keys: Sequence[str] | None) -> service.Rows:
    """The caller's identifiers with the samples they name (None: names nothing). Exactly one kind is used."""
    if data_row_ids and global_keys:
        raise InvalidInput("Give data row ids or global keys, not both.")
    if global_keys:
        return service.rows_for_global_keys(c.session, c.scope, list(global_keys))
    return [(i, ids.decode("data_row", i)) for i in data_row_ids or []]


def _task(c: Context, name: str, type_: str, failed: list[str], extra: dict[str, Any] | None = None,
          failed_status: bool = False) -> str:
    """A finished task for work done in this request (its own write transaction, after the work's); ``failed_status``:
    the whole operation failed."""
    result = {**(extra or {}), "failedDataRowIds": failed}
    with write_transaction(c.session):
        task = tasks.create_task(c.session, c.scope, name=name, type=type_,
                                 status=tasks.FAILED if failed_status else tasks.COMPLETE, result=result,
                                 errors={"failedDataRowIds": failed} if failed else None)
    return ids.encode("task", task.id)


def _failed_task(c: Context, name: str, type_: str, exc: LabelhouseError) -> str:
    """A FAILED task for work that raised ``exc``: whatever the work left uncommitted is discarded first."""
    c.session.rollback()
    with write_transaction(c.session):
        task = tasks.create_task(c.session, c.scope, name=name, type=type_, status=tasks.FAILED,
                                 result={"error": exc.detail}, errors={"error": exc.detail})
    return ids.encode("task", task.id)


def _batch_public(c: Context, batch: Batch) -> dict[str, Any]:
    return service.batches_public(c.session, [batch])[0]


def _pk(kind: str, public_id: Any) -> int:
    """The key of an object a mutation names; a malformed id is an absent object (AUTHORIZATION_ERROR)."""
    pk = ids.decode(kind, public_id)
    if pk is None:
        raise Unauthorized()
    return pk


@query.field("queryAllDataRowsHaveBeenProcessed")
def resolve_all_processed(*_: Any, **__: Any) -> dict[str, bool]:
    return {"allDataRowsHaveBeenProcessed": True}


@project_type.field("batches")
def resolve_batches(parent: dict[str, Any], info: Any, where: dict[str, Any] | None = None,
                    after: str | None = None, first: int | None = None) -> dict[str, Any]:
    c = ctx(info)
    if where and "id" in where:
        try:
            _, batch = service.get_batch(c.session, c.scope, parent["_pk"], ids.decode("batch", where["id"]))
        except NotFound:
            return {"nodes": [], "pageInfo": {"endCursor": None}}
        return {"nodes": [_batch_public(c, batch)], "pageInfo": {"endCursor": None}}
    found, last = service.list_batches(c.session, c.scope, parent["_pk"], cursor("batch", after), first)
    return {"nodes": service.batches_public(c.session, found),
            "pageInfo": {"endCursor": ids.encode("batch", last) if last is not None else None}}


@project_mutations.field("createBatchV2")
def resolve_create_batch(parent: dict[str, Any], info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    batch, failed = service.create_batch(c.session, c.scope, parent["_pk"], input.get("name"),
                                         rows(c, input.get("dataRowIds"), input.get("globalKeys")),
                                         input.get("priority"), input.get("consensusSettings"))
    return {"batch": _batch_public(c, batch), "failedDataRowIds": failed}


@project_mutations.field("createEmptyBatch")
def resolve_create_empty_batch(parent: dict[str, Any], info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    batch = service.create_empty_batch(c.session, c.scope, parent["_pk"], input.get("name"),
                                       input.get("consensusSettings"))
    return _batch_public(c, batch)


@project_mutations.field("addDataRowsToBatchAsync")
def resolve_add_rows(parent: dict[str, Any], info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    batch_pk = _pk("batch", input.get("batchId"))
    name, type_ = "Add data rows to batch", "add-data-rows-to-batch"
    wanted = rows(c, input.get("dataRowIds"), input.get("globalKeys"))
    try:
        failed = service.add_rows_to_batch(c.session, c.scope, parent["_pk"], batch_pk, wanted, input.get("priority"))
    except NotFound:
        raise Unauthorized() from None
    except LabelhouseError as exc:  # bad input: the task reports it, as Labelbox's job would
        if isinstance(exc, DatabaseBusy) and not committed_writes(c.session):
            raise  # nothing was changed: the client retries the request (errors.Busy), no failed task
        return {"taskId": _failed_task(c, name, type_, exc)}
    return {"taskId": _task(c, name, type_, failed, {"batchId": input.get("batchId")},
                            failed_status=bool(wanted) and len(failed) == len(wanted))}


def _batches_result(c: Context, made: list[tuple[Batch, list[str]]]) -> dict[str, Any]:
    out = []
    for batch, failed in made:
        task_id = _task(c, "Create batches", "create-batches", failed, {"batchId": ids.encode("batch", batch.id)})
        out.append({"batchUuid": ids.encode("batch", batch.id), "taskId": task_id})
    return {"tasks": out}


@project_mutations.field("createBatches")
def resolve_create_batches(parent: dict[str, Any], info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    made = service.create_batches(c.session, c.scope, parent["_pk"], input.get("batchNamePrefix"),
                                  rows(c, input.get("dataRowIds"), input.get("globalKeys")),
                                  input.get("priority"), input.get("consensusSettings"))
    return _batches_result(c, made)


@project_mutations.field("createBatchesFromDataset")
def resolve_create_batches_from_dataset(parent: dict[str, Any], info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    dataset_pk = _pk("dataset", input.get("datasetId"))
    try:
        made = service.create_batches_from_dataset(c.session, c.scope, parent["_pk"], input.get("batchNamePrefix"),
                                                   dataset_pk, input.get("priority"), input.get("consensusSettings"))
    except NotFound:
        raise Unauthorized() from None
    return _batches_result(c, made)


@project_mutations.field("deleteBatch")
def resolve_delete_batch(parent: dict[str, Any], info: Any, batchId: str) -> dict[str, Any]:
    c = ctx(info)
    service.delete_batch(c.session, c.scope, parent["_pk"], _pk("batch", batchId))
    return {"deletedBatchId": batchId}


@project_mutations.field("removeQueuedDataRowsFromBatch")
def resolve_remove_queued(parent: dict[str, Any], info: Any, batchId: str) -> dict[str, Any]:
    c = ctx(info)
    batch_pk = _pk("batch", batchId)
    service.remove_queued_rows(c.session, c.scope, parent["_pk"], batch_pk)
    return _batch_public(c, service.get_batch(c.session, c.scope, parent["_pk"], batch_pk)[1])


@project_mutations.field("deleteBatchLabels")
def resolve_delete_batch_labels(parent: dict[str, Any], info: Any, batchId: str,
                                data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    deleted = service.delete_batch_labels(c.session, c.scope, parent["_pk"], _pk("batch", batchId))
    return {"deletedLabelIds": [ids.encode("label", pk) for pk in deleted]}


@project_mutations.field("createBulkAddRowsToQueueTask")
def resolve_move_to_queue(parent: dict[str, Any], info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    identifiers = data.get("dataRowIdentifiers") or {}
    id_type = identifiers.get("idType")
    if id_type not in ("ID", "GKEY"):
        raise InvalidInput("dataRowIdentifiers.idType must be ID (data row ids) or GKEY (global keys).")
    keys = identifiers.get("ids") or []
    wanted = rows(c, keys if id_type == "ID" else None, keys if id_type == "GKEY" else None)
    queue_id = data.get("queueId")
    queue_pk = _pk("task_queue", queue_id) if queue_id is not None else None
    try:
        failed = service.move_rows_to_queue(c.session, c.scope, parent["_pk"], queue_pk, wanted)
    except NotFound:
        raise Unauthorized() from None
    return {"taskId": _task(c, "Send data rows to task queue", "send-to-task-queue", failed,
                            failed_status=bool(wanted) and len(failed) == len(wanted))}


def _search_rows(c: Context, queries: Any) -> service.Rows:
    """The rows of a send-to-annotate ``searchQuery``: one ``{type: data_row_id | global_key, operator: is, ids}``
    (the only query the SDK builds; a slice's rows are sent by their ids: ``slice.get_data_row_ids()``)."""
    if not isinstance(queries, list) or len(queries) != 1 or not isinstance(queries[0], dict) \
            or queries[0].get("operator") != "is" or queries[0].get("type") not in ("data_row_id", "global_key"):
        raise InvalidInput("searchQuery.query must be one {type: data_row_id | global_key, operator: is, ids}.")
    keys = [k for k in queries[0].get("ids") or [] if isinstance(k, str)]
    by_id = queries[0]["type"] == "data_row_id"
    return rows(c, keys if by_id else None, None if by_id else keys)


@mutation.field("sendToAnnotateFromCatalog")
def resolve_send_to_annotate(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    from .projects import writable

    project = writable(c, input.get("destinationProjectId"))
    wanted = _search_rows(c, (input.get("searchQuery") or {}).get("query"))
    destination = input.get("destinationTaskQueue") or {"type": "done"}
    to_done = destination.get("type") == "done"
    queue_pk = None if to_done else _pk("task_queue", destination.get("value"))
    batch_input = input.get("batchInput") or {}
    if input.get("predictionsInput"):
        return _send_predictions(c, project, wanted, input, (input.get("predictionsInput") or {}).get("modelRunId"))
    source = (input.get("annotationsInput") or {}).get("projectId")
    source_pk = _pk("project", source) if source is not None else None
    override = input.get("conflictLabelsResolutionStrategy") in ("OVERRIDE_WITH_ANNOTATIONS",
                                                                 "OVERRIDE_WITH_PREDICTIONS")
    name, type_ = "Send to annotate", "send-to-annotate"
    try:
        batch, failed = service.send_to_annotate(
            c.session, c.scope, project.id, batch_input.get("batchName"), wanted,
            priority=batch_input.get("batchPriority"), queue_pk=queue_pk, to_done=to_done,
            exclude_rows_in_project=bool(input.get("excludeDataRowsInProject")), source_project_pk=source_pk,
            override_labels=override)
    except NotFound:
        raise Unauthorized() from None
    except LabelhouseError as exc:  # e.g. a batch name already used: the task reports it
        if isinstance(exc, DatabaseBusy) and not committed_writes(c.session):
            raise  # nothing was changed: the client retries the request (errors.Busy), no failed task
        return {"taskId": _failed_task(c, name, type_, exc)}
    extra = {"batchId": ids.encode("batch", batch.id) if batch is not None else None}
    return {"taskId": _task(c, name, type_, failed, extra,
                            failed_status=bool(wanted) and len(failed) == len(wanted))}


@mutation.field("sendToAnnotateFromMea")
def resolve_send_to_annotate_from_model(_: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
    """``model_run.send_to_annotate_from_model``: ``searchQuery`` is the query list itself here."""
    c = ctx(info)
    from .projects import writable

    project = writable(c, input.get("destinationProjectId"))
    wanted = _search_rows(c, input.get("searchQuery"))
    return _send_predictions(c, project, wanted, input, input.get("sourceModelRunId"))


def _send_predictions(c: Context, project: Any, wanted: service.Rows, input: dict[str, Any],
                      run_id: Any) -> dict[str, Any]:
    """A batch of the rows in the destination project, with the model run's predictions of those rows imported
    into it: as ground truth (a LabelImport) into Done, as pre-labels (a MAL import) into a task queue. Rows not
    in the model run fail; with KEEP_EXISTING a row that already has a label keeps it (its predictions are not
    sent). The prediction import's outcome (per-line status file) is named in the task's result."""
    predictions_input = input.get("predictionsInput") or {}
    if not isinstance(predictions_input, dict):
        raise InvalidInput("predictionsInput must be an object.")
    run_pk = _pk("model_run", run_id)
    if predictions_input.get("modelRunId") not in (None, run_id):
        raise InvalidInput("predictionsInput.modelRunId must be the model run the predictions are sent from.")
    run = models.get_run(c.session, c.scope, run_pk)
    if run is None:
        raise Unauthorized()
    in_run = set(c.session.scalars(select(ModelRunDataRow.sample_id).where(
        ModelRunDataRow.model_run_id == run.id,
        ModelRunDataRow.sample_id.in_([s for _, s in wanted if s is not None] or [-1]))))
    not_in_run = [identifier for identifier, sample in wanted if sample is not None and sample not in in_run]
    wanted = [(identifier, sample) for identifier, sample in wanted if sample is None or sample in in_run]
    name, type_ = "Send to annotate", "send-to-annotate"
    if not_in_run and not wanted:  # nothing to send: no batch
        return {"taskId": _task(c, name, type_, not_in_run, {"batchId": None}, failed_status=True)}
    destination = input.get("destinationTaskQueue") or {"type": "done"}
    to_done = destination.get("type") == "done"
    queue_pk = None if to_done else _pk("task_queue", destination.get("value"))
    batch_input = input.get("batchInput") or {}
    strategy = input.get("conflictLabelsResolutionStrategy") or "KEEP_EXISTING"
    try:
        batch, failed = service.send_to_annotate(
            c.session, c.scope, project.id, batch_input.get("batchName"), wanted,
            priority=batch_input.get("batchPriority"), queue_pk=queue_pk, to_done=to_done,
            exclude_rows_in_project=bool(input.get("excludeDataRowsInProject")))
        samples = service.batch_sample_ids(c.session, batch) if batch is not None else []
        if strategy == "KEEP_EXISTING":
            kept = service.labeled_samples(c.session, project, samples)
            samples = [s for s in samples if s not in kept]
        lines = predictions.annotation_lines(
            c.session, c.scope, run.id, samples, mapping=predictions_input.get("featureSchemaIdsMapping") or None,
            min_confidence=predictions_input.get("minConfidence"),
            max_confidence=predictions_input.get("maxConfidence"))
        imp = None
        if lines:
            assert batch is not None
            imp = imports.create_import(c.session, c.scope, project.id, "label" if to_done else "mal",
                                        f"send-to-annotate {ids.encode('batch', batch.id)}",
                                        content=b"\n".join(lines), url=None, store=c.store, settings=c.settings,
                                        runner=c.job_runner)
    except NotFound:
        raise Unauthorized() from None
    except LabelhouseError as exc:  # e.g. a batch name already used: the task reports it
        if isinstance(exc, DatabaseBusy) and not committed_writes(c.session):
            raise  # nothing was changed: the client retries the request (errors.Busy), no failed task
        return {"taskId": _failed_task(c, name, type_, exc)}
    failed = not_in_run + failed
    extra = {"batchId": ids.encode("batch", batch.id) if batch is not None else None,
             "predictionImport": None if imp is None else imports.import_public(c.store, imp)["statusFileUrl"]}
    requested = len(wanted) + len(not_in_run)
    return {"taskId": _task(c, name, type_, failed, extra, failed_status=bool(requested) and len(failed) == requested)}


BINDABLES = [query, mutation, project_type, project_mutations]
