"""Helpers for driving the official Labelbox SDK (``labelbox==7.17.0``, unmodified) against a real server."""

from __future__ import annotations

from typing import Any

import httpx
from support import InProcessApp, LiveServer


def labelbox_client(server: LiveServer, key: str) -> Any:
    import labelbox as lb

    return lb.Client(api_key=key, endpoint=server.url + "/graphql", rest_endpoint=server.url + "/api/v1")


def gql(target: LiveServer | InProcessApp, key: str, query: str, variables: dict | None = None,
        path: str = "/graphql") -> httpx.Response:
    """A raw GraphQL POST, for what the SDK cannot send (malformed documents, unknown fields): to a server
    process or to the in-process app."""
    with target.client(headers={"Authorization": f"Bearer {key}"}) as http:
        return http.post(path, json={"query": query, "variables": variables or {}})
