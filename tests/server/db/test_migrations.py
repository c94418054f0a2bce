"""Alembic migrations: upgrade, downgrade and upgrade again on SQLite and PostgreSQL, and the migrated schema
matches the ORM models exactly (no change left for autogenerate to find)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from labelhouse_server.db import Base
from labelhouse_server.db.migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect
from support import backends, fresh_database


@pytest.fixture(params=backends())
def url(request, tmp_path):
    with fresh_database(request.param, tmp_path) as url:
        yield url


def test_upgrade_downgrade_upgrade(url):
    upgrade(url)
    engine = create_engine(url)
    try:
        assert {"accounts", "datasets", "samples", "labels", "releases", "jobs"} <= set(inspect(engine).get_table_names())
        downgrade(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()
