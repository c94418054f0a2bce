"""A migrated database per module and backend (SQLite; PostgreSQL too when configured); each test makes its own
organizations (``projectsupport``), so tests never see each other's objects."""

from __future__ import annotations

import pytest
from labelhouse_server.db.engine import make_engine, make_sessionmaker
from labelhouse_server.db.migrate import upgrade
from projectsupport import Org, make_org
from support import backends, fresh_database


@pytest.fixture(scope="module", params=backends())
def sessions(request, tmp_path_factory):
    """One migrated database per module and backend; tests isolate themselves with organizations of their own."""
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        engine = make_engine(url)
        yield make_sessionmaker(engine)
        engine.dispose()


@pytest.fixture
def session(sessions):
    s = sessions()
    yield s
    s.close()


@pytest.fixture
def org(session) -> Org:
    return make_org(session)


@pytest.fixture
def other_org(session) -> Org:
    return make_org(session)
