"""Exceptions raised by the labelhouse SDK.

Every exception carries ``message`` (``str(exc)``), ``status`` (HTTP status or ``None``), ``code`` (the server's
machine-readable error code or ``None``), ``field`` (the offending request field, when the server names one),
``request_id`` (sent as ``X-Request-ID`` with every call and echoed by the server — quote it in bug reports),
``body`` (the decoded error body) and ``cause`` (the underlying httpx/pydantic exception, if any).

The tree (names in brackets are the status / server ``code`` that produce them)::

    SegmentsError                        base of everything below (alias: LabelhouseError)
    ├── AuthenticationError              [401, not_authenticated, invalid_api_key]; also: no API key given
    ├── AuthorizationError               [403, permission_denied]
    ├── APILimitError                    [429, throttled] after the retries are used up
    ├── ValidationError                  a request argument or a response failed model validation (client side)
    │   └── InvalidRequestError          [400/413/415/422, invalid] the server rejected the input; see ``field``
    ├── RequestTimeoutError              the request timed out, or [504]  (also a builtin ``TimeoutError``;
    │                                    exported as ``labelhouse.exceptions.TimeoutError`` for the seeds)
    ├── NetworkError                     the request could not be completed or got an unexpected status
    │   ├── APIConnectionError           connection refused / reset / DNS failure, after the retries
    │   ├── NotFoundError                [404, not_found]
    │   ├── AlreadyExistsError           [already_exists]
    │   ├── CollaboratorError            [collaborator_error]
    │   ├── SubscriptionError            [subscription_error]
    │   ├── ConflictError                [409, conflict]
    │   └── ServerError                  [5xx]
    ├── ReleaseFailedError               ``wait_for_release`` saw the release end in FAILED
    ├── InvalidModelError                an object of the wrong model type was passed
    └── MissingContextError              a model method needs a client it was not loaded with

Status codes and machine codes decide the class — never the message text (the server still writes the phrases
the official SDK looks for into ``detail``, so both SDKs agree).
"""

from __future__ import annotations

import builtins
from typing import Any

__all__ = [
    "APIConnectionError",
    "APILimitError",
    "AlreadyExistsError",
    "AuthenticationError",
    "AuthorizationError",
    "CollaboratorError",
    "ConflictError",
    "InvalidModelError",
    "InvalidRequestError",
    "LabelhouseError",
    "MissingContextError",
    "NetworkError",
    "NotFoundError",
    "ReleaseFailedError",
    "RequestTimeoutError",
    "SegmentsError",
    "ServerError",
    "SubscriptionError",
    "TimeoutError",
    "ValidationError",
]


class SegmentsError(Exception):
    """Base class of every exception the SDK raises."""

    def __init__(
        self,
        message: str = "",
        cause: BaseException | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        field: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.cause = cause
        self.status = status
        self.code = code
        self.field = field
        self.request_id = request_id
        self.body = body

    @property
    def status_code(self) -> int | None:
        """Alias of ``status`` (httpx/requests spelling)."""
        return self.status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        for name in ("status", "code", "field", "request_id"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


LabelhouseError = SegmentsError


class AuthenticationError(SegmentsError):
    """No API key, an unknown or revoked key, or missing credentials."""


class AuthorizationError(SegmentsError):
    """The key is valid but the user may not do this."""


class APILimitError(SegmentsError):
    """The server kept answering 429 (rate limited) after all retries."""


class ValidationError(SegmentsError):
    """An argument or a server response did not match the expected model."""


class NetworkError(SegmentsError):
    """The request failed: transport error or an error status without a more specific class."""


class InvalidRequestError(ValidationError, NetworkError):
    """The server rejected the input (HTTP 400/422); ``field`` names the offending field."""


class RequestTimeoutError(SegmentsError, builtins.TimeoutError):
    """The request timed out (connect, read, write or pool timeout), or the gateway answered 504."""


# The seeds document ``TimeoutError``; it is the same class, so ``except TimeoutError`` works with either name
# (and with the builtin). It is only bound inside this module, never in ``labelhouse`` itself.
TimeoutError = RequestTimeoutError


class APIConnectionError(NetworkError):
    """The server could not be reached (refused, reset, DNS), after the retries."""


class NotFoundError(NetworkError):
    """The resource does not exist, or the caller cannot see it (HTTP 404)."""


class AlreadyExistsError(NetworkError):
    """An object with this name already exists."""


class CollaboratorError(NetworkError):
    """The user cannot be added as a collaborator."""


class SubscriptionError(NetworkError):
    """The account's plan does not allow this."""


class ConflictError(NetworkError):
    """The request conflicts with the current state (HTTP 409)."""


class ServerError(NetworkError):
    """The server failed (HTTP 5xx)."""


class ReleaseFailedError(SegmentsError):
    """A release ended in status FAILED."""


class InvalidModelError(SegmentsError):
    """An object of the wrong model type was passed."""


class MissingContextError(SegmentsError):
    """A model method needs a client (the object was not returned by a client)."""


_BY_CODE: dict[str, type[SegmentsError]] = {
    "not_authenticated": AuthenticationError,
    "invalid_api_key": AuthenticationError,
    "authentication_failed": AuthenticationError,
    "permission_denied": AuthorizationError,
    "forbidden": AuthorizationError,
    "not_found": NotFoundError,
    "already_exists": AlreadyExistsError,
    "collaborator_error": CollaboratorError,
    "subscription_error": SubscriptionError,
    "throttled": APILimitError,
    "rate_limited": APILimitError,
    "conflict": ConflictError,
    "invalid": InvalidRequestError,
    "payload_too_large": InvalidRequestError,
    "unsupported_media_type": InvalidRequestError,
    "timeout": RequestTimeoutError,
}

_BY_STATUS: dict[int, type[SegmentsError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: AuthorizationError,
    404: NotFoundError,
    409: ConflictError,
    413: InvalidRequestError,
    415: InvalidRequestError,
    422: InvalidRequestError,
    429: APILimitError,
    408: RequestTimeoutError,
    504: RequestTimeoutError,
}


def exception_class_for(status: int, code: str | None) -> type[SegmentsError]:
    """The exception class for an error response: the machine code first, then the status."""
    if code and code in _BY_CODE:
        return _BY_CODE[code]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return NetworkError
