"""Bad input to ``/graphql`` answers the error envelope with ``extensions.code``, never a 5xx; ``/_gql`` is the
same handler; ``/api/v1`` errors carry ``message``. The app in-process."""

from __future__ import annotations

import httpx
import pytest
from lbsupport import gql
from support import InProcessApp


@pytest.fixture
def user(app: InProcessApp) -> tuple[str, str]:
    return app.create_user()


def raw(app: InProcessApp, method: str, path: str, **kwargs) -> httpx.Response:
    with app.client() as http:
        return http.request(method, path, **kwargs)


def codes(response: httpx.Response) -> list[str]:
    assert response.status_code < 500, response.text
    return [e["extensions"]["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize("path", ["/graphql", "/_gql"])
def test_both_paths_answer(app, user, path):
    r = gql(app, user[1], "query Q { user { name nickname } }", path=path)
    assert r.status_code == 200 and r.json()["data"]["user"]["name"] == user[0]


def test_missing_and_bad_keys(app):
    r = raw(app, "POST", "/graphql", json={"query": "{ user { id } }"})
    assert r.status_code == 401 and codes(r) == ["AUTHENTICATION_ERROR"]
    r = gql(app, "lh_bad", "{ user { id } }")
    assert r.status_code == 401 and codes(r) == ["AUTHENTICATION_ERROR"]


@pytest.mark.parametrize("body,code", [
    (b"not json", "MALFORMED_REQUEST"),
    (b"[1, 2]", "MALFORMED_REQUEST"),
    (b"{}", "GRAPHQL_PARSE_FAILED"),
    (b'{"query": 5}', "GRAPHQL_PARSE_FAILED"),
    (b'{"query": "{ user { id } "}', "GRAPHQL_PARSE_FAILED"),
    (b'{"query": "{ user { id } }", "variables": [1]}', "GRAPHQL_VALIDATION_FAILED"),
    (b'{"query": "query A { user { id } } query B { user { id } }"}', "GRAPHQL_VALIDATION_FAILED"),
])
def test_malformed_requests(app, user, body, code):
    r = raw(app, "POST", "/graphql", content=body,
                   headers={"Authorization": f"Bearer {user[1]}", "Content-Type": "application/json"})
    assert r.status_code == 400 and codes(r) == [code]


def test_unknown_fields_and_bad_variables(app, user):
    r = gql(app, user[1], "{ user { id noSuchField } }")
    assert r.status_code == 400 and codes(r) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "noSuchField" in r.json()["errors"][0]["message"]
    r = gql(app, user[1], "{ noSuchRoot }")
    assert codes(r) == ["GRAPHQL_VALIDATION_FAILED"]
    r = gql(app, user[1], "query Q($id: ID!) { dataset(where: {id: $id}) { id } }", {"id": {"nested": 1}})
    assert codes(r) == ["GRAPHQL_VALIDATION_FAILED"]
    r = gql(app, user[1], "query Q($id: ID!) { dataset(where: {id: $id}) { id } }", {})
    assert codes(r) == ["GRAPHQL_VALIDATION_FAILED"]


def test_huge_and_deep_documents(app, user):
    huge = "{ " + " ".join(f"a{i}: user {{ id }}" for i in range(100_000)) + " }"
    r = gql(app, user[1], huge)
    assert r.status_code == 400 and codes(r) == ["GRAPHQL_PARSE_FAILED"]
    deep = "{ user { " + "organization { users { " * 8 + "id" + " } }" * 8 + " } }"
    r = gql(app, user[1], deep)
    assert r.status_code == 400 and codes(r) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "deep" in r.json()["errors"][0]["message"]
    r = raw(app, "POST", "/graphql", content=b'{"query": "' + b"x" * (17 * 1024 * 1024) + b'"}',
                   headers={"Authorization": f"Bearer {user[1]}", "Content-Type": "application/json"})
    assert r.status_code == 413 and codes(r) == ["MALFORMED_REQUEST"]


def test_reads_of_absent_objects_are_null(app, user):
    r = gql(app, user[1], 'query Q { dataset(where: {id: "cnot-an-id-at-all-xxxxxxxx"}) { id } }')
    assert r.status_code == 200 and r.json() == {"data": {"dataset": None}}
    r = gql(app, user[1], 'query Q { dataset(where: {id: "x\\"y"}) { id } }')
    assert r.json() == {"data": {"dataset": None}}


def test_writes_on_absent_objects_are_authorization_errors(app, user):
    r = gql(app, user[1], 'mutation M { updateDataset(where: {id: "cnope"}, data: {name: "x"}) { id } }')
    assert r.status_code == 200 and codes(r) == ["AUTHORIZATION_ERROR"]


def test_malformed_multipart(app, user):
    headers = {"Authorization": f"Bearer {user[1]}"}
    r = raw(app, "POST", "/graphql", headers=headers, files={"operations": (None, "not json")})
    assert r.status_code == 400 and codes(r) == ["MALFORMED_REQUEST"]
    r = raw(app, "POST", "/graphql", headers=headers,
                   files={"operations": (None, ('{"query": "mutation M($file: Upload!) { uploadFile(file: $file) '
                                                 '{ url } }", "variables": {"file": null}}')),
                          "map": (None, '{"1": ["variables.nope"]}'), "1": ("a.txt", b"hi")})
    assert r.status_code == 400 and codes(r) == ["GRAPHQL_VALIDATION_FAILED"]  # $file stayed null
    r = raw(app, "POST", "/graphql", headers=headers,
                   files={"operations": (None, '{"query": "{ user { id } }"}'), "map": (None, "[1]")})
    assert r.status_code == 400 and codes(r) == ["MALFORMED_REQUEST"]


def test_rest_routes_answer_message_bodies(app, user):
    ok = raw(app, "GET", "/api/v1/status", headers={"Authorization": f"Bearer {user[1]}"})
    assert ok.status_code == 200 and ok.json()["user"] == user[0]
    bad = raw(app, "GET", "/api/v1/status", headers={"Authorization": "Bearer lh_bad"})
    assert bad.status_code == 401 and bad.json()["message"]
    missing = raw(app, "GET", "/api/v1/no/such/route", headers={"Authorization": f"Bearer {user[1]}"})
    assert missing.status_code == 404 and "message" in missing.json()
