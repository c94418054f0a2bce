"""The root README's SDK snippet runs as written (with the key and URL filled in) against a real server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_sdk_snippet_runs(server, user):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    snippet = next(b for b in blocks if "from labelhouse import SegmentsClient" in b)
    code = snippet.replace('"lh_..."', repr(user[1])).replace('"http://127.0.0.1:8000/"', repr(server.url + "/"))
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    status, url = out.stdout.split()[-2:]
    assert status == "SUCCEEDED" and url.startswith(server.url)


def test_readme_shows_exactly_two_setup_commands():
    section = README.read_text().split("## The two commands", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)[0].strip().splitlines()
    assert [c.split("#")[0].strip() for c in commands] == ["make serve", "make test"]
