"""HTTP plumbing shared by every feature: bounded (and inflated) request bodies, fast JSON responses, slash-twin
routes."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import secrets
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any, TypeVar

import orjson
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .contract import COMMON_ERRORS, responses
from .errors import Invalid, LabelhouseError, UnsupportedMediaType
from .labelbox.errors import plumbing_error_body
from .limits import FORM_OVERHEAD, JsonShape, LimitExceeded, RouteLimits, body_too_large, limits_for
from .routing import Routes


class JSONBytesResponse(JSONResponse):
    """JSON rendered by orjson; accepts ``orjson.Fragment`` for stored JSON text spliced in undecoded. (A
    ``JSONResponse`` so that the OpenAPI description shows each route's model, not a string.)"""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, (bytes, bytearray)):
            return bytes(content)
        return orjson.dumps(content)

    @classmethod
    def of_json(cls, body: bytes, status_code: int = 200) -> JSONBytesResponse:
        """``cls(body, status_code)`` for JSON already rendered, with a body (not 1xx, 204 or 304): the same
        attributes and headers, without Starlette's generic ``__init__`` and ``init_headers`` (~5 of the ~85 µs a
        GET of a sample costs in-process, bench/RESULTS.md issue 16 session 9)."""
        response = cls.__new__(cls)
        response.status_code = status_code
        response.background = None
        response.body = body
        response.raw_headers = [(b"content-length", str(len(body)).encode("latin-1")), _JSON_CONTENT_TYPE]
        return response


_JSON_CONTENT_TYPE = (b"content-type", b"application/json")


def json_response(content: Any, status_code: int = 200) -> JSONBytesResponse:
    if type(content) is bytes and 200 <= status_code and status_code not in (204, 304):
        return JSONBytesResponse.of_json(content, status_code)
    return JSONBytesResponse(content, status_code=status_code)


def empty_response() -> Response:
    return Response(status_code=204)


T = TypeVar("T")
# The body the plumbing middleware parsed for this request (see ``parse_json``).
_parsed_body: ContextVar[tuple[bytes, Any] | None] = ContextVar("labelhouse_parsed_body", default=None)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
# Screening for integers that may not fit 64 bits: a run of 19 or more digits. ``bytes.translate`` + ``find`` (C
# loops) instead of a regular expression, which costs as much as the JSON parse itself on a bulk body full of
# digits (names, URLs): 19-digit runs are searched as runs of one byte in the translated copy.
_DIGITS_AS_NINES = bytes(0x39 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_RUN = b"9" * 19
# Of those, an integer literal: not a fraction's digits (0.0012345678901234567, as float32 vectors written as
# JSON have) nor a mantissa. Searched only in the rare bodies the screening lets through.
_LONG_INTEGER = re.compile(rb"(?<![\d.])\d{19,}(?![\d.eE])")


def _may_hold_long_integers(raw: bytes) -> bool:
    return raw.translate(_DIGITS_AS_NINES).find(_LONG_RUN) != -1 and _LONG_INTEGER.search(raw) is not None


def parse_json(raw: bytes) -> Any:
    """The JSON document in ``raw``, a request body. The plumbing middleware has already checked and parsed it
    (strictly: no NaN, no lone surrogates, integers within 64 bits, the depth limit); that parse is reused."""
    parsed = _parsed_body.get()
    # Starlette's ``Request.body()`` joins the replayed body with a final empty chunk, which makes a copy: the
    # same bytes, another object. Equal bytes (a memcmp, cheap next to a parse) are the same body.
    if parsed is not None and (parsed[0] is raw or parsed[0] == raw):
        return parsed[1]
    if not raw:
        raise Invalid("Request body is empty; a JSON document was expected.", field="body")
    return strict_json(raw)


def strict_json(raw: bytes) -> Any:
    """Parse ``raw`` with orjson (which refuses NaN/Infinity, lone surrogates and invalid UTF-8) and refuse
    integers outside 64 bits (orjson reads longer ones as floats, Python's json as big ints that no column or
    serializer of ours can hold)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Invalid(f"Request body is not valid JSON: {exc}", field="body") from None
    if _may_hold_long_integers(raw):  # rare: only then is the exact check worth a second parse
        _check_integers(json.loads(raw), "")
    return value


def _check_integers(value: Any, path: str) -> None:
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))
        elif isinstance(item, int) and not isinstance(item, bool) and not _INT64[0] <= item <= _INT64[1]:
            field = where or "body"
            raise Invalid(f"{field}: integer out of range (integers must fit in 64 bits).", field=field)


class _RequestIds:
    """Request ids: 32 hex digits, a random prefix per process (drawn again in a forked child) and a counter. As
    unique as ``uuid4().hex`` across processes and restarts, without its system call (``getrandom``) and UUID object
    per request: a fifth of the plumbing's cost on a single GET (bench/RESULTS.md, issue 10)."""

    def __init__(self) -> None:
        self.reseed()
        os.register_at_fork(after_in_child=self.reseed)

    def reseed(self) -> None:
        self.prefix = secrets.token_hex(8)
        self.counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter) & 0xFFFFFFFFFFFFFFFF:016x}"


_request_ids = _RequestIds()

_ENCODINGS = {b"": None, b"identity": None, b"gzip": "gzip", b"x-gzip": "gzip", b"deflate": "deflate"}
_INLINE_INFLATE = 256 * 1024  # inflate at most this much on the event loop; the rest in a worker thread
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RequestPlumbingMiddleware:
    """Pure ASGI middleware: request ids, and bounded request bodies (``limits.py``), before any route and before
    authentication:

    - ``Content-Encoding`` gzip/deflate bodies are inflated (the official SDK gzips sample and label writes), in
      bounded steps: large ones in a worker thread, never beyond the route's body limit; other encodings: 415;
    - the body (inflated) is bounded by its route class's size limit (413), its JSON shape by the depth and item
      limits while it streams (``limits.JsonShape``), and it is parsed strictly once (``strict_json``; routes
      reuse that parse through ``parse_json``);
    - upload forms (``POST /uploads/``, GraphQL multipart uploads) stream through, counted against
      ``max_upload_bytes``;
    - refusals are rendered in the error dialect of the API the path belongs to (``send_error``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1") or _request_ids.next()
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())]
            await send(message)

        declared = headers.get(b"content-length")
        if scope["method"] in _NO_BODY_METHODS and declared in (None, b"0") \
                and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send_with_id)
            return
        settings = _settings_of(scope)
        limits = limits_for(settings, scope["method"], scope["path"], headers.get(b"content-type", b""))
        try:
            encoding = _encoding(headers.get(b"content-encoding", b""))
            if limits.kind == "upload":  # the route checks the declared length and the signed policy's limit
                if encoding is not None:
                    raise UnsupportedMediaType("Upload forms cannot be Content-Encoded.", field="Content-Encoding")
                await self.app(scope, _counting(receive, limits), send_with_id)
                return
            if declared is not None and declared.isdigit() and int(declared) > limits.max_body:
                raise body_too_large(limits.body_setting, limits.max_body)
            body = await _read_body(receive, limits, encoding)
            if body is None:
                return  # the client went away
            parsed = (body, await _parse(body)) if body and limits.kind != "ndjson" else None
        except LabelhouseError as exc:
            await send_error(send_with_id, scope["path"], exc.status_code, {**exc.body(), "request_id": request_id})
            return
        if encoding is not None:
            new_headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")]
            new_headers.append((b"content-length", str(len(body)).encode()))
            scope = {**scope, "headers": new_headers}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        token = _parsed_body.set(parsed)
        try:
            await self.app(scope, replay, send_with_id)
        finally:
            _parsed_body.reset(token)


def _settings_of(scope: Scope) -> Any:
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    if settings is None:
        from .settings import Settings

        settings = Settings()
    return settings


def _encoding(value: bytes) -> str | None:
    key = value.strip().lower()
    if key not in _ENCODINGS:
        name = value.decode("latin-1")
        raise UnsupportedMediaType(f"Content-Encoding '{name}' is not supported; send gzip, deflate or an "
                                   "unencoded body.", field="Content-Encoding")
    return _ENCODINGS[key]


def _counting(receive: Receive, limits: RouteLimits) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limits.max_body:  # the form's file part is past the setting (max_body adds the form's overhead)
            setting = limits.max_body - FORM_OVERHEAD
            raise LimitExceeded(f"Upload exceeds {setting} bytes (limit {limits.body_setting}).",
                                limit=limits.body_setting, maximum=setting, field="file", status_code=413)
        return message

    return counted


class _Inflater:
    """gzip or deflate (zlib-wrapped, or raw as some clients send it), bounded to ``limit`` output bytes."""

    def __init__(self, encoding: str, limits: RouteLimits) -> None:
        self.limits = limits
        self.raw_deflate = False
        self.d = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
        self.encoding = encoding
        self.out = 0
        self.started = False

    def step(self, data: bytes, max_length: int) -> bytes:
        try:
            out = self.d.decompress(data, max_length)
        except zlib.error:
            if self.encoding == "deflate" and not self.started and not self.raw_deflate:
                self.raw_deflate = True
                self.d = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self.d.decompress(data, max_length)
            else:
                raise
        self.started = True
        self.out += len(out)
        if self.out > self.limits.max_body:
            raise body_too_large(self.limits.body_setting, self.limits.max_body)
        return out

    def rest(self, shape: JsonShape, out: list[bytes]) -> None:
        """Inflate what is left of the input given so far (in a worker thread)."""
        while self.d.unconsumed_tail:  # 1 MiB at a time: the shape limits stop a bomb early
            piece = self.step(self.d.unconsumed_tail, min(1 << 20, self.limits.max_body - self.out + 1))
            shape.feed(piece)
            out.append(piece)

    def finish(self) -> bytes:
        """What zlib still holds once the input is complete; refuses a truncated stream."""
        tail = self.d.flush()
        self.out += len(tail)
        if self.out > self.limits.max_body:
            raise body_too_large(self.limits.body_setting, self.limits.max_body)
        if not self.d.eof and not self.raw_deflate:
            raise zlib.error("truncated stream")
        return tail


async def _read_body(receive: Receive, limits: RouteLimits, encoding: str | None) -> bytes | None:
    shape = JsonShape(limits.max_depth, limits.max_items, limits.max_values)
    inflater = _Inflater(encoding, limits) if encoding is not None else None
    chunks: list[bytes] = []
    raw_seen = 0
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            data = message.get("body", b"")
            raw_seen += len(data)
            if raw_seen > limits.max_body:
                raise body_too_large(limits.body_setting, limits.max_body)
            if inflater is None:
                shape.feed(data)
                chunks.append(data)
            elif data:
                piece = inflater.step(data, min(_INLINE_INFLATE, limits.max_body - inflater.out + 1))
                shape.feed(piece)
                chunks.append(piece)
                if inflater.d.unconsumed_tail:
                    await _off_loop(inflater.rest, shape, chunks)
            if not message.get("more_body"):
                break
        if inflater is not None:
            tail = inflater.finish()
            if tail:
                shape.feed(tail)
                chunks.append(tail)
    except (zlib.error, EOFError):
        raise Invalid(f"Request body is not valid {encoding} data.", field="body") from None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _parse(body: bytes) -> Any:
    if len(body) > _INLINE_INFLATE:
        return await _off_loop(strict_json, body)
    return strict_json(body)


# Large bodies are inflated and parsed in ONE dedicated thread, not the shared worker pool: each thread
# allocates from its own malloc arena, and memory freed in one arena is not reused by another, so spreading body
# buffers over many pool threads let the process's peak memory ratchet up request after request.
_BODY_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lh-body")


async def _off_loop(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_BODY_THREAD, fn, *args)


async def send_error(send: Send, path: str, status: int, body: dict[str, Any],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a refusal made before any route ran, in the error dialect of the API ``path`` belongs to (the Segments
    body ``{"detail", "code", ...}``, or the Labelbox GraphQL envelope / REST ``message``)."""
    raw = orjson.dumps(plumbing_error_body(path, status, body) or body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": raw})


def route(router: Routes, path: str, methods: list[str], *, model: Any = None,
          errors: tuple[int, ...] = COMMON_ERRORS, status_code: int = 200,
          **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Register an endpoint at ``path`` and at its trailing-slash twin (seed 003 spells paths without the slash,
    the SDK with it; both are served directly, never redirected, by one route: ``routing.either_spelling``).

    ``model`` is the success body's schema and ``errors`` the error statuses the route can answer (each with the
    shared ``contract.ErrorBody``): both are published in the OpenAPI description only. What the route returns is
    rendered as it is (orjson), never re-validated against ``model``."""
    kwargs.setdefault("response_model", None)
    kwargs["status_code"] = status_code
    documented = {**responses(status_code, model, errors), **kwargs.get("responses", {})}
    # The models are given to FastAPI only when the OpenAPI description is made (``contract.document_models``):
    # FastAPI would otherwise build a TypeAdapter of each, for every route (~1,000 of them, mostly ErrorBody:
    # ~15 % of start-up CPU, bench/RESULTS.md issue 16 session 7).
    kwargs["responses"] = {code: {k: v for k, v in r.items() if k != "model"} for code, r in documented.items()}
    models = {code: r["model"] for code, r in documented.items() if r.get("model") is not None}

    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        router.declare(path, fn, either_spelling=True, documented=models, methods=methods, **kwargs)
        return fn

    return decorator


__all__ = ["JSONBytesResponse", "RequestPlumbingMiddleware", "empty_response", "json_response", "parse_json",
           "route", "send_error", "strict_json"]
