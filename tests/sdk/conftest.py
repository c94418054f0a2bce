"""Fixtures for the SDK tests: our own ``labelhouse.SegmentsClient`` pointed at the real server process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from labelhouse import SegmentsClient


@pytest.fixture
def lh(server, user) -> Iterator[SegmentsClient]:
    """Our SDK, authenticated as a fresh user."""
    with SegmentsClient(user[1], api_url=server.url, max_retries=1) as client:
        yield client


