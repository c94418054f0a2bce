"""The GraphQL error envelope (contract §4): the SDK picks its exception by ``errors[].extensions.code``.

Resolvers raise ``GqlError`` subclasses, or let a shared service's ``LabelhouseError`` through; ``format_error``
renders both. Rules (forced by the SDK, see the contract):
  - reads of absent, deleted or foreign objects answer ``null`` (resolvers return None; no error);
  - writes on them raise ``Unauthorized`` (AUTHORIZATION_ERROR -> AuthorizationError);
  - bad input values -> INTERNAL_SERVER_ERROR with ``exception.status: 400`` (-> InvalidQueryError);
  - duplicate names -> RESOURCE_CONFLICT; forbidden state changes -> OPERATION_NOT_ALLOWED;
  - never a 5xx for a client mistake: the SDK retries 5xx for two minutes;
  - and so a lock wait that ran out (``DatabaseBusy``: nothing was changed, the same request may simply be sent
    again) is the one 5xx: HTTP 503 with ``Retry-After`` (``execution.handle``), its entry naming the problem
    with ``exception.status: 503`` (which the SDK also retries, should a 503 ever be answered as a 200) — unless
    an earlier write transaction of the same request committed (a task written after its work, a second chunk):
    sending it again would repeat that, so it is then ``exception.status: 400`` (``not_retryable``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from ..errors import (
    AlreadyExists,
    Conflict,
    DatabaseBusy,
    Forbidden,
    Invalid,
    InvalidApiKey,
    LabelhouseError,
    NotAuthenticated,
    OperationNotAllowed,
    is_lock_timeout,
)
from ..errors import NotFound as DomainNotFound
from ..limits import GRAPHQL_PATHS

if TYPE_CHECKING:  # graphql-core is imported by the first GraphQL request (endpoint.py), not with this module
    from graphql import GraphQLError

log = logging.getLogger("labelhouse.labelbox")

AUTHENTICATION_ERROR = "AUTHENTICATION_ERROR"
AUTHORIZATION_ERROR = "AUTHORIZATION_ERROR"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
RESOURCE_CONFLICT = "RESOURCE_CONFLICT"
MALFORMED_REQUEST = "MALFORMED_REQUEST"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
OPERATION_NOT_ALLOWED = "OPERATION_NOT_ALLOWED"


class GqlError(Exception):
    """An error a resolver reports to the client; ``status`` becomes ``extensions.exception.status``."""

    code = INTERNAL_SERVER_ERROR
    status: int | None = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {"code": self.code}
        if self.status is not None:
            ext["exception"] = {"status": self.status}
        return ext


class InvalidInput(GqlError):
    """A bad input value (empty name, malformed row) -> InvalidQueryError in the SDK."""


class Unauthorized(GqlError):
    """A write on an object the caller may not write: absent, deleted, or another organization's."""

    code = AUTHORIZATION_ERROR
    status = 403

    def __init__(self, message: str = "You do not have permission to modify this resource, or it does not "
                                      "exist.") -> None:
        super().__init__(message)


class ResourceConflict(GqlError):
    code = RESOURCE_CONFLICT
    status = 409


class NotAllowed(GqlError):
    code = OPERATION_NOT_ALLOWED
    status = 422


class ResourceNotFound(GqlError):
    """Only where ``null`` would crash the SDK (``rootSchemaNode``, ``getSavedQuery``): contract §4."""

    code = RESOURCE_NOT_FOUND
    status = 404


class Busy(GqlError):
    """The database was busy with other writes (``DatabaseBusy``): nothing was changed; retry. The SDK retries
    INTERNAL_SERVER_ERROR with a status other than 400/422/426/500 (contract §4), and HTTP 5xx."""

    status = DatabaseBusy.status_code
    reason = DatabaseBusy.code
    retry_after = int(DatabaseBusy.headers["Retry-After"])

    def extensions(self) -> dict[str, Any]:
        return {**super().extensions(), "reason": self.reason, "retry_after": self.retry_after}


def not_retryable(error: dict[str, Any]) -> None:
    """Turn a rendered ``Busy`` entry into one the SDK does not retry (InvalidQueryError): the request had
    already committed some of its writes."""
    ext = error["extensions"]
    ext["exception"] = {"status": 400}
    ext.pop("retry_after", None)
    error["message"] = (f"{error['message']} Earlier writes of this request were kept: check what it did before "
                        "sending it again.")


def is_busy(error: dict[str, Any]) -> bool:
    """Whether a rendered entry is a retryable ``Busy``."""
    ext = error.get("extensions") or {}
    return ext.get("reason") == Busy.reason and "retry_after" in ext


class AuthenticationFailed(GqlError):
    code = AUTHENTICATION_ERROR
    status = 401


def envelope(message: str, code: str, status: int | None = None) -> dict[str, Any]:
    ext: dict[str, Any] = {"code": code}
    if status is not None:
        ext["exception"] = {"status": status}
    return {"message": message, "extensions": ext}


REST_PREFIX = "/api/v1"
ADV_PREFIX = "/adv/"  # the SDK's embedding-vector routes (labelbox/adv.py), also ``{"message": ...}`` bodies
RATE_LIMITED = "RATE_LIMITED"


def plumbing_error_body(path: str, status: int, body: dict[str, Any]) -> dict[str, Any] | None:
    """A refusal made before any route runs (a body limit, a rate limit: ``http.py``, ``ratelimit.py``) in the
    dialect the Labelbox SDK reads at ``path``; None for a path outside the Labelbox API (the Segments body stays).

    GraphQL: the §4 envelope (``MALFORMED_REQUEST``, so a limit is an SDK ``InvalidQueryError`` / ``LabelboxError``
    and never a retried 5xx); a 429 also carries a top-level ``message`` starting "You have exceeded", which the SDK
    turns into ``ApiLimitError``. REST (``/api/v1``, ``/adv``): ``{"message": ..., "code": ...}``. Both keep the limit's
    name and value (``limit``, ``max``, ``retry_after``) for people reading the body."""
    detail = str(body.get("detail", ""))
    extra: dict[str, Any] = {k: body[k] for k in ("limit", "max", "field", "retry_after", "request_id") if k in body}
    if path.rstrip("/") in GRAPHQL_PATHS:
        if status == 429:
            message = f"You have exceeded the rate limit ({body.get('limit', 'rate_limit')}). {detail}"
            error = envelope(message, RATE_LIMITED, status)
            error["extensions"].update(extra)
            return {"errors": [error], "data": None, "message": message}
        error = envelope(detail, MALFORMED_REQUEST, status)
        error["extensions"].update(extra)
        return {"errors": [error], "data": None}
    if path == REST_PREFIX or path.startswith((REST_PREFIX + "/", ADV_PREFIX)):
        return {"message": detail, "code": body.get("code", "invalid"), **extra}
    return None


def translate(exc: BaseException) -> GqlError | None:
    """The client-facing error for an exception a resolver raised, or None for a server fault."""
    if isinstance(exc, GqlError):
        return exc
    if isinstance(exc, DBAPIError) and is_lock_timeout(exc.orig):  # a lock wait that ran out: nothing written
        exc = DatabaseBusy()
    if isinstance(exc, DatabaseBusy):
        return Busy(exc.detail)
    if isinstance(exc, (InvalidApiKey, NotAuthenticated)):
        return AuthenticationFailed(exc.detail)
    if isinstance(exc, Forbidden) and exc.detail != Forbidden.default_detail:
        return Unauthorized(exc.detail)  # the rule that refused (e.g. the label review rule)
    if isinstance(exc, (DomainNotFound, Forbidden)):
        return Unauthorized()
    if isinstance(exc, OperationNotAllowed):
        return NotAllowed(exc.detail)
    if isinstance(exc, (AlreadyExists, Conflict)):
        return ResourceConflict(exc.detail)
    if isinstance(exc, (Invalid, LabelhouseError)):
        return InvalidInput(exc.detail)
    return None


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """Ariadne's ``error_formatter``: every error leaves with an ``extensions.code`` (the SDK raises KeyError
    on an error without one)."""
    from graphql import GraphQLError

    original = error.original_error
    out: dict[str, Any] = {"message": error.message}
    if error.path:
        out["path"] = error.path
    if original is None or isinstance(original, GraphQLError) or not error.path:
        # request-level: validation, variable coercion (resolver errors always carry a path)
        out["extensions"] = {"code": VALIDATION_FAILED}
        return out
    known = translate(original)
    if known is None:
        log.error("unhandled error in a resolver at %s", error.path, exc_info=original)
        out["message"] = "Internal server error."
        out["extensions"] = {"code": INTERNAL_SERVER_ERROR, "exception": {"status": 500}}
        return out
    out["message"] = known.message
    out["extensions"] = known.extensions()
    return out
