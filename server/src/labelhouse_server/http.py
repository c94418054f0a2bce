"""HTTP plumbing shared by every feature: gzip request bodies, fast JSON responses, slash-twin routes."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .contract import COMMON_ERRORS, responses
from .errors import Invalid, PayloadTooLarge

MAX_JSON_BODY = 256 * 1024 * 1024


class JSONBytesResponse(JSONResponse):
    """JSON rendered by orjson; accepts ``orjson.Fragment`` for stored JSON text spliced in undecoded. (A
    ``JSONResponse`` so that the OpenAPI description shows each route's model, not a string.)"""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, (bytes, bytearray)):
            return bytes(content)
        return orjson.dumps(content)


def json_response(content: Any, status_code: int = 200) -> JSONBytesResponse:
    return JSONBytesResponse(content, status_code=status_code)


def empty_response() -> Response:
    return Response(status_code=204)


def parse_json(raw: bytes) -> Any:
    if not raw:
        raise Invalid("Request body is empty; a JSON document was expected.", field="body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Invalid(f"Request body is not valid JSON: {exc}", field="body") from None


class RequestPlumbingMiddleware:
    """Pure ASGI middleware: request ids, and transparent gunzip of ``Content-Encoding: gzip`` bodies
    (the official SDK gzips sample and label writes)."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_JSON_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1") or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode())]
            await send(message)

        encoding = headers.get(b"content-encoding", b"").lower().strip()
        if encoding not in (b"gzip", b"deflate"):
            await self.app(scope, receive, send_with_id)
            return

        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        try:
            if encoding == b"gzip":
                body = _bounded_gunzip(raw, self.max_body)
            else:
                body = zlib.decompress(raw)
        except PayloadTooLarge as exc:
            await _send_error(send_with_id, 413, exc.detail, exc.code)
            return
        except (OSError, EOFError, zlib.error):
            await _send_error(send_with_id, 400, "Request body is not valid gzip data.", "invalid")
            return
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

        await self.app(scope, replay, send_with_id)


def _bounded_gunzip(raw: bytes, limit: int) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = d.decompress(raw, limit + 1)
    if len(out) > limit:
        raise PayloadTooLarge(f"Decompressed request body exceeds {limit} bytes.")
    if not d.eof:
        # truncated stream
        raise OSError("truncated gzip stream")
    return out


async def _send_error(send: Send, status: int, detail: str, code: str) -> None:
    body = orjson.dumps({"detail": detail, "code": code})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def route(router: APIRouter, path: str, methods: list[str], *, model: Any = None,
          errors: tuple[int, ...] = COMMON_ERRORS, status_code: int = 200,
          **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Register an endpoint at ``path`` and at its trailing-slash twin (seed 003 spells paths without the slash,
    the SDK with it; both are served directly, never redirected).

    ``model`` is the success body's schema and ``errors`` the error statuses the route can answer (each with the
    shared ``contract.ErrorBody``): both are published in the OpenAPI description only. What the route returns is
    rendered as it is (orjson), never re-validated against ``model``."""
    kwargs.setdefault("response_model", None)
    kwargs["status_code"] = status_code
    kwargs["responses"] = {**responses(status_code, model, errors), **kwargs.get("responses", {})}

    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        router.add_api_route(path, fn, methods=methods, **kwargs)
        twin = path[:-1] if path.endswith("/") else path + "/"
        twin_kwargs = {k: v for k, v in kwargs.items() if k not in ("operation_id",)}
        twin_kwargs["include_in_schema"] = False
        router.add_api_route(twin, fn, methods=methods, **twin_kwargs)
        return fn

    return decorator


__all__ = ["JSONBytesResponse", "RequestPlumbingMiddleware", "empty_response", "json_response", "parse_json",
           "route"]
