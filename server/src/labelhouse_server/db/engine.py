"""Engine and session factory. Database differences (SQLite pragmas and locking, PostgreSQL JSON casts and lock
timeouts) live here.

Transactions come in two modes, chosen by execution options:
- read (``READ_ONLY``): SQLite ``BEGIN`` (deferred: a WAL snapshot that never waits for writers); PostgreSQL
  autocommit (``read_engine``);
- write (``WRITE``, ``NOWAIT``, the plain engine's default): SQLite ``BEGIN IMMEDIATE`` after taking this
  process's write lock (bounded wait, then ``DatabaseBusy``, a 503); PostgreSQL an ordinary READ COMMITTED
  transaction (row locks bounded by ``lock_timeout``).
Request sessions read by default (``read_engine``); a service that writes opens its write transaction explicitly
with ``db.transaction.write_transaction``. Sessions of the plain engine (CLI, jobs) write by default."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..errors import DatabaseBusy

# One write lock per SQLite database file and process. SQLite lets one writer in at a time; others wait in its busy
# handler, which polls with sleeps of up to 100 ms, so a queue of writers in one process spends most of its time
# asleep while the lock is free. Writers of this process instead queue on this lock (woken the moment it is
# released) and only then BEGIN IMMEDIATE; other processes (CLI, workers) still meet SQLite's busy handler.
_WRITE_LOCKS: dict[str, WriteLock] = {}
DEFAULT_LOCK_TIMEOUT = 30.0
SQLITE_CACHE_KIB = 8192  # page cache per SQLite connection (PRAGMA cache_size, in KiB when negative)


class WriteSlotBusy(Exception):
    """A write transaction asked not to wait (``NOWAIT``) and another writer holds SQLite's write lock."""


class WriteLock:
    """This process's write lock of one SQLite file, and which thread holds it. ``yield_to``: set by a holder that
    keeps the lock across turns of its event loop (the open write group of ``db.group``); a writer of that same
    thread that would wait for the lock runs it first (the group commits and lets go), instead of waiting for
    itself until the timeout."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holder: int | None = None
        self.yield_to: Callable[[], None] | None = None

    def acquire(self, timeout: float | None) -> bool:
        """Take the lock; ``timeout`` None: only if free at once."""
        if timeout is None:
            taken = self.lock.acquire(blocking=False)
        else:
            if self.holder == threading.get_ident() and self.yield_to is not None:
                self.yield_to()
            taken = self.lock.acquire(timeout=timeout)
        if taken:
            self.holder = threading.get_ident()
        return taken

    def release(self) -> None:
        self.holder = None
        self.lock.release()


# Execution options choosing a transaction's mode (see the module docstring). ``READ_ONLY``: one consistent
# snapshot that reads (request sessions by default; jobs: a release build). ``NOWAIT``: a write transaction that
# must not wait for the write lock: it raises ``WriteSlotBusy`` instead (used to run short writes on the event loop
# only when that cannot block it; see ``deps.run_write``). (Not ``PRAGMA query_only`` for reads: switching it
# expires every prepared statement of the connection, which doubled the cost of the statements after it.)
READ_ONLY = {"sqlite_deferred": True}
WRITE = {"sqlite_deferred": False, "sqlite_nowait": False}
NOWAIT = {"sqlite_deferred": False, "sqlite_nowait": True}


def ensure_wal(dbapi_conn: Any, wait: float = 30.0) -> None:
    """Put the SQLite database in WAL mode (persistent: done once per file). Switching modes needs SQLite's
    exclusive lock and fails at once, without the busy handler, while any other connection holds a lock; so ask
    first (reading the mode takes no lock) and retry the switch for up to ``wait`` seconds."""
    (mode,) = dbapi_conn.execute("PRAGMA journal_mode").fetchone()
    if mode.lower() == "wal":
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _locking_connection_class(lock: WriteLock, lock_timeout: float) -> type[sqlite3.Connection]:
    busy_timeout_ms = int(lock_timeout * 1000)

    class LockingConnection(sqlite3.Connection):
        write_lock = lock
        holds_write_lock = False
        never_waits = False  # ``never_wait``: SQLite's busy handler off for good

        def never_wait(self) -> None:
            """Turn SQLite's busy handler off for good, for a connection that only ever begins ``nowait`` writes
            (``db.group.WriteGroups``' own): ``begin_write`` then needs no PRAGMA before and after its BEGIN.
            Inside a write transaction nothing else waits for another process (WAL: readers never block it)."""
            self.execute("PRAGMA busy_timeout=0")
            self.never_waits = True

        def begin_write(self, nowait: bool) -> None:
            """BEGIN IMMEDIATE behind this process's write lock. ``nowait``: neither this process's writers (the
            lock) nor another process's (SQLite's busy handler, off for this one BEGIN) may make it wait; it
            raises ``WriteSlotBusy`` instead. Past ``lock_timeout``: ``DatabaseBusy``."""
            if self.never_waits and not nowait:
                raise RuntimeError("a connection whose busy handler is off begins nowait writes only")
            if not lock.acquire(None if nowait else lock_timeout):
                raise WriteSlotBusy() if nowait else DatabaseBusy()
            self.holds_write_lock = True
            try:
                if not nowait or self.never_waits:
                    self.execute("BEGIN IMMEDIATE")
                    return
                self.execute("PRAGMA busy_timeout=0")
                try:
                    self.execute("BEGIN IMMEDIATE")
                finally:
                    self.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            except BaseException as exc:
                self.release_write_lock()
                if isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                    # another process holds SQLite's write lock (past the busy timeout, unless ``nowait``)
                    raise (WriteSlotBusy() if nowait else DatabaseBusy()) from exc
                raise

        def read_to_write(self, nowait: bool) -> None:
            """End this connection's read transaction and begin a write transaction on the same connection
            (``db.transaction.write_transaction``: cheaper than giving the connection back to the pool and
            checking one out again). The snapshot ends: a write must re-read what it depends on."""
            if self.in_transaction:
                self.execute("COMMIT")
            self.begin_write(nowait)

        def release_write_lock(self) -> None:
            if self.holds_write_lock:
                self.holds_write_lock = False
                lock.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.release_write_lock()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.release_write_lock()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self.release_write_lock()

    return LockingConnection


def make_engine(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT, pool_size: int = 10,
                max_overflow: int = 20, **kwargs: Any) -> Engine:
    """``lock_timeout``: the longest a write waits for a lock (SQLite: this process's write lock, then SQLite's
    busy handler for other processes; PostgreSQL: row and table locks, ``lock_timeout``) before it fails with
    ``errors.DatabaseBusy`` (503 with ``Retry-After``; nothing was written). ``pool_size`` and ``max_overflow``
    size the PostgreSQL connection pool (settings ``db_pool_size``, ``db_max_overflow``); SQLite's is fixed."""
    busy_timeout_ms = int(lock_timeout * 1000)
    if url.startswith("sqlite"):
        write_lock = _WRITE_LOCKS.setdefault(url, WriteLock())
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": lock_timeout,
                          "factory": _locking_connection_class(write_lock, lock_timeout)},
            pool_size=8,
            max_overflow=16,
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            ensure_wal(dbapi_conn)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            # Each pooled connection keeps its own page cache: 64 MiB each made the server's peak RSS grow with
            # the number of connections a run had used (424-471 MiB at 100,000 samples). 8 MiB holds the hot
            # index pages of a request; the rest comes from the OS page cache, shared by every connection.
            cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that reads and then
            # writes fails at once with SQLITE_BUSY when another writer got in between. Reads (execution option
            # ``sqlite_deferred``: request sessions by default, see ``read_engine``) begin deferred, so readers
            # never queue behind writers (WAL snapshot reads). BEGIN runs on the driver connection:
            # every request opens a transaction, and SQLAlchemy's execution machinery costs several times what
            # SQLite does for it.
            dbapi_conn = conn.connection.dbapi_connection
            options = conn.get_execution_options()
            if options.get("sqlite_deferred"):
                dbapi_conn.execute("BEGIN")
                return
            dbapi_conn.begin_write(bool(options.get("sqlite_nowait")))

        # pysqlite's own implicit transaction handling must be off for the BEGIN above to be ours.
        @event.listens_for(engine, "connect", insert=True)
        def _sqlite_autocommit_off(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        return engine
    # No pre-ping: it costs a round trip on every request. Connections are recycled instead, and one that died
    # with its server is invalidated by SQLAlchemy on first use (that request fails; the pool recovers).
    # ``lock_timeout`` bounds every wait for a row or table lock (then SQLSTATE 55P03, answered 503).
    connect_args = {"options": f"-c lock_timeout={busy_timeout_ms}"} if url.startswith("postgresql") else {}
    return create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=600,
                         connect_args=connect_args, **kwargs)


def json_field(dialect_name: str, column_sql: str, key_param: str) -> str:
    """SQL expression extracting text value ``key`` from a JSON text column."""
    if dialect_name == "postgresql":
        return f"(({column_sql})::jsonb ->> {key_param})"
    return f"json_extract({column_sql}, '$.' || {key_param})"


def read_engine(engine: Engine) -> Engine:
    """``engine`` (the same pool) whose transactions read by default: on SQLite a deferred transaction (WAL
    snapshot, never waits for writers); on PostgreSQL autocommit, which saves the BEGIN/ROLLBACK round trips of
    every read. ``write_options`` turns one of its transactions into a write
    transaction (``db.transaction.write_transaction``)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**READ_ONLY)
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def read_options(dialect_name: str) -> dict[str, Any]:
    """Execution options for one read transaction on the plain engine (``/healthz``, and the Labelbox GraphQL
    queries): SQLite deferred, PostgreSQL autocommit."""
    return dict(READ_ONLY) if dialect_name == "sqlite" else {"isolation_level": "AUTOCOMMIT"}


_PG_WRITE = {"isolation_level": "READ COMMITTED"}


def write_options(dialect_name: str, nowait: bool = False) -> dict[str, Any]:
    """Execution options that begin a write transaction on a connection of ``engine`` or ``read_engine``
    (``nowait``: SQLite raises ``WriteSlotBusy`` rather than wait for the write lock)."""
    if dialect_name == "sqlite":
        return NOWAIT if nowait else WRITE
    return _PG_WRITE


def engine_for(settings: Any, url: str | None = None) -> Engine:
    """The engine a process builds from its settings (the server, workers and the CLI alike)."""
    return make_engine(url or settings.resolved_database_url(), lock_timeout=settings.lock_timeout_seconds,
                       pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
