"""Every response names its request in ``X-Request-ID`` and, for errors, in the body's ``request_id`` — the 500 of
an unhandled exception included (Starlette renders that one in its outermost middleware, which the request-id
plumbing now wraps: ``LabelhouseApp.build_middleware_stack``). A real route of the real app fails here because a
service function it calls is replaced by one that raises; the database is the real one."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest
from labelhouse_server.samples import service as samples_service
from labelhouse_server.users import service as users_service
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import InProcessApp, unique


def _boom(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise RuntimeError("boom in a service")


def _names_its_request(response: Any, sent: str | None = None) -> str:
    request_id = response.headers.get("x-request-id")
    assert request_id, f"{response.status_code} without X-Request-ID"
    assert response.json()["request_id"] == request_id
    if sent is not None:
        assert request_id == sent
    return str(request_id)


def test_a_500_from_an_unhandled_exception_carries_the_request_id(app: InProcessApp,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    username, key = app.create_user()
    monkeypatch.setattr(users_service, "get_account", _boom)
    with app.client(key, raise_server_errors=False) as http:
        r = http.get(f"/users/{username}")
        assert r.status_code == 500 and r.json()["code"] == "internal_error"
        generated = _names_its_request(r)
        r = http.get(f"/users/{username}", headers={"X-Request-ID": "client-chosen-id"})
        assert r.status_code == 500
        _names_its_request(r, sent="client-chosen-id")
        assert generated != "client-chosen-id"


def test_a_500_on_the_fast_lane_carries_the_request_id(app: InProcessApp, monkeypatch: pytest.MonkeyPatch) -> None:
    _, key = app.create_user()
    with app.client(key) as http:
        r = http.post("/user/datasets/", json={"name": unique("rid"), "task_type": "vector",
                                               "task_attributes": TASK_ATTRIBUTES})
        assert r.status_code == 201, r.text
        r = http.post(f"/datasets/{r.json()['full_name']}/samples/",
                      json={"name": "s", "attributes": sample_attributes("vector")})
        assert r.status_code == 201, r.text
        uuid = r.json()["uuid"]
    monkeypatch.setattr(samples_service, "get_sample", _boom)
    with app.client(key, raise_server_errors=False) as http:
        r = http.get(f"/samples/{uuid}/", headers={"X-Request-ID": "fast-lane-id"})
        assert r.status_code == 500 and r.json()["code"] == "internal_error"
        _names_its_request(r, sent="fast-lane-id")


def test_the_500_is_still_raised_in_the_test_by_default(app: InProcessApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process client's default (``support.InProcessApp.client``) is unchanged: the server's exception."""
    username, key = app.create_user()
    monkeypatch.setattr(users_service, "get_account", _boom)
    with app.client(key) as http, pytest.raises(RuntimeError, match="boom in a service"):
        http.get(f"/users/{username}")


def test_4xx_answers_carry_it_too(app: InProcessApp) -> None:
    _, key = app.create_user()
    with app.client(key) as http:
        _names_its_request(http.get("/datasets/nobody/nothing/"))
        _names_its_request(http.get("/samples/not-a-uuid/"))
    with app.client("not-a-key") as http:
        _names_its_request(http.get("/user/"))
