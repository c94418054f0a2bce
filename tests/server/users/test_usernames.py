"""What a username may be: 1-150 letters, digits, '_', '.', '-', starting with a letter or digit, nothing else."""

from __future__ import annotations

import pytest
from labelhouse_server.errors import Invalid
from labelhouse_server.users.service import validate_username


@pytest.mark.parametrize("name", ["a", "alice", "Alice_1.x-y", "9lives", "a" * 150])
def test_valid_usernames(name: str) -> None:
    assert validate_username(name) == name


@pytest.mark.parametrize("name", ["", "alice\n", "alice\r\n", "\nalice", "al ice", "_alice", "a" * 151, "al\"ice",
                                  "alicé"])
def test_invalid_usernames(name: str) -> None:
    with pytest.raises(Invalid):
        validate_username(name)
