from __future__ import annotations

from typing import Any

from .._base import NO_BODY, Call
from ._common import ClientPrimitives, json_value


class RawMixin(ClientPrimitives):
    """Direct access to any endpoint (seed 000): returns the decoded JSON answer, or None for an empty one."""

    def _raw(self, method: str, endpoint: str, data: Any, auth: bool) -> Any:
        return self._call(Call(method, endpoint, body=NO_BODY if data is None else data, parse=json_value,
                               auth=auth, allow_empty=True))

    def get(self, endpoint: str, auth: bool = True) -> Any:
        """``GET`` an API path. >>> client.get("/user")"""
        return self._raw("GET", endpoint, None, auth)

    def post(self, endpoint: str, data: Any = None, auth: bool = True) -> Any:
        """``POST`` JSON to an API path. >>> client.post("/assets/", {"filename": "a.png"})"""
        return self._raw("POST", endpoint, data, auth)

    def put(self, endpoint: str, data: Any = None, auth: bool = True) -> Any:
        """``PUT`` JSON to an API path."""
        return self._raw("PUT", endpoint, data, auth)

    def patch(self, endpoint: str, data: Any = None, auth: bool = True) -> Any:
        """``PATCH`` JSON to an API path."""
        return self._raw("PATCH", endpoint, data, auth)

    def delete(self, endpoint: str, data: Any = None, auth: bool = True) -> Any:
        """``DELETE`` an API path (with an optional JSON body)."""
        return self._raw("DELETE", endpoint, data, auth)
