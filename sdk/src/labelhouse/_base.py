"""The one request chokepoint of the SDK.

Every API call is described by a :class:`Call` (method, path, query, body, how to parse the answer) and executed
here: base URL, ``Authorization: APIKey <key>``, a request id, timeouts, retries with exponential backoff that
honour ``Retry-After``, gzip request bodies, query parameters encoded by httpx, and status/code → exception
mapping. :class:`SyncAPIClient` and :class:`AsyncAPIClient` share everything except the loop that sends.

Retries (``max_retries`` extra attempts, default 3):

- connection failures that happen before the request was sent (connect error/timeout, pool timeout): any method;
- other transport errors and read timeouts, and HTTP 429/502/503/504: idempotent calls only (GET, HEAD, PUT,
  DELETE, OPTIONS, and calls marked idempotent such as PATCH of fields and the de-duplicating bulk sample POST);
- HTTP 429 for every method, because a throttled request was not processed.

The wait is ``Retry-After`` when the server sends one (seconds or an HTTP date, capped at ``max_retry_delay``),
otherwise ``backoff * 2**attempt`` with a little jitter, capped at ``max_backoff``.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import enum
import gzip
import json
import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from . import exceptions as exc
from ._version import __version__

T = TypeVar("T")

log = logging.getLogger("labelhouse")

DEFAULT_API_URL = "http://127.0.0.1:8000/"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 3
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
API_KEY_ENV = ("LABELHOUSE_API_KEY", "SEGMENTS_API_KEY")
API_URL_ENV = ("LABELHOUSE_API_URL", "SEGMENTS_API_URL")


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NO_BODY: Any = _Sentinel("NO_BODY")  # a Call without a request body (``None`` would be JSON null)
NOT_GIVEN: Any = _Sentinel("NOT_GIVEN")  # an option left as it is (``None`` is a valid timeout)


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API request and how to turn its answer into a result."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    body: Any = NO_BODY
    parse: Callable[[Any], T] | None = None
    gzip: bool = False
    idempotent: bool | None = None  # None: decided by the method
    auth: bool = True
    form: Mapping[str, str] | None = None  # multipart upload: plain form fields ...
    files: Mapping[str, Any] | None = None  # ... and file parts (bytes, so a retry can resend them)
    allow_empty: bool = False  # an empty 2xx body parses to None instead of raising
    raw: bool = False  # return the response body as bytes (downloads)

    @property
    def is_idempotent(self) -> bool:
        return self.idempotent if self.idempotent is not None else self.method.upper() in IDEMPOTENT_METHODS


def segment(value: Any) -> str:
    """One path segment, percent-encoded (names may contain spaces, ``#``, ``?``, ``/`` ...)."""
    if value is None or value == "":
        raise exc.ValidationError("A path parameter is empty.")
    return quote(str(value.value if isinstance(value, enum.Enum) else value), safe="")


def dataset_path(dataset_identifier: str, *rest: Any, slash: bool = True) -> str:
    """``/datasets/<owner>/<name>/<rest...>/`` from ``"owner/name"``."""
    if not isinstance(dataset_identifier, str) or dataset_identifier.count("/") != 1:
        raise exc.ValidationError(
            f"dataset_identifier must look like 'owner/name', got {dataset_identifier!r}.", field="dataset_identifier"
        )
    owner, name = dataset_identifier.split("/")
    path = "/datasets/" + "/".join(segment(p) for p in (owner, name, *rest))
    return path + "/" if slash else path


def to_jsonable(value: Any) -> Any:
    """Plain JSON data from models, enums, datetimes, numpy scalars/arrays and containers."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays and scalars
        return value.tolist()
    return value


def encode_body(body: Any) -> bytes:
    try:
        return json.dumps(to_jsonable(body), separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError) as e:
        raise exc.ValidationError(f"The request body cannot be sent as JSON: {e}", e) from e


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), or None."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _not_sent(error: httpx.TransportError) -> bool:
    """True when the request certainly never reached the server, so even a POST may be repeated."""
    return isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def error_from_response(response: httpx.Response, request_id: str | None = None) -> exc.SegmentsError:
    """The exception for an error response, chosen by machine code, then status."""
    body: Any = None
    detail: str | None = None
    code: str | None = None
    field: str | None = None
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw_detail = body.get("detail")
        if isinstance(raw_detail, str):
            detail = raw_detail
        elif raw_detail is not None:
            detail = json.dumps(raw_detail)
        elif body:
            detail = json.dumps(body)  # DRF-style {"field": ["message"]}
        code = body.get("code") if isinstance(body.get("code"), str) else None
        field = body.get("field") if isinstance(body.get("field"), str) else None
        request_id = body.get("request_id") or request_id
    request_id = response.headers.get("x-request-id") or request_id
    if detail is None:
        detail = response.text.strip() or response.reason_phrase or "error"
    cls = exc.exception_class_for(response.status_code, code)
    message = f"{detail} (HTTP {response.status_code}"
    message += f", field {field}" if field else ""
    message += f", request id {request_id})" if request_id else ")"
    return cls(message, status=response.status_code, code=code, field=field, request_id=request_id, body=body)


class _ClientCore:
    """Configuration and the send-independent halves of every request."""

    _http: Any  # httpx.Client or httpx.AsyncClient, narrowed by the subclasses
    _own_http: bool = True  # False for with_options() copies, which share the connection pool
    _default_sleep: Callable[[float], Any]  # time.sleep or asyncio.sleep; tests replace self._sleep

    def __init__(
        self,
        api_key: str | None = None,
        api_url: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_delay: float = 120.0,
        enable_compression: bool = True,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        http_client: httpx.Client | httpx.AsyncClient | None = None,
    ) -> None:
        """See :class:`labelhouse.SegmentsClient` for the parameters. ``transport`` replaces the network (tests
        use ``httpx.MockTransport``); ``http_client`` is an httpx client to use instead of a new one."""
        if api_key is None:
            api_key = next((os.environ[v] for v in API_KEY_ENV if os.environ.get(v)), None)
        if not api_key:
            raise exc.AuthenticationError(
                "Please provide the `api_key` or set LABELHOUSE_API_KEY (or SEGMENTS_API_KEY) in your environment."
            )
        if api_url is None:
            api_url = next((os.environ[v] for v in API_URL_ENV if os.environ.get(v)), DEFAULT_API_URL)
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.api_key = api_key
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_delay = max_retry_delay
        self.enable_compression = enable_compression
        self._headers = {
            "Authorization": f"APIKey {api_key}",
            "Accept": "application/json",
            "User-Agent": f"labelhouse-python/{__version__}",
            "X-source": "python-sdk",
            **(headers or {}),
        }
        self._sleep: Callable[[float], Any] = self._default_sleep
        self._http = http_client or self._new_http(transport)
        self._own_http = http_client is None

    def _new_http(self, transport: Any) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_url={self.api_url!r})"

    def with_options(self, *, timeout: Any = NOT_GIVEN, max_retries: int | None = None,
                     enable_compression: bool | None = None) -> Any:
        """A copy with other settings that shares this client's connections (closing it closes nothing).

        >>> client.with_options(timeout=600, max_retries=0).add_samples("jane/flowers", huge_list)
        """
        clone = copy.copy(self)
        clone._own_http = False
        if timeout is not NOT_GIVEN:
            clone.timeout = timeout
        if max_retries is not None:
            if max_retries < 0:
                raise ValueError("max_retries must be >= 0")
            clone.max_retries = max_retries
        if enable_compression is not None:
            clone.enable_compression = enable_compression
        return clone

    # --- building ------------------------------------------------------------------------------------------
    def _request_args(self, call: Call[Any], request_id: str) -> dict[str, Any]:
        headers = {"X-Request-ID": request_id}
        content: bytes | None = None
        if call.body is not NO_BODY:
            content = encode_body(call.body)
            headers["Content-Type"] = "application/json"
            if call.gzip and self.enable_compression:
                content = gzip.compress(content, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
        params = None
        if call.params:
            params = {k: _param(v) for k, v in call.params.items() if v is not None}
        absolute = call.path.startswith(("http://", "https://"))
        args: dict[str, Any] = {"method": call.method, "url": call.path if absolute else call.path.lstrip("/"),
                                "params": params, "headers": headers, "timeout": self.timeout}
        if call.files is not None:
            args.update(data=dict(call.form or {}), files=dict(call.files))
        else:
            args["content"] = content
        return args

    def _build(self, call: Call[Any], args: dict[str, Any]) -> httpx.Request:
        request = self._http.build_request(**args)
        if not call.auth:
            request.headers.pop("Authorization", None)
        return request

    def _same_origin(self, url: str) -> bool:
        api, other = httpx.URL(self.api_url), httpx.URL(url)
        return (api.scheme, api.host, api.port) == (other.scheme, other.host, other.port)

    def _download_call(self, url: str) -> Call[bytes]:
        """GET a file URL; the API key is sent only to the API's own origin."""
        return Call("GET", url, raw=True, auth=self._same_origin(url))

    # --- retrying ------------------------------------------------------------------------------------------
    def _backoff_delay(self, attempt: int) -> float:
        delay = min(self.max_backoff, self.backoff * (2.0**attempt))
        return float(delay * (1 - 0.25 * random.random()))

    def _retry_delay(self, call: Call[Any], attempt: int, *, response: httpx.Response | None = None,
                     error: httpx.TransportError | None = None) -> float | None:
        """Seconds to wait before the next attempt, or None to stop."""
        if attempt >= self.max_retries:
            return None
        if error is not None:
            if _not_sent(error) or call.is_idempotent:
                return self._backoff_delay(attempt)
            return None
        assert response is not None
        if response.status_code not in RETRY_STATUSES:
            return None
        if response.status_code != 429 and not call.is_idempotent:
            return None
        after = retry_after_seconds(response)
        if after is not None:
            return min(after, self.max_retry_delay)
        return self._backoff_delay(attempt)

    def _log_retry(self, call: Call[Any], attempt: int, delay: float, why: str) -> None:
        log.info("%s %s: %s; retry %d of %d in %.2f s", call.method, call.path, why, attempt + 1, self.max_retries,
                 delay)

    @staticmethod
    def _transport_error(error: httpx.TransportError, request_id: str) -> exc.SegmentsError:
        if isinstance(error, httpx.TimeoutException):
            return exc.RequestTimeoutError(f"The request timed out: {error!r} (request id {request_id})", error,
                                           request_id=request_id)
        return exc.APIConnectionError(f"Could not reach the server: {error!r} (request id {request_id})", error,
                                      request_id=request_id)

    # --- answering -----------------------------------------------------------------------------------------
    @staticmethod
    def _result(call: Call[T], response: httpx.Response, request_id: str) -> T:
        if response.status_code >= 400:
            raise error_from_response(response, request_id)
        if call.raw:
            return response.content  # type: ignore[return-value]
        if call.parse is None:
            return None  # type: ignore[return-value]
        rid = response.headers.get("x-request-id") or request_id
        if not response.content:
            if call.allow_empty:
                return None  # type: ignore[return-value]
            raise exc.NetworkError(f"The server sent an empty response (HTTP {response.status_code}).",
                                   status=response.status_code, request_id=rid)
        try:
            data = response.json()
        except ValueError as e:
            raise exc.NetworkError(f"The server sent a response that is not JSON: {e}", e,
                                   status=response.status_code, request_id=rid) from e
        try:
            return call.parse(data)
        except pydantic.ValidationError as e:
            raise exc.ValidationError(f"The server response did not match the expected model: {e}", e,
                                      status=response.status_code, request_id=rid, body=data) from e


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return value.value
    return value


class SyncAPIClient(_ClientCore):
    """Sends :class:`Call` objects with ``httpx.Client``."""

    _http: httpx.Client

    _default_sleep = staticmethod(time.sleep)

    def _new_http(self, transport: httpx.BaseTransport | None) -> httpx.Client:
        return httpx.Client(base_url=self.api_url, headers=self._headers, timeout=self.timeout, transport=transport,
                            follow_redirects=True)

    def _call(self, call: Call[T]) -> T:
        request_id = uuid.uuid4().hex
        args = self._request_args(call, request_id)
        attempt = 0
        while True:
            try:
                response = self._http.send(self._build(call, args))
            except httpx.TransportError as error:
                delay = self._retry_delay(call, attempt, error=error)
                if delay is None:
                    raise self._transport_error(error, request_id) from error
                self._log_retry(call, attempt, delay, repr(error))
            else:
                delay = self._retry_delay(call, attempt, response=response)
                if delay is None:
                    return self._result(call, response, request_id)
                self._log_retry(call, attempt, delay, f"HTTP {response.status_code}")
                response.close()
            self._sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the connection pool. The client is also a context manager."""
        if self._own_http:
            self._http.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class AsyncAPIClient(_ClientCore):
    """Sends :class:`Call` objects with ``httpx.AsyncClient``."""

    _http: httpx.AsyncClient

    _default_sleep = staticmethod(asyncio.sleep)

    def _new_http(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.api_url, headers=self._headers, timeout=self.timeout,
                                 transport=transport, follow_redirects=True)

    async def _call(self, call: Call[T]) -> T:
        request_id = uuid.uuid4().hex
        args = self._request_args(call, request_id)
        attempt = 0
        while True:
            try:
                response = await self._http.send(self._build(call, args))
            except httpx.TransportError as error:
                delay = self._retry_delay(call, attempt, error=error)
                if delay is None:
                    raise self._transport_error(error, request_id) from error
                self._log_retry(call, attempt, delay, repr(error))
            else:
                delay = self._retry_delay(call, attempt, response=response)
                if delay is None:
                    return self._result(call, response, request_id)
                self._log_retry(call, attempt, delay, f"HTTP {response.status_code}")
                await response.aclose()
            await self._sleep(delay)
            attempt += 1

    async def close(self) -> None:
        """Close the connection pool. The client is also an async context manager."""
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()
