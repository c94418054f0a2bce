"""Run Alembic migrations programmatically (``labelhouse serve`` and tests call ``upgrade``).

A new, empty database is not taken through the migration chain: its tables are created from the ORM models and
it is stamped at the newest revision (``HEAD``), the same schema (``tests/server/db/test_migrations.py`` compares
the two, column by column, index by index, on SQLite and PostgreSQL) for a fraction of the start-up time. A
database already at ``HEAD`` is left as it is without loading Alembic. Anything else (an older revision, or
tables without a revision) goes through Alembic as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, create_engine, inspect, pool

from .engine import engine_for, ensure_wal, make_sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session, sessionmaker

    from ..settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# The newest revision in migrations/versions/. A new migration changes it (the migration tests fail until it does).
HEAD = "0012_snapshot_no_fk"

# Alembic's own version table, as Alembic creates it (alembic.runtime.migration), for stamping without Alembic.
_ALEMBIC_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                         PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# Any constant: the key of the PostgreSQL advisory lock that serialises concurrent migrations.
_PG_MIGRATION_LOCK = 0x6C68_6D69_6772  # "lhmigr"


def _run(url: str, action: Callable[[Connection], None]) -> None:
    """Run ``action`` in a single transaction on its own connection.

    Several processes may start on one new database at once (API processes, ``labelhouse worker``s, all of
    which migrate on start): the first one to take the database-wide lock migrates, the others wait for its
    commit and then find the schema at the revision asked for. PostgreSQL: a transaction-scoped advisory lock;
    SQLite: the write lock (``BEGIN IMMEDIATE``), which also makes the whole migration one transaction."""
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, poolclass=pool.NullPool, **({"connect_args": {"timeout": 120}} if sqlite else {}))
    try:
        with engine.begin() as conn:
            if sqlite:
                ensure_wal(conn.connection.dbapi_connection)  # outside any transaction, before anyone writes
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            action(conn)
    finally:
        engine.dispose()


def _alembic(url: str, command_name: str, revision: str) -> Callable[[Connection], None]:
    def action(conn: Connection) -> None:
        from alembic import command

        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        getattr(command, command_name)(cfg, revision)

    return action


def _revision(conn: Connection) -> tuple[bool, Any]:
    """(whether the database has any table, its Alembic revision or None)."""
    tables = inspect(conn).get_table_names()
    if "alembic_version" not in tables:
        return bool(tables), None
    return True, conn.execute(_ALEMBIC_VERSION.select()).scalar()


def create_at_head(conn: Connection) -> None:
    """The newest schema on an empty database: the models' tables, stamped at ``HEAD``."""
    from . import Base

    Base.metadata.create_all(conn, checkfirst=False)
    _ALEMBIC_VERSION.create(conn)
    conn.execute(_ALEMBIC_VERSION.insert().values(version_num=HEAD))


def upgrade(url: str, revision: str = "head", *, from_models: bool = True) -> None:
    """Bring the database to ``revision``. To ``head``: an empty database is created from the models (unless
    ``from_models`` is false: then it goes through every migration), one at ``HEAD`` is left untouched, any
    other goes through Alembic."""
    alembic_upgrade = _alembic(url, "upgrade", revision)
    if revision != "head":
        _run(url, alembic_upgrade)
        return

    def action(conn: Connection) -> None:
        has_tables, current = _revision(conn)
        if current == HEAD:
            return
        if not has_tables and from_models:
            create_at_head(conn)
            return
        alembic_upgrade(conn)

    _run(url, action)


def downgrade(url: str, revision: str = "base") -> None:
    _run(url, _alembic(url, "downgrade", revision))


def migrated(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """Bring the database of ``settings`` to the newest schema (creating ``data_dir`` and, on SQLite, the file
    with mode 0600 first), then an engine and a session factory on it: how the CLI and ``labelhouse worker`` (which
    may be the first process to touch a new database) open it."""
    settings.prepare_data_dir()
    url = settings.resolved_database_url()
    upgrade(url)
    engine = engine_for(settings, url)
    return engine, make_sessionmaker(engine)
