"""The ``app`` fixture itself (``tests/support.py`` ``InProcessApp``): a failure inside the app fails the test with
the server's own exception and traceback, not only with a 500; the response is still there for tests that want it.
The failing routes are added to this module's app only (each module has its own app and database)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from support import InProcessApp, ServerError


@pytest.fixture(scope="module")
def failing(app: InProcessApp) -> InProcessApp:
    def unhandled() -> None:
        raise RuntimeError("boom in a handler")

    def database_failure() -> None:  # rendered as a 500 by errors._database_error_response, which logs it
        raise OperationalError("SELECT broken", {}, Exception("disk I/O error"))

    app.app.add_api_route("/_test/unhandled", unhandled)
    app.app.add_api_route("/_test/database-failure", database_failure)
    return app


def test_an_unhandled_exception_is_raised_in_the_test(failing: InProcessApp) -> None:
    with failing.client() as http, pytest.raises(RuntimeError, match="boom in a handler"):
        http.get("/_test/unhandled")


def test_a_logged_500_is_raised_from_the_servers_exception(failing: InProcessApp) -> None:
    with failing.client() as http, pytest.raises(ServerError, match="answered 500") as raised:
        http.get("/_test/database-failure")
    assert isinstance(raised.value.__cause__, OperationalError)
    assert raised.value.__cause__.__traceback__ is not None  # pytest prints it above the ServerError


def test_the_500_itself_when_asked_for(failing: InProcessApp) -> None:
    with failing.client(raise_server_errors=False) as http:
        for path in ("/_test/unhandled", "/_test/database-failure"):
            r = http.get(path)
            assert r.status_code == 500
            body = r.json()
            assert body["code"] == "internal_error" and body["request_id"]


def test_ordinary_errors_are_answers_not_exceptions(app: InProcessApp) -> None:
    """4xx answers (and the fast lane's, which renders its own errors) come back as responses."""
    _, key = app.create_user()
    with app.client(key) as http:
        assert http.get("/datasets/nobody/nothing/").status_code == 404
        assert http.get("/samples/not-a-uuid/").status_code == 404
        assert http.get("/user/").status_code == 200
    with app.client("not-a-key") as http:
        assert http.get("/user/").status_code == 401
