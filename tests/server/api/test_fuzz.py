"""Fuzz our own API from its OpenAPI description (schemathesis): whatever is sent, the server never answers 5xx.

Runs against the app in-process; requests carry a valid API key so they reach the handlers. (We drive
schemathesis' hypothesis strategies directly: its pytest plugin does not yet support pytest 9.)"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings


def test_no_server_errors(app):
    username, key = app.create_user()
    with app.client(key) as http:
        for task_type in ("vector", "segmentation-bitmap"):
            http.post("/user/datasets/", json={"name": f"fuzz-{task_type}", "task_type": task_type})
        schema = schemathesis.openapi.from_dict(http.get("/openapi.json").json())
    session = app.requests_session()
    headers = {"Authorization": f"APIKey {key}"}
    failures: list[str] = []
    calls = [0]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

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
