"""Fixtures for the Labelbox SDK tests (helpers: ``lbsupport.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lbsupport import labelbox_client
from support import LiveServer


@pytest.fixture
def lb_client(server: LiveServer, user: tuple[str, str]):  # type: ignore[no-untyped-def]
    return labelbox_client(server, user[1])
