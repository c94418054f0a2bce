"""Every route answers what docs/openapi.json says it answers: real responses of the app (in-process, both
database lanes, fast lane included) are validated against the published description with schemathesis — status codes
documented, content types, and bodies matching the success models and the shared error body.

Two passes: a scripted tour that makes every operation succeed at least once (so every success model is checked
against a real body), then generated requests per operation (mostly error answers, steered towards existing
objects so handlers run past their lookups)."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import unique

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
CATEGORIES = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}]}
LABEL = {"format_version": "0.1", "annotations": [{"id": 1, "category_id": 1, "type": "bbox",
                                                  "points": [[1, 2], [30, 40]]}]}


@pytest.fixture(scope="module")
def schema(app):
    with app.client() as http:  # the description the app serves
        return schemathesis.openapi.from_dict(http.get("/openapi.json").json())


def _validate(schema, method: str, template: str, response: httpx.Response, seen: set[tuple[str, str]]) -> None:
    operation = schema[template][method.upper()]
    documented = operation.definition.raw["responses"]
    assert str(response.status_code) in documented, (
        f"{method} {template} answered {response.status_code}, not in its documented {sorted(documented)}: "
        f"{response.text[:300]}")
    operation.validate_response(response)
    seen.add((method.upper(), template))


def test_every_operation_succeeds_once_with_a_body_that_matches_its_model(app, schema) -> None:
    owner, key = app.create_user()
    other, other_key = app.create_user()
    org = app.create_org(unique("org"), owner)
    seen: set[tuple[str, str]] = set()
    with app.client(key) as http:

        def call(method: str, template: str, path: str, expect: int, **kw: Any) -> Any:
            response = http.request(method, path, **kw)
            assert response.status_code == expect, (method, path, response.status_code, response.text[:300])
            _validate(schema, method, template, response, seen)
            return response.json() if response.content else None

        ds = unique("ds")
        full = f"{owner}/{ds}"
        D = "/datasets/{owner}/{dataset}/"
        call("GET", "/api_status/", "/api_status/?lib_version=1.0", 200)
        call("GET", "/user", "/user", 200)
        call("GET", "/users/{username}", f"/users/{org}", 200)
        call("POST", "/user/datasets/", "/user/datasets/", 201,
             json={"name": ds, "task_type": "bboxes", "task_attributes": CATEGORIES})
        call("POST", "/organizations/{organization}/datasets/", f"/organizations/{org}/datasets/", 201,
             json={"name": unique("orgds"), "task_type": "vector"})
        call("GET", "/user/datasets/", "/user/datasets/", 200)
        call("GET", "/users/{username}/datasets/", f"/users/{owner}/datasets/", 200)
        call("GET", D, f"/datasets/{full}/", 200)
        call("PATCH", D, f"/datasets/{full}/", 200, json={"description": "contract"})
        call("POST", D + "clone/", f"/datasets/{full}/clone/", 201, json={"new_name": unique("clone")})
        call("POST", D + "collaborators/", f"/datasets/{full}/collaborators/", 201,
             json={"user": other, "role": "labeler"})
        call("GET", D + "collaborators/", f"/datasets/{full}/collaborators/", 200)
        call("GET", D + "collaborators/{username}", f"/datasets/{full}/collaborators/{other}", 200)
        call("PATCH", D + "collaborators/{username}", f"/datasets/{full}/collaborators/{other}", 200,
             json={"role": "reviewer"})
        call("POST", D + "labelsets/", f"/datasets/{full}/labelsets/", 201, json={"name": "predictions"})
        call("GET", D + "labelsets/", f"/datasets/{full}/labelsets/", 200)
        call("GET", D + "labelsets/{name}/", f"/datasets/{full}/labelsets/predictions/", 200)
        sample = call("POST", D + "samples/", f"/datasets/{full}/samples/", 201,
                      json={"name": "a.jpg", "attributes": {"image": {"url": "https://example.com/a.jpg"}},
                            "metadata": {"k": 1}, "embedding": [0.5, 1.0]})
        bulk = call("POST", D + "samples_bulk/", f"/datasets/{full}/samples_bulk/", 201,
                    json=[{"name": f"b{i}.jpg", "attributes": {"image": {"url": f"https://example.com/{i}.jpg"}}}
                          for i in range(3)])
        uuid = sample["uuid"]
        L = "/labels/{sample_uuid}/{labelset}/"
        call("PUT", L, f"/labels/{uuid}/ground-truth/", 201, json={"attributes": LABEL, "label_status": "LABELED"})
        call("PUT", L, f"/labels/{uuid}/ground-truth/", 200, json={"attributes": LABEL, "label_status": "LABELED"})
        call("PUT", L, f"/labels/{uuid}/predictions/", 201, json={"attributes": LABEL, "score": 0.5})
        call("PATCH", L, f"/labels/{uuid}/ground-truth/", 200, json={"label_status": "REVIEWED"})
        call("GET", L, f"/labels/{uuid}/ground-truth/", 200)
        H = L + "history/"
        history = call("GET", H, f"/labels/{uuid}/ground-truth/history/", 200)
        assert [r["revision"] for r in history] == [3, 2, 1]
        call("POST", H + "{revision}/restore/", f"/labels/{uuid}/ground-truth/history/1/restore/", 200)
        S = "/samples/{sample_uuid}/"
        call("GET", S, f"/samples/{uuid}/?labelset=ground-truth", 200)
        response = http.get(f"/samples/{uuid}/thumbnail")  # an image outside our store: sent there
        assert response.status_code == 307 and response.headers["location"] == "https://example.com/a.jpg"
        _validate(schema, "GET", "/samples/{sample_uuid}/thumbnail", response, seen)
        reserved = call("POST", D + "queue/", f"/datasets/{full}/queue/", 200, json={"mode": "label"})
        assert reserved["sample_uuid"] in {b["uuid"] for b in bulk}  # the labeled one is not handed out
        call("PATCH", S, f"/samples/{uuid}/", 200, json={"priority": 2, "assigned_labeler": other})
        for params in ({}, {"labelset": "ground-truth"}, {"labelset": "ground-truth", "include_full_label": "1"}):
            call("GET", D + "samples/", f"/datasets/{full}/samples/", 200, params=params)
        issue = call("POST", "/samples/{sample_uuid}/issues/", f"/samples/{uuid}/issues/", 201,
                     json={"description": "car missing", "anchor": {"type": "location", "frame": 0,
                                                                  "location": {"type": "2d", "x": 1.2, "y": 3.5}}})
        call("PATCH", "/issues/{issue_uuid}/", f"/issues/{issue['uuid']}/", 200, json={"status": "CLOSED"})
        call("POST", "/issues/{issue_uuid}/comments/", f"/issues/{issue['uuid']}/comments/", 201,
             json={"text": "left edge"})
        call("GET", "/issues/{issue_uuid}/comments/", f"/issues/{issue['uuid']}/comments/", 200)
        call("GET", D + "issues/", f"/datasets/{full}/issues/", 200)
        call("GET", D + "workunits/", f"/datasets/{full}/workunits/", 200,
             params={"include_session_time_metrics": "true"})
        call("POST", D + "releases/", f"/datasets/{full}/releases/", 201, json={"name": "v1"})
        call("GET", D + "releases/", f"/datasets/{full}/releases/", 200)
        call("GET", D + "releases/{name}/", f"/datasets/{full}/releases/v1/", 200)
        call("PATCH", L, f"/labels/{uuid}/ground-truth/", 200, json={"label_status": "REVIEWED"})
        call("POST", D + "releases/", f"/datasets/{full}/releases/", 201, json={"name": "v2"})
        for name in ("v1", "v2"):
            deadline = time.monotonic() + 60
            while http.get(f"/datasets/{full}/releases/{name}/").json()["status"] != "SUCCEEDED":
                assert time.monotonic() < deadline, f"release {name} did not build"
                time.sleep(0.1)
        R = D + "releases/{name}/diff/{other}/"
        summary = call("GET", R, f"/datasets/{full}/releases/v1/diff/v2/", 200)
        assert summary["labels"]["changed"] == 1
        changes = call("GET", R + "changes/", f"/datasets/{full}/releases/v1/diff/v2/changes/", 200)
        assert [(c["kind"], c["change"], c["sample_uuid"]) for c in changes] == [("label", "changed", uuid)]
        E = "/embeddings/{owner}/{name}/"
        emb = unique("emb")
        call("POST", "/user/embeddings/", "/user/embeddings/", 201, json={"name": emb, "dims": 2})
        call("POST", "/organizations/{organization}/embeddings/", f"/organizations/{org}/embeddings/", 201,
             json={"name": unique("orgemb"), "dims": 3, "metric": "euclidean"})
        call("GET", "/user/embeddings/", "/user/embeddings/", 200)
        call("PUT", E + "vectors/", f"/embeddings/{owner}/{emb}/vectors/", 200,
             json={"vectors": [{"sample_uuid": uuid, "vector": [1.0, 0.0]},
                               {"sample_uuid": bulk[2]["uuid"], "vector": [0.0, 1.0]}]})
        call("GET", E, f"/embeddings/{owner}/{emb}/", 200)
        found = call("POST", E + "similar-samples/", f"/embeddings/{owner}/{emb}/similar-samples/", 200,
                     json={"vector": [0.9, 0.1], "k": 2})
        assert [r["sample"]["uuid"] for r in found["results"]] == [uuid, bulk[2]["uuid"]]
        call("DELETE", E, f"/embeddings/{owner}/{emb}/", 204)
        asset = call("POST", "/assets/", "/assets/", 201, json={"filename": "mask.png"})
        post = asset["presignedPostFields"]
        with app.client() as plain:  # the signed upload form and the stored file's URL: no key
            request = plain.build_request("POST", post["url"], data=post["fields"],
                                          files={"file": ("mask.png", PNG, "image/png")})
            request.read()  # (schemathesis reads the request of the response it validates)
            upload = plain.send(request)
            download = plain.get(asset["url"])
        assert upload.status_code == 204, upload.text
        _validate(schema, "POST", "/uploads/", upload, seen)
        assert download.status_code == 200 and download.content == PNG
        _validate(schema, "GET", "/files/{key}", download, seen)
        call("GET", "/organizations/{org}/members/", f"/organizations/{org}/members/", 200)
        call("POST", "/organizations/{org}/members/", f"/organizations/{org}/members/", 201,
             json={"user": other, "role": "reviewer"})
        call("DELETE", "/organizations/{org}/members/{username}", f"/organizations/{org}/members/{other}", 204)
        keys = call("GET", "/user/api-keys/", "/user/api-keys/", 200)
        new_key = call("POST", "/user/api-keys/", "/user/api-keys/", 201, json={"name": "ci"})
        call("DELETE", "/user/api-keys/{key_id}", f"/user/api-keys/{new_key['id']}", 204)
        assert keys
        # deletions last
        call("DELETE", "/issues/{issue_uuid}/", f"/issues/{issue['uuid']}/", 204)
        call("DELETE", L, f"/labels/{uuid}/predictions/", 204)
        call("DELETE", D + "samples_bulk/", f"/datasets/{full}/samples_bulk/", 200,
             json={"uuids": [bulk[0]["uuid"]]})
        call("DELETE", S, f"/samples/{bulk[1]['uuid']}/", 204)
        call("DELETE", D + "releases/{name}/", f"/datasets/{full}/releases/v1/", 204)
        call("DELETE", D + "labelsets/{name}/", f"/datasets/{full}/labelsets/predictions/", 204)
        call("DELETE", D + "collaborators/{username}", f"/datasets/{full}/collaborators/{other}", 204)
        call("DELETE", D, f"/datasets/{full}/", 204)
    with app.client() as browser:  # the web app's sign-in: session cookie + CSRF token
        signed_in = browser.post("/auth/login", json={"api_key": key})
        assert signed_in.status_code == 200, signed_in.text
        _validate(schema, "POST", "/auth/login", signed_in, seen)
        current = browser.get("/auth/session")
        assert current.status_code == 200 and current.json()["username"] == owner
        _validate(schema, "GET", "/auth/session", current, seen)
        out = browser.post("/auth/logout", headers={"X-CSRF-Token": signed_in.json()["csrf_token"]})
        assert out.status_code == 204
        _validate(schema, "POST", "/auth/logout", out, seen)
        assert browser.get("/auth/session").status_code == 401
    with app.client(other_key) as http:  # not a server administrator
        response = http.post("/admin/users/", json={"username": unique("u")})
        assert response.status_code == 403
        _validate(schema, "POST", "/admin/users/", response, seen)
    every = {(method.upper(), path) for path, item in schema.raw_schema["paths"].items() for method in item}
    assert seen == every, f"not exercised: {sorted(every - seen)}"


def test_generated_requests_get_documented_answers(app, schema) -> None:
    username, key = app.create_user()
    with app.client(key) as http:
        http.post("/user/datasets/", json={"name": "contract", "task_type": "vector"})
        sample = http.post(f"/datasets/{username}/contract/samples/",
                           json={"name": "s.jpg", "attributes": {"image": {"url": "https://example.com/s.jpg"}}})
        sample_uuid = sample.json()["uuid"]
    headers = {"Authorization": f"APIKey {key}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    # DELETEs last, so the objects the other operations are steered to still exist
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    calls = [0]
    session = app.requests_session()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def exercise(case) -> None:
            calls[0] += 1
            params = case.path_parameters or {}
            if calls[0] % 2 and case.method != "DELETE":  # half the cases on objects that exist
                params.update({k: v for k, v in {"owner": username, "dataset": "contract", "username": username,
                                                 "sample_uuid": sample_uuid}.items() if k in params})
            response = case.call(base_url=app.url, headers=headers, session=session)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # noqa: BLE001 - collected, reported together below
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                f"{str(exc).splitlines()[0][:300]}")

        exercise()
    assert not failures, "\n".join(sorted(set(failures)))
