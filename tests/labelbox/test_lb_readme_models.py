"""The root README's Labelbox models-and-embeddings snippet and its import -> export round trip run as written
against a real server (after the client and projects snippets they follow, and the two data rows they name)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_models_snippet_runs(server, user, lb_client, tmp_path):
    dataset = lb_client.create_dataset(name="readme")
    dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                              for k in ("img-0001", "img-0002")]).wait_till_done()
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    client_block = next(b for b in blocks if "lb.Client(" in b)
    projects = next(b for b in blocks if "project.create_batch(" in b)
    models = next(b for b in blocks if "create_model_run(" in b)
    code = (client_block + projects + models).replace('"lh_..."', repr(user[1])).replace(
        "Bearer lh_...", f"Bearer {user[1]}").replace("http://127.0.0.1:8000", server.url)
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=False, capture_output=True, text=True,
                         timeout=180, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.strip().splitlines()
    assert lines[-4:] == ["AnnotationImportState.FINISHED []", "2 ['img-0001']", "['img-0002']",
                          "1 AnnotationImportState.FINISHED []"]


def test_readme_round_trip_snippet_runs(server, user, lb_client, tmp_path):
    """The import -> export round trip snippet, after the client, projects and import snippets."""
    dataset = lb_client.create_dataset(name="readme")
    dataset.create_data_rows([{"row_data": f"https://example.com/{k}.jpg", "global_key": k}
                              for k in ("img-0001", "img-0002")]).wait_till_done()
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    parts = [next(b for b in blocks if marker in b) for marker in (
        "lb.Client(", "project.create_batch(", "LabelImport.create_from_objects(client, project.uid, \"boxes-1\"",
        "\"round-trip\"")]
    code = "".join(parts).replace('"lh_..."', repr(user[1])).replace("http://127.0.0.1:8000", server.url)
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=False, capture_output=True, text=True,
                         timeout=180, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == (
        "car {'top': 5.0, 'left': 6.0, 'height': 70.0, 'width': 80.0} [{'name': 'iou', 'score': 0.93}]")
