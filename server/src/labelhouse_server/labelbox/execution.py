"""The GraphQL request of ``POST /graphql`` and ``POST /_gql`` (``endpoint.py``), imported by the first one.

Per request: authenticate (``Authorization: Bearer <key>``), read the body (JSON, or a GraphQL multipart upload),
parse with graphql-core under a token limit, then validate (with a depth limit) and execute with Ariadne in a
worker thread on one database session: a REST request's (``deps.request_session``), which reads. Queries and
mutations alike read in it, and the services a mutation calls open their own short ``write_transaction`` after
checking their input (a write outside one fails loudly). Every failure is the §4 envelope — a 4xx or a 200 with
``errors`` — never a 5xx for a client mistake (the SDK retries 5xx for two minutes). The one 5xx is a lock wait
that ran out (``errors.Busy``): 503 with ``Retry-After``, which the SDK retries until the lock is free.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from ariadne import combine_multipart_data, graphql_sync
from ariadne.exceptions import HttpBadRequestError
from fastapi import Request
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    parse,
)
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..auth.bearer import authenticate_bearer
from ..catalog.orgs import scope_for
from ..db.transaction import committed_writes
from ..deps import request_session
from ..errors import LabelhouseError
from ..limits import LimitExceeded
from .context import Context
from .errors import (
    AUTHENTICATION_ERROR,
    MALFORMED_REQUEST,
    PARSE_FAILED,
    VALIDATION_FAILED,
    Busy,
    envelope,
    format_error,
    is_busy,
    not_retryable,
    plumbing_error_body,
)
from .schema import labelbox_schema

log = logging.getLogger("labelhouse.labelbox")

MAX_TOKENS = 250_000  # bulk deletes inline their ids in the document text
MAX_DEPTH = 12
MAX_FILES = 8


def _error(status: int, message: str, code: str, http_status: int | None = None) -> Response:
    body = {"errors": [envelope(message, code, status)], "data": None}
    return Response(orjson.dumps(body), status_code=http_status or status, media_type="application/json")


class DepthLimit(ValidationRule):
    """Rejects selection sets nested deeper than MAX_DEPTH (fragments followed, each once per path)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        depth = self._depth(node.selection_set, 0, set())
        if depth > MAX_DEPTH:
            self.report_error(GraphQLError(f"Query is nested {depth} levels deep; the limit is {MAX_DEPTH}.",
                                           node))

    def _depth(self, selection_set: SelectionSetNode | None, level: int, seen: set[str]) -> int:
        if selection_set is None:
            return level
        deepest = level
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                deepest = max(deepest, self._depth(selection.selection_set, level + 1, seen))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self._depth(selection.selection_set, level, seen))
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.context.get_fragment(selection.name.value)
                if fragment is not None:
                    deepest = max(deepest, self._depth(fragment.selection_set, level,
                                                       seen | {selection.name.value}))
            if deepest > MAX_DEPTH:
                break
        return deepest


async def _read_request(request: Request) -> dict[str, Any] | Response:
    # Bounded before this runs (http.RequestPlumbingMiddleware): a JSON body by max_body_bytes, its depth and value
    # count; a multipart upload by max_upload_bytes while it streams (the LimitExceeded caught below).
    settings = request.app.state.settings
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        max_upload = settings.max_upload_bytes
        try:
            form = await request.form(max_files=MAX_FILES, max_fields=32, max_part_size=settings.max_body_bytes)
        except LimitExceeded as exc:  # raised by the plumbing's counting receive
            return Response(orjson.dumps(plumbing_error_body(request.url.path, exc.status_code, exc.body())),
                            status_code=exc.status_code, media_type="application/json")
        except (StarletteHTTPException, ValueError) as exc:  # starlette wraps multipart parse errors in a 400
            return _error(400, f"Malformed multipart request: {exc}", MALFORMED_REQUEST)
        try:
            operations = orjson.loads(str(form.get("operations") or ""))
            files_map = orjson.loads(str(form.get("map") or "{}"))
        except orjson.JSONDecodeError:
            return _error(400, "Multipart 'operations' and 'map' must be JSON.", MALFORMED_REQUEST)
        files = {key: value for key, value in form.multi_items() if key not in ("operations", "map")}
        for upload in files.values():
            size = getattr(upload, "size", None)
            if size is not None and size > max_upload:
                return _error(413, f"Uploaded file exceeds {max_upload} bytes.", MALFORMED_REQUEST, 413)
        if not isinstance(operations, dict) or not isinstance(files_map, dict):
            return _error(400, "Multipart 'operations' must be one operation object.", MALFORMED_REQUEST)
        try:
            data = combine_multipart_data(operations, files_map, files)
        except (HttpBadRequestError, ValueError, KeyError, TypeError, IndexError) as exc:
            return _error(400, f"Malformed multipart request: {exc}", MALFORMED_REQUEST)
        request.state.multipart_form = form
        return data if isinstance(data, dict) else _error(400, "One operation per request.", MALFORMED_REQUEST)
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        return _error(413, f"Request body exceeds {settings.max_body_bytes} bytes (limit max_body_bytes).",
                      MALFORMED_REQUEST, 413)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _error(400, "Request body must be JSON: {\"query\": ..., \"variables\": ...}.", MALFORMED_REQUEST)
    if not isinstance(data, dict):
        return _error(400, "Request body must be one JSON object (no batching).", MALFORMED_REQUEST)
    return data


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        ops = [op for op in ops if op.name is not None and op.name.value == name]
    return ops[0] if len(ops) == 1 else None


def _execute(request: Request, data: dict[str, Any], document: DocumentNode) -> tuple[bool, dict]:
    state = request.app.state
    with request_session(request) as session:  # reads; the services write in their own write_transaction
        try:
            user = authenticate_bearer(request, session)
        except LabelhouseError as exc:
            return False, {"__auth_error__": exc.detail}
        context = Context(session=session, scope=scope_for(session, user), settings=state.settings,
                          store=state.store, sessionmaker=state.sessionmaker, job_runner=state.job_runner,
                          base_url=state.settings.public_url.rstrip("/"),
                          embedding_indexes=state.embedding_indexes)
        success, result = graphql_sync(labelbox_schema(), data, context_value=context, query_document=document,
                                       validation_rules=[DepthLimit], error_formatter=format_error, debug=False,
                                       logger=log)
        if committed_writes(session):  # a busy answer is retryable only when the request changed nothing
            for error in result.get("errors") or ():
                if is_busy(error):
                    not_retryable(error)
        return success, result


async def handle(request: Request) -> Response:
    if not request.headers.get("authorization"):
        return _error(401, "Authentication required: send 'Authorization: Bearer <API key>'.", AUTHENTICATION_ERROR)
    data = await _read_request(request)
    if isinstance(data, Response):
        return data
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        return _error(400, "'query' must be a non-empty GraphQL document string.", PARSE_FAILED)
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return _error(400, "'variables' must be a JSON object.", VALIDATION_FAILED)
    try:
        document = parse(query, max_tokens=MAX_TOKENS, no_location=False)
    except GraphQLError as exc:
        return _error(400, exc.message, PARSE_FAILED)
    name = data.get("operationName")
    op = _operation(document, name if isinstance(name, str) else None)
    if op is None:
        return _error(400, "The document must contain exactly one operation (or name it in 'operationName').",
                      VALIDATION_FAILED)
    success, result = await run_in_threadpool(_execute, request, data, document)
    if "__auth_error__" in result:
        return _error(401, result["__auth_error__"], AUTHENTICATION_ERROR)
    if any(is_busy(e) for e in result.get("errors") or ()):
        return Response(orjson.dumps(result), status_code=Busy.status, media_type="application/json",
                        headers={"Retry-After": str(Busy.retry_after)})
    status = 200 if success else 400
    return Response(orjson.dumps(result), status_code=status, media_type="application/json")
