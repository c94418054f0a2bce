"""``http.json_response`` of rendered JSON: the same response as ``JSONBytesResponse(body, status_code)`` (issue 16:
built without Starlette's generic ``__init__``)."""

from __future__ import annotations

import asyncio

import pytest
from labelhouse_server.http import JSONBytesResponse, json_response


async def _sent(response: JSONBytesResponse) -> list[dict]:
    messages: list[dict] = []

    async def send(message: dict) -> None:
        messages.append(message)

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    await response({"type": "http", "method": "GET", "path": "/"}, receive, send)
    return messages


@pytest.mark.parametrize("status", [200, 201, 400, 404])
@pytest.mark.parametrize("body", [b'{"a":1}', b"[]", b""])
def test_rendered_json_answers_as_the_generic_response(status: int, body: bytes) -> None:
    fast, generic = json_response(body, status_code=status), JSONBytesResponse(body, status_code=status)
    assert type(fast) is JSONBytesResponse and vars(fast) == vars(generic)
    assert asyncio.run(_sent(fast)) == asyncio.run(_sent(generic))
    fast.headers["Link"] = "<x>"  # headers added later go to this response only
    assert fast.raw_headers[-1] == (b"link", b"<x>") and len(json_response(body).raw_headers) == 2


@pytest.mark.parametrize("content", [{"a": 1}, [1, 2], None])
def test_other_content_and_bodiless_statuses_take_the_generic_path(content: object) -> None:
    assert vars(json_response(content)) == vars(JSONBytesResponse(content))
    assert vars(json_response(b"", status_code=204)) == vars(JSONBytesResponse(b"", status_code=204))
