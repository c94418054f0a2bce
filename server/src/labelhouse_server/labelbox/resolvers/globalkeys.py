"""§2.4 global keys. Each start operation does its work at once and records the outcome on a COMPLETE task whose
id is the ``jobId``, so the SDK's first result poll succeeds (trap 8)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import globalkeys as service
from ...db.transaction import write_transaction
from ...tasks import service as tasks
from .. import ids
from ..context import Context, ctx

LOOKUP, ASSIGN, CLEAR = "global-keys-lookup", "global-keys-assign", "global-keys-clear"

query = QueryType()
mutation = ObjectType("Mutation")


def _job(c: Context, kind: str, details: dict[str, Any]) -> dict[str, Any]:
    task = tasks.create_task(c.session, c.scope, name=kind, type=kind, status=tasks.COMPLETE, details=details)
    return {"jobId": ids.encode("task", task.id)}


def _result(c: Context, job_id: dict[str, Any], kind: str) -> dict[str, Any]:
    task = tasks.get_task(c.session, c.scope, ids.decode("task", job_id.get("id")))
    if task is None or task.type != kind or task.created_by_id != c.user.id:
        return {"jobStatus": "FAILED", "data": None}  # the SDK raises LabelboxError on FAILED
    return {"jobStatus": task.status, "data": task.details}


def _bind(kind: str, start_field: str, start_type: ObjectType, result_field: str, run: Any, *,
          writes: bool) -> None:
    """One start operation (``start_field`` on ``start_type``, argument ``where.ids`` or ``data.assignInputs``)
    and its ``...Result`` query."""

    def start(_: Any, info: Any, where: dict[str, Any] | None = None,
              data: dict[str, Any] | None = None) -> dict[str, Any]:
        c = ctx(info)
        if writes:
            c.require_write()
        items = (where or {}).get("ids") if where is not None else (data or {}).get("assignInputs")
        if not writes:  # a lookup: it reads, then records its outcome
            details = run(c.session, c.scope, items or [])
            with write_transaction(c.session):
                return _job(c, kind, details)
        with write_transaction(c.session):  # the keys and the task that reports them: one transaction
            return _job(c, kind, run(c.session, c.scope, items or []))

    def result(_: Any, info: Any, jobId: dict[str, Any]) -> dict[str, Any]:
        return _result(ctx(info), jobId, kind)

    start_type.set_field(start_field, start)
    query.set_field(result_field, result)


_bind(LOOKUP, "dataRowsForGlobalKeys", query, "dataRowsForGlobalKeysResult", service.lookup, writes=False)
_bind(ASSIGN, "assignGlobalKeysToDataRows", mutation, "assignGlobalKeysToDataRowsResult", service.assign,
      writes=True)
_bind(CLEAR, "clearGlobalKeys", mutation, "clearGlobalKeysResult", service.clear, writes=True)


BINDABLES = [query, mutation]
