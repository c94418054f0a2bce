"""The committed OpenAPI snapshot matches the code, and the server serves it with interactive docs."""

from __future__ import annotations

import json
from pathlib import Path

from labelhouse_server.openapi import current_spec, render

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_snapshot_is_current():
    assert SNAPSHOT.exists(), "docs/openapi.json is missing: run `make openapi`"
    assert SNAPSHOT.read_text() == render(current_spec()), (
        "docs/openapi.json is out of date with the code: run `make openapi` and commit the result"
    )


def test_served_spec_and_docs(app):
    with app.client("unused") as http:
        spec = http.get("/openapi.json").json()
        assert spec["info"]["title"] == "labelhouse"
        assert "/datasets/{owner}/{dataset}/" in spec["paths"]
        docs = http.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert json.loads(SNAPSHOT.read_text())["paths"].keys() == spec["paths"].keys()
