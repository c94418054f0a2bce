"""Shared fixtures, per test module and per database backend (SQLite always; PostgreSQL when
LABELHOUSE_TEST_DATABASE_URL is set), each on a fresh database. Each test makes its own users and data.

- ``app``: the default for HTTP tests: ``create_app(Settings(...))`` in this process, called through
  ``httpx.ASGITransport`` (no socket); a request that fails on the server fails the test with the server's
  traceback. ``app.client(key)`` is an ``httpx.Client``.
- ``server``: a real ``labelhouse serve`` process, only where process behaviour is the point (uvicorn, the fast
  lane's parity over a socket, SIGKILL, multi-process locking, the CLI, the official SDKs, the browser tests).

Both start on a copy of a database this test process migrated once (``fresh_database(..., migrated=True)``):
migrating a new database takes seconds, and each module of each lane used to pay it again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import InProcessApp, LiveServer, backends, free_port, in_process_app, live_server, unique


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked ``slow`` run first. ``make test`` hands whole files to its xdist workers in collection order
    (``--dist loadfile --no-loadscope-reorder``): a long module handed out last keeps one worker busy while the
    others have finished. (xdist's own order, most tests first, put the one-test fuzz modules last.) The sort is
    stable: within a module, and among the other modules, the order stays pytest's."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="module", params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> LiveServer:
    with live_server(request.param, tmp_path_factory.mktemp(f"server-{request.param}"), migrated=True) as srv:
        yield srv


@pytest.fixture(scope="module", params=backends())
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> InProcessApp:
    with in_process_app(request.param, tmp_path_factory.mktemp(f"app-{request.param}")) as application:
        yield application


@pytest.fixture(scope="module")
def moto_endpoint():
    """A real S3-compatible endpoint: moto in server mode on a free port."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    srv.start()
    yield f"http://127.0.0.1:{port}"
    srv.stop()


@pytest.fixture
def user(server: LiveServer) -> tuple[str, str]:
    """A fresh user: (username, api_key)."""
    return server.create_user()


@pytest.fixture
def segments_client(server: LiveServer, user: tuple[str, str]):
    client = server.segments(user[1])
    yield client
    client.close()


@pytest.fixture
def name() -> str:
    return unique("ds")
