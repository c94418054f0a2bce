"""Fuzz our own API from its OpenAPI description (schemathesis): whatever is sent, the server never answers 5xx.

Runs against the app in-process; requests carry a valid API key so they reach the handlers. (We drive
schemathesis' hypothesis strategies directly: its pytest plugin does not yet support pytest 9.)

The operations are fuzzed in parts, one test module per part (``PARTS``: by OpenAPI tag), so that pytest-xdist
can run the parts side by side: the examples are made by hypothesis, CPU-bound in the test process, and all
operations in one test took four minutes per lane on one worker. Every operation is in exactly one part
(test_fuzz_parts.py); each operation gets the same examples as in one test (``derandomize``: they depend on the
operation, not on the part)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from support import InProcessApp

# part name -> the OpenAPI tags whose operations it fuzzes (parts of about equal time: bench/RESULTS.md,
# "Test suite time (issue 11)")
PARTS: dict[str, tuple[str, ...]] = {
    "datasets": ("datasets",),
    "samples": ("samples", "labels", "queue", "assets", "workunits", "storage"),
    "accounts": ("account", "auth", "users"),
    "releases": ("releases", "embeddings", "issues"),
}


def tag_of(schema: Any, operation: Any) -> str:
    """The operation's first OpenAPI tag ("" if it has none)."""
    tags = schema.raw_schema["paths"][operation.path][operation.method.lower()].get("tags") or [""]
    return str(tags[0])


def fuzz(app: InProcessApp, part: str) -> None:
    """Fuzz every operation of ``part`` with 15 examples each; fail listing every 5xx answer."""
    username, key = app.create_user()
    with app.client(key) as http:
        for task_type in ("vector", "segmentation-bitmap"):
            http.post("/user/datasets/", json={"name": f"fuzz-{task_type}", "task_type": task_type})
        schema = schemathesis.openapi.from_dict(http.get("/openapi.json").json())
    session = app.requests_session()
    headers = {"Authorization": f"APIKey {key}"}
    failures: list[str] = []
    calls = [0]
    operations = [operation for operation in (result.ok() for result in schema.get_all_operations())
                  if tag_of(schema, operation) in PARTS[part]]
    assert operations, f"no operation is tagged {PARTS[part]}"

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def exercise(case) -> None:
            # steer path parameters towards objects that exist, so handlers run past the lookups
            calls[0] += 1
            params = case.path_parameters or {}
            if calls[0] % 2 and "owner" in params:
                params["owner"] = username
                if "dataset" in params and case.method != "DELETE":
                    params["dataset"] = "fuzz-vector"
            response = case.call(base_url=app.url, headers=headers, session=session)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code} "
                                f"{response.text[:200]}")

        exercise()
    assert calls[0] >= 5 * len(operations)
    assert not failures, "\n".join(sorted(set(failures)))
