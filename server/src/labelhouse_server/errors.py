"""One error hierarchy, one handler.

Services raise these; ``install_error_handlers`` renders every one as ``{"detail": ..., "code": ...}``.
``detail`` carries the phrases the official Segments SDK classifies by (``not found``, ``already exists``,
``authentication credentials were not provided``, ``do not have permission``); our own SDK maps ``code`` and
the status instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("labelhouse.errors")


class LabelhouseError(Exception):
    status_code = 400
    code = "invalid"
    default_detail = "Invalid request."
    headers: dict[str, str] = {}  # noqa: RUF012 - response headers of this error (e.g. Retry-After); never mutated

    def __init__(self, detail: str | None = None, *, field: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.field = field
        self.extra = extra
        super().__init__(self.detail)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.detail, "code": self.code}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class Invalid(LabelhouseError):
    """Input that fails validation; ``field`` names where (e.g. ``attributes.annotations[2].category_id``)."""


class CollaboratorInvalid(Invalid):
    """A user who cannot become (or already is) a collaborator."""

    code = "collaborator_error"


class NotFound(LabelhouseError):
    status_code = 404
    code = "not_found"
    default_detail = "Not found."


class AlreadyExists(LabelhouseError):
    status_code = 400
    code = "already_exists"
    default_detail = "Object with this name already exists."


class NotAuthenticated(LabelhouseError):
    status_code = 401
    code = "not_authenticated"
    default_detail = "Authentication credentials were not provided."


class InvalidApiKey(LabelhouseError):
    status_code = 401
    code = "invalid_api_key"
    default_detail = "Invalid API key."


class Forbidden(LabelhouseError):
    status_code = 403
    code = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class CsrfFailed(Forbidden):
    """A write authenticated by the web app's session cookie without the session's ``X-CSRF-Token``."""

    code = "csrf_failed"
    default_detail = "CSRF token missing or wrong: send the session's X-CSRF-Token header."


class TooManyRequests(LabelhouseError):
    status_code = 429
    code = "too_many_requests"
    default_detail = "Too many attempts; try again later."


class Conflict(LabelhouseError):
    status_code = 409
    code = "conflict"
    default_detail = "The request conflicts with the current state."


class OperationNotAllowed(LabelhouseError):
    """A state change the object's current state forbids (e.g. deleting a batch whose rows have labels)."""

    status_code = 409
    code = "operation_not_allowed"
    default_detail = "This operation is not allowed in the object's current state."


class PayloadTooLarge(LabelhouseError):
    status_code = 413
    code = "payload_too_large"
    default_detail = "Request body is too large."


class UnsupportedMediaType(LabelhouseError):
    status_code = 415
    code = "unsupported_media_type"
    default_detail = "Unsupported content type."


class DatabaseBusy(LabelhouseError):
    """A write could not get its lock within the lock timeout (``Settings.lock_timeout_seconds``): another write
    holds it. Nothing was changed; both SDKs retry 503 after ``Retry-After`` seconds."""

    status_code = 503
    code = "database_busy"
    default_detail = "The database is busy with other writes; nothing was changed. Retry in a moment."
    headers = {"Retry-After": "1"}  # noqa: RUF012


# Lock waits that ran out (or were broken to resolve a conflict): the write did not happen and may be retried.
# SQLite: SQLITE_BUSY / SQLITE_LOCKED (primary result codes); PostgreSQL SQLSTATEs lock_not_available,
# deadlock_detected, serialization_failure.
_SQLITE_BUSY_CODES = frozenset({5, 6})
_PG_BUSY_STATES = frozenset({"55P03", "40P01", "40001"})
# PostgreSQL SQLSTATEs untranslatable_character, character_not_in_repertoire; SQLite's SQLITE_TOOBIG.
_PG_UNSTORABLE_TEXT_STATES = frozenset({"22P05", "22021"})
_SQLITE_TOOBIG = 18


def is_lock_timeout(orig: BaseException | None) -> bool:
    """Whether a driver error is a lock wait that ran out (classified by error code, never by message)."""
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _SQLITE_BUSY_CODES
    return getattr(orig, "sqlstate", None) in _PG_BUSY_STATES


def error_response(status_code: int, body: dict[str, Any], request: Request | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    # The body names the request id; the ``X-Request-ID`` header is added to every response by the plumbing
    # middleware (``http.RequestPlumbingMiddleware``).
    request_id = getattr(request.state, "request_id", None) if request is not None else None
    if request_id:
        body = {**body, "request_id": request_id}
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json", headers=headers)


def _domain_error_response(request: Request, exc: LabelhouseError) -> Response:
    return error_response(exc.status_code, exc.body(), request, exc.headers or None)


def _loc(loc: Sequence[Any]) -> str:
    parts: list[str] = []
    for item in loc:
        if item in ("body", "query", "path"):
            continue
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "body"


def is_unstorable_text(exc: StatementError) -> bool:
    """Whether a driver refused a text value the database cannot hold (PostgreSQL: NUL characters), classified by
    exception class and SQLSTATE, never by message: psycopg refuses a NUL in a text parameter itself (a
    ``DataError`` without a SQLSTATE, raised before anything is sent); the server refuses ``\\u0000`` in json/jsonb
    and characters outside the database encoding with ``untranslatable_character`` /
    ``character_not_in_repertoire``."""
    if not isinstance(exc, DataError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate is None or sqlstate in _PG_UNSTORABLE_TEXT_STATES


def is_too_big(orig: BaseException | None) -> bool:
    """SQLite's ``SQLITE_TOOBIG`` (a string or blob over its length limit), by error code."""
    code = getattr(orig, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) == _SQLITE_TOOBIG


def _database_error_response(request: Request, exc: StatementError) -> Response:
    if is_lock_timeout(exc.orig):
        return _domain_error_response(request, DatabaseBusy())
    if is_unstorable_text(exc):  # bad input, not a server failure
        return _domain_error_response(request, Invalid("Text values cannot contain NUL (\\u0000) characters."))
    if is_too_big(exc.orig):
        return _domain_error_response(request, PayloadTooLarge("A value is too large to store."))
    log.exception("database error on %s %s", request.method, request.url.path)
    return error_response(500, {"detail": "Internal server error.", "code": "internal_error"}, request)


def _unexpected_error_response(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, {"detail": "Internal server error.", "code": "internal_error"}, request)


def exception_response(request: Request, exc: Exception) -> Response:
    """The response for an exception raised while serving ``request``, outside FastAPI's handlers (the fast
    lane); the same rendering as the handlers ``install_error_handlers`` registers."""
    if isinstance(exc, LabelhouseError):
        return _domain_error_response(request, exc)
    if isinstance(exc, StatementError):
        return _database_error_response(request, exc)
    return _unexpected_error_response(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LabelhouseError)
    async def _domain(request: Request, exc: LabelhouseError) -> Response:
        return _domain_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "Invalid request."}
        field = _loc(first.get("loc", ()))
        detail = f"{field}: {first.get('msg', 'invalid value')}"
        body = {"detail": detail, "code": "invalid", "field": field,
                "errors": [{"field": _loc(e.get("loc", ())), "message": e.get("msg")} for e in errors]}
        return error_response(400, body, request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(404, {"detail": "Not found.", "code": "not_found"}, request)
        if exc.status_code == 405:
            return error_response(405, {"detail": f"Method \"{request.method}\" not allowed.",
                                        "code": "method_not_allowed"}, request)
        return error_response(exc.status_code, {"detail": str(exc.detail), "code": "http_error"}, request)

    @app.exception_handler(StatementError)
    async def _database(request: Request, exc: StatementError) -> Response:
        return _database_error_response(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return _unexpected_error_response(request, exc)
