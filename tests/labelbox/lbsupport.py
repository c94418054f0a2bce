"""Helpers for driving the official Labelbox SDK (``labelbox==7.17.0``, unmodified) against a real server."""

from __future__ import annotations

from typing import Any

import httpx
from support import LiveServer


def labelbox_client(server: LiveServer, key: str) -> Any:
    import labelbox as lb

    return lb.Client(api_key=key, endpoint=server.url + "/graphql", rest_endpoint=server.url + "/api/v1")


def gql(server: LiveServer, key: str, query: str, variables: dict | None = None,
        path: str = "/graphql") -> httpx.Response:
    """A raw GraphQL POST, for what the SDK cannot send (malformed documents, unknown fields)."""
    return httpx.post(server.url + path, json={"query": query, "variables": variables or {}},
                      headers={"Authorization": f"Bearer {key}"}, timeout=60)
