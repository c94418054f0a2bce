"""Alembic migrations: upgrade, downgrade and upgrade again on SQLite and PostgreSQL, and the migrated schema
matches the ORM models exactly (no change left for autogenerate to find); processes migrating one new database
at the same time do not trip over each other."""

from __future__ import annotations

import subprocess
import sys

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


def test_concurrent_first_migrations(url):
    """Processes starting together on one new database (API processes, workers) all migrate it without error:
    one migrates, the others wait for it and find the schema at head."""
    procs = [subprocess.Popen([sys.executable, "-m", "labelhouse_server.cli", "migrate", "--database-url", url],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(4)]
    outputs = [(p.wait(timeout=120), p.stdout.read().decode(errors="replace")) for p in procs]
    assert [code for code, _ in outputs] == [0] * 4, "\n---\n".join(out[-2000:] for _, out in outputs)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            heads = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        assert len(heads) == 1
    finally:
        engine.dispose()
