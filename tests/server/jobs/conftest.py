"""A fresh, migrated database per test (SQLite file; PostgreSQL too when configured)."""

from __future__ import annotations

import pytest

from support import backends, fresh_database


@pytest.fixture(params=backends())
def db_url(request, tmp_path):
    from labelhouse_server.db.migrate import upgrade

    with fresh_database(request.param, tmp_path) as url:
        upgrade(url)
        yield url
