"""Run Alembic migrations programmatically (``labelhouse serve`` and tests call ``upgrade``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool

from .engine import engine_for, ensure_wal, make_sessionmaker

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from ..settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# Any constant: the key of the PostgreSQL advisory lock that serialises concurrent migrations.
_PG_MIGRATION_LOCK = 0x6C68_6D69_6772  # "lhmigr"


def _run(url: str, action: Callable[[Config, str], None], revision: str) -> None:
    """Run one Alembic command in a single transaction on its own connection.

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
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            action(cfg, revision)
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    _run(url, command.upgrade, revision)


def downgrade(url: str, revision: str = "base") -> None:
    _run(url, command.downgrade, revision)


def migrated(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """Bring the database of ``settings`` to the newest schema (creating ``data_dir`` and, on SQLite, the file
    with mode 0600 first), then an engine and a session factory on it: how the CLI and ``labelhouse worker`` (which
    may be the first process to touch a new database) open it."""
    settings.prepare_data_dir()
    url = settings.resolved_database_url()
    upgrade(url)
    engine = engine_for(settings, url)
    return engine, make_sessionmaker(engine)
