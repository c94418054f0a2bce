"""Fixtures for the SDK tests against the app in-process (``tests/support.py``): our SDK's own ``transport=`` is
the app's ``httpx.ASGITransport``, so no server process and no socket. They replace, for this directory, the
``user`` of tests/conftest.py and the ``lh`` of tests/sdk/conftest.py, which need a ``labelhouse serve`` process
(kept for the tests where the process is the point: test_live_releases.py, test_parity_with_official.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from labelhouse import SegmentsClient
from support import InProcessApp


@pytest.fixture
def sdk_for(app: InProcessApp) -> Callable[[str], SegmentsClient]:
    """Our SDK as the holder of a key (``with sdk_for(key) as client:``), sending its requests to ``app``."""
    return lambda key: SegmentsClient(key, api_url=app.url, max_retries=1, transport=app.transport())


@pytest.fixture
def user(app: InProcessApp) -> tuple[str, str]:
    """A fresh user: (username, api_key)."""
    return app.create_user()


@pytest.fixture
def lh(sdk_for: Callable[[str], SegmentsClient], user: tuple[str, str]) -> Iterator[SegmentsClient]:
    """Our SDK, authenticated as a fresh user."""
    with sdk_for(user[1]) as client:
        yield client
