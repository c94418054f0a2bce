"""The README quick start runs, as written, against a real server (twice: re-running must be harmless)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "sdk" / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)


def run_block(code: str, server, key: str) -> str:
    env = {**os.environ, "LABELHOUSE_API_KEY": key, "LABELHOUSE_API_URL": server.url + "/"}
    env.pop("SEGMENTS_API_KEY", None)
    out = subprocess.run([sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_readme_has_the_three_examples() -> None:
    assert len(BLOCKS) == 3


@pytest.fixture
def quickstart_done(server, user) -> tuple[str, str]:
    first = run_block(BLOCKS[0], server, user[1])
    assert f"hello {user[0]}" in first and "25 samples in the north garden" in first
    assert "404 not_found" in first
    second = run_block(BLOCKS[0], server, user[1])
    assert "25 samples in the north garden" in second  # nothing duplicated on a re-run
    return user


def test_quick_start_and_async_example(server, quickstart_done: tuple[str, str]) -> None:
    out = run_block(BLOCKS[2], server, quickstart_done[1])
    assert f"{quickstart_done[0]}/quickstart-flowers" in out
    assert "quickstart-flowers starts with ['flower-000.jpg', 'flower-001.jpg', 'flower-002.jpg']" in out


def test_release_example(server, quickstart_done: tuple[str, str]) -> None:
    out = run_block(BLOCKS[1], server, quickstart_done[1])
    assert "SUCCEEDED" in out and "50 samples in ReleaseDataset" in out
