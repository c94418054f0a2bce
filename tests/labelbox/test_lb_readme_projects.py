"""The root README's Labelbox projects snippet runs as written against a real server (after making the two data
rows it names)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_projects_snippet_runs(server, user, lb_client):
    dataset = lb_client.create_dataset(name="readme")
    task = dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                                     for k in ("img-0001", "img-0002")])
    task.wait_till_done()
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    client_block = next(b for b in blocks if "lb.Client(" in b)
    snippet = next(b for b in blocks if "project.create_batch(" in b)
    code = (client_block.replace('"lh_..."', repr(user[1])).replace("http://127.0.0.1:8000", server.url)
            + snippet)
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=False, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "2 [] ['Initial labeling task', 'Initial review task']"
