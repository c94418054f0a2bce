"""Fixtures for driving the official Labelbox SDK (``labelbox==7.17.0``, unmodified) against a real server."""

from __future__ import annotations

import pytest
from support import LiveServer


def labelbox_client(server: LiveServer, key: str):  # type: ignore[no-untyped-def]
    import labelbox as lb

    return lb.Client(api_key=key, endpoint=server.url + "/graphql", rest_endpoint=server.url + "/api/v1")


@pytest.fixture
def lb_client(server: LiveServer, user: tuple[str, str]):  # type: ignore[no-untyped-def]
    return labelbox_client(server, user[1])


def gql(server: LiveServer, key: str, query: str, variables: dict | None = None, path: str = "/graphql"):  # type: ignore[no-untyped-def]
    """A raw GraphQL POST, for what the SDK cannot send (malformed documents, unknown fields)."""
    import httpx

    return httpx.post(server.url + path, json={"query": query, "variables": variables or {}},
                      headers={"Authorization": f"Bearer {key}"}, timeout=60)
