"""The fuzz test (fuzzing.py) for the operations of part "accounts"."""

import pytest
from server.api.fuzz.fuzzing import fuzz

pytestmark = pytest.mark.slow


def test_no_server_errors(app) -> None:
    fuzz(app, "accounts")
