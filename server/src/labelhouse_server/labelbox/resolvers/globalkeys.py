"""§2.4 global keys. Each start operation does its work at once and records the outcome on a COMPLETE task whose
id is the ``jobId``, so the SDK's first result poll succeeds (trap 8)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType

from ...catalog import globalkeys as service
from ...tasks import service as tasks
from .. import ids
from ..context import Context, ctx

LOOKUP, ASSIGN, CLEAR = "global-keys-lookup", "global-keys-assign", "global-keys-clear"

query = QueryType()
mutation = ObjectType("Mutation")


def _job(c: Context, kind: str, details: dict[str, Any]) -> dict[str, Any]:
    task = tasks.create_task(c.session, c.scope, name=kind, type=kind, status=tasks.COMPLETE, details=details)
    c.session.commit()
    return {"jobId": ids.encode("task", task.id)}


def _result(c: Context, job_id: dict[str, Any], kind: str) -> dict[str, Any]:
    task = tasks.get_task(c.session, c.scope, ids.decode("task", job_id.get("id")))
    if task is None or task.type != kind or task.created_by_id != c.user.id:
        return {"jobStatus": "FAILED", "data": None}  # the SDK raises LabelboxError on FAILED
    return {"jobStatus": task.status, "data": task.details}


@query.field("dataRowsForGlobalKeys")
def resolve_lookup(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    return _job(c, LOOKUP, service.lookup(c.session, c.scope, where.get("ids") or []))


@query.field("dataRowsForGlobalKeysResult")
def resolve_lookup_result(_: Any, info: Any, jobId: dict[str, Any]) -> dict[str, Any]:
    return _result(ctx(info), jobId, LOOKUP)


@mutation.field("assignGlobalKeysToDataRows")
def resolve_assign(_: Any, info: Any, data: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    c.require_write()
    return _job(c, ASSIGN, service.assign(c.session, c.scope, data.get("assignInputs") or []))


@query.field("assignGlobalKeysToDataRowsResult")
def resolve_assign_result(_: Any, info: Any, jobId: dict[str, Any]) -> dict[str, Any]:
    return _result(ctx(info), jobId, ASSIGN)


@mutation.field("clearGlobalKeys")
def resolve_clear(_: Any, info: Any, where: dict[str, Any]) -> dict[str, Any]:
    c = ctx(info)
    c.require_write()
    return _job(c, CLEAR, service.clear(c.session, c.scope, where.get("ids") or []))


@query.field("clearGlobalKeysResult")
def resolve_clear_result(_: Any, info: Any, jobId: dict[str, Any]) -> dict[str, Any]:
    return _result(ctx(info), jobId, CLEAR)


BINDABLES = [query, mutation]
