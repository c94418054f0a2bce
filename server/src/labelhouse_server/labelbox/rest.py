"""The REST side of the Labelbox API under ``rest_endpoint`` (``/api/v1/...``; contract §2.6).

The SDK checks each route's exact success code and otherwise raises ``LabelboxError(response.json()["message"])``:
every error body must be a JSON object with ``message``. ``MessageErrorRoute`` renders our ``LabelhouseError``s
that way (status unchanged) for every route of ``router`` — and for any other router that opts in with
``Routes(route_class=MessageErrorRoute)`` (the ``/adv`` embedding routes). Authenticate with ``BearerUser``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import Response

from ..auth.bearer import BearerUser
from ..errors import LabelhouseError
from ..routing import Routes

PREFIX = "/api/v1"


def message_response(status: int, message: str, code: str) -> Response:
    return Response(orjson.dumps({"message": message, "code": code}), status_code=status,
                    media_type="application/json")


class MessageErrorRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except LabelhouseError as exc:
                return message_response(exc.status_code, exc.detail, exc.code)
            except RequestValidationError as exc:
                errors = exc.errors()
                first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
                where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
                return message_response(400, f"{where or 'body'}: {first.get('msg')}", "invalid")

        return handle


router = Routes(prefix=PREFIX, tags=["labelbox"], route_class=MessageErrorRoute)


@router.get("/status", summary="Check a Bearer API key (Labelbox REST routes)")
def rest_status(user: BearerUser) -> dict[str, Any]:
    return {"status": "ok", "user": user.username}


def add_fallback(router_or_app: Any) -> None:
    """Unknown ``/api/v1`` paths answer 404 with a ``message`` (register after every ``/api/v1`` route)."""

    @router_or_app.api_route(PREFIX + "/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                             include_in_schema=False)
    def unknown_route(rest: str) -> Response:
        return message_response(404, f"Not found: {PREFIX}/{rest}", "not_found")
