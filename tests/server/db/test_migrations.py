"""Alembic migrations: upgrade, downgrade and upgrade again on SQLite and PostgreSQL, and the migrated schema
matches the ORM models exactly (no change left for autogenerate to find); a new database created from the models
and stamped (what ``upgrade`` does on an empty database) has exactly the schema the migration chain builds;
processes migrating one new database at the same time do not trip over each other."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from labelhouse_server.db import Base
from labelhouse_server.db.migrate import HEAD, alembic_config, downgrade, upgrade
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


def schema(url: str) -> dict[str, Any]:
    """Everything the database reports about its tables, through SQLAlchemy's inspection: per table its columns in
    order (type, nullability, default, autoincrement/identity), primary key, foreign keys (with ON DELETE),
    indexes (with partial-index conditions), unique and check constraints; SQLite: every object of
    ``sqlite_master`` by type and name; PostgreSQL: the sequences; and the Alembic revision."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)

            def by_name(items: list[dict[str, Any]]) -> list[str]:
                return sorted(repr(sorted(item.items(), key=lambda kv: kv[0])) for item in items)

            out: dict[str, Any] = {"revision": conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()}
            for table in insp.get_table_names():
                out[table] = {
                    "columns": [{key: str(value) if key in ("type", "default") else value
                                 for key, value in column.items()} for column in insp.get_columns(table)],
                    "primary key": insp.get_pk_constraint(table),
                    "foreign keys": by_name(insp.get_foreign_keys(table)),
                    "indexes": by_name(insp.get_indexes(table)),
                    "unique": by_name(insp.get_unique_constraints(table)),
                    "checks": by_name(insp.get_check_constraints(table)),
                }
            if conn.dialect.name == "sqlite":
                out["sqlite_master"] = sorted(conn.exec_driver_sql(
                    "SELECT type, name, tbl_name FROM sqlite_master").all())
            else:
                out["sequences"] = sorted(insp.get_sequence_names())
        return out
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", backends())
def test_a_new_database_made_from_the_models_equals_the_migration_chain(backend, tmp_path):
    (tmp_path / "chain").mkdir()
    (tmp_path / "models").mkdir()
    with fresh_database(backend, tmp_path / "chain") as chain, fresh_database(backend, tmp_path / "models") as models:
        upgrade(chain, from_models=False)
        upgrade(models)
        by_chain, by_models = schema(chain), schema(models)
        assert by_chain["revision"] == [(HEAD,)]
        assert len(by_chain) > 30  # the tables are there
        for table in sorted(by_chain.keys() | by_models.keys()):
            assert by_models.get(table) == by_chain.get(table), table


def test_head_is_the_migration_chain_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD], "a new migration: set db.migrate.HEAD to its revision"


def test_a_database_at_head_is_opened_without_alembic(url):
    """A new database is created, and one at the newest revision reopened, without loading Alembic (start-up time
    and memory of every server and worker process); the schema is at HEAD either way."""
    check = ("import sys; from labelhouse_server.db.migrate import upgrade; upgrade(sys.argv[1]); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    for _ in range(2):  # the new database, then the same one at head
        out = subprocess.run([sys.executable, "-c", check, url], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "[]", out.stdout
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [(HEAD,)]
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
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
