"""The one way to run SQL written as text: ``run`` (and ``run_many``).

Queries are built either with SQLAlchemy's ORM/Core expressions (composed queries: filters, sorting) or written
as text and run here (no ``exec_driver_sql`` or raw driver cursors elsewhere). Text SQL uses one placeholder
style, ``?``, and runs on the driver's own cursor inside the session's transaction: no SQLAlchemy statement
construction, compilation, execution context or result wrapping per statement (on the benchmark machine
``exec_driver_sql`` alone cost ~150 µs per statement; the cursor ~10 µs). Driver errors are re-raised as
SQLAlchemy's (``IntegrityError``, ...), like every other statement's, so one error handler and ``db.integrity``
translate them. The placeholder rewrite for the connection's dialect (SQLite ``qmark`` as written; psycopg
``%s``, or ``%b`` with ``binary=True`` for large array parameters) happens once per statement and is cached, so
use it for a fixed set of statements (module constants, or variants built from a bounded set of parts), never for
SQL containing values. Write ``?`` only as a placeholder, never inside a string literal. Rows are the driver's
tuples: read them by column name with ``db.rows``. ``attached`` turns such a row into a persistent ORM object.
A request session refuses writes here outside ``db.transaction.write_transaction``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from .rows import ACCOUNT
from .transaction import READS, WriteOutsideTransaction, writes_outside
from .users import Account

_T = TypeVar("_T")

_rewritten: dict[tuple[str, str, bool], str] = {}
_writes: dict[str, bool] = {}
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def for_paramstyle(sql: str, paramstyle: str, binary: bool = False) -> str:
    key = (sql, paramstyle, binary)
    out = _rewritten.get(key)
    if out is None:
        if paramstyle == "qmark":
            out = sql
        elif paramstyle in ("format", "pyformat"):
            out = sql.replace("%", "%%").replace("?", "%b" if binary else "%s")
        else:
            raise NotImplementedError(f"paramstyle {paramstyle!r}")
        _rewritten[key] = out
    return out


class Rows(list[Any]):
    """All rows of a statement, as the driver's tuples; ``rowcount``: the rows an INSERT, UPDATE or DELETE
    touched (the driver's count)."""

    rowcount: int = -1

    def first(self) -> Any:
        return self[0] if self else None

    def all(self) -> list[Any]:
        return self

    def scalar(self) -> Any:
        """The first column of the first row (None without rows)."""
        return self[0][0] if self else None

    def scalars(self) -> list[Any]:
        """The first column of every row (statements selecting one column)."""
        return [r[0] for r in self]


class _Checkout:
    """What ``run`` reads of a session's connection: the dialect and the pooled connection."""

    __slots__ = ("connection", "dialect")

    def __init__(self, dialect: Any, connection: Any) -> None:
        self.dialect, self.connection = dialect, connection


class PlainReads:
    """A few reads on one pooled connection, without a ``Session``: no ORM, no identity map, no SQLAlchemy
    transaction objects. For the hottest single-item GETs, where setting up and tearing down a session cost more
    than their one or two statements (``plain_reads``). ``run`` takes it in place of a session; writes are refused
    (it is read-only, like a request session outside ``write_transaction``)."""

    info: dict[str, bool]

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.checkout: _Checkout | None = None
        self.info = {READS: True}

    def get_bind(self) -> Engine:
        """The engine read through, as ``Session.get_bind`` (for its dialect)."""
        return self._engine

    def connection(self) -> _Checkout:
        """What ``run`` asks a session for, checked out of the pool on first use."""
        if self.checkout is None:
            pooled = self._engine.raw_connection()
            if self._engine.dialect.name == "sqlite":
                # One read transaction for all the statements, as a request session's (a WAL snapshot that never
                # waits for writers); ended by the pool's reset (rollback) when the connection goes back.
                pooled.driver_connection.execute("BEGIN")  # type: ignore[union-attr]
            self.checkout = _Checkout(self._engine.dialect, pooled)
        return self.checkout


class _Detached:
    """What ``run`` reads of a pooled connection, for a driver connection detached from the pool."""

    __slots__ = ("driver_connection",)

    def __init__(self, driver_connection: Any) -> None:
        self.driver_connection = driver_connection

    def close(self) -> None:
        self.driver_connection.close()


def detached_checkout(engine: Engine) -> _Checkout:
    """A connection made by ``engine``'s pool (so with its connect-time pragmas) and detached from it, for a
    connection an app keeps for itself (``HeldReads``, ``db.group.WriteGroups``): it holds no pool slot, no pool
    checkout or check-in runs per use, and it is closed by ``checkout.connection.close()``."""
    pooled = engine.raw_connection()
    pooled.detach()
    return _Checkout(engine.dialect, _Detached(pooled.dbapi_connection))


class HeldReads:
    """One SQLite connection an app keeps for ``plain_reads`` on its event loop, out of the pool: checking a
    connection out of SQLAlchemy's pool and back in (its events, its reset) cost more than the GET of a sample's
    one statement (bench/RESULTS.md, issue 16 session 7). Taken without waiting, by one block at a time; a block
    that finds it taken (another thread, or a nested read) uses the pool as before. Made on first use from the
    engine's pool (so with the engine's connect-time pragmas) and detached from it: it holds no pool slot and is
    closed by ``close`` (the app's lifespan) or when the app is collected.

    No transaction is begun: each statement is its own read (SQLite autocommit, a WAL snapshot of the moment it
    runs), as each statement of a PostgreSQL request session is (``read_engine``: autocommit). So a key revoked by
    any process is refused by the next statement, and nothing stays open between requests (``BEGIN`` and
    ``ROLLBACK`` around the GET's one statement cost a third of its SQL time)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._checkout: _Checkout | None = None

    def take(self) -> _Checkout | None:
        """The connection, or None when another block has it."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self._checkout is None:
                self._checkout = detached_checkout(self._engine)
            return self._checkout
        except BaseException:
            self._lock.release()
            raise

    def give_back(self) -> None:
        try:
            assert self._checkout is not None
            driver = self._checkout.connection.driver_connection
            if driver.in_transaction:  # not by ``run``'s reads (each ends with its cursor); never left open
                driver.rollback()
        except BaseException:
            self._drop()  # a connection that cannot roll back is not reused
            raise
        finally:
            self._lock.release()

    def _drop(self) -> None:
        checkout, self._checkout = self._checkout, None
        if checkout is not None:
            with contextlib.suppress(Exception):  # a broken connection; a new one is made on next use
                checkout.connection.close()

    def close(self) -> None:
        with self._lock:
            self._drop()


@contextmanager
def plain_reads(engine: Engine, held: HeldReads | None = None) -> Iterator[PlainReads]:
    """``PlainReads`` on ``held``'s connection when it is free, else on ``engine``'s pool; the connection goes back
    (rolled back) when the block ends. PostgreSQL: the driver's own transaction, begun by the first statement."""
    reads = PlainReads(engine)
    checkout = held.take() if held is not None else None
    if checkout is not None:
        assert held is not None
        reads.checkout = checkout
        try:
            yield reads
        finally:
            held.give_back()
        return
    try:
        yield reads
    finally:
        if reads.checkout is not None:
            reads.checkout.connection.close()


class PlainWork(PlainReads):
    """``PlainReads`` that may also write, in one ``db.transaction.write_transaction`` (SQLite only: the label PUT
    of the fast lane, ``labels.routes``). Unlike ``PlainReads`` it opens no read transaction of its own: each read
    before the write is one statement in autocommit (its own snapshot), and ``write_transaction`` begins the write
    transaction on the same connection (``begin_write``: this process's write lock, then ``BEGIN IMMEDIATE``),
    commits it or rolls it back."""

    def connection(self) -> _Checkout:
        if self.checkout is None:
            self.checkout = _Checkout(self._engine.dialect, self._engine.raw_connection())
        return self.checkout

    def driver(self) -> Any:
        """The driver's connection (``engine.LockingConnection``): ``write_transaction`` begins, commits and rolls
        back the write on it."""
        return self.connection().connection.driver_connection


@contextmanager
def plain_work(engine: Engine) -> Iterator[PlainWork]:
    """``PlainWork`` on ``engine``'s pool (SQLite); the connection goes back (rolled back) when the block ends."""
    work = PlainWork(engine)
    try:
        yield work
    finally:
        if work.checkout is not None:
            work.checkout.connection.close()


Reader = Session | PlainReads  # what ``run`` reads through
Unit = Session | PlainWork  # what a unit of work that may write runs in (``db.transaction.write_transaction``)


def _check_write(session: Reader, sql: str) -> None:
    writes = _writes.get(sql)
    if writes is None:
        writes = _writes.setdefault(sql, sql.lstrip()[:7].upper().startswith(_WRITE_VERBS))
    if writes and writes_outside(session):
        raise WriteOutsideTransaction(f"{sql[:60]}... outside write_transaction()")


def run(session: Reader, sql: str, params: Sequence[Any] = (), *, binary: bool = False) -> Rows:
    """Execute ``sql`` (``?`` placeholders, positional ``params``) in the session's transaction (or on
    ``PlainReads``' connection); every row. ``binary``: PostgreSQL gets the parameters in binary format (large
    arrays: no text rendering and parsing)."""
    _check_write(session, sql)
    conn: Any = session.connection()
    dialect = conn.dialect
    stmt = for_paramstyle(sql, dialect.paramstyle, binary)
    params = tuple(params)
    driver: Any = conn.connection.driver_connection
    cursor = driver.cursor()
    try:
        cursor.execute(stmt, params)
        rows = Rows(cursor.fetchall() if cursor.description is not None else ())
        rows.rowcount = cursor.rowcount
        return rows
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(stmt, params, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
    finally:
        cursor.close()


def run_many(session: Session, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Execute ``sql`` once per parameter row (the driver's ``executemany``) in the session's transaction."""
    _check_write(session, sql)
    conn = session.connection()
    dialect = conn.dialect
    stmt = for_paramstyle(sql, dialect.paramstyle)
    driver: Any = conn.connection.driver_connection
    cursor = driver.cursor()
    try:
        cursor.executemany(stmt, rows)
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(stmt, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
    finally:
        cursor.close()


def in_list(n: int) -> str:
    """``?, ?, ?`` for an ``IN (...)`` of ``n`` values."""
    return ", ".join("?" * n)


def attached(session: Session, cls: type[_T], obj_id: int, build: Callable[[], _T]) -> _T:
    """The session's instance of ``cls`` with primary key ``obj_id``, or ``build()`` made persistent in the
    session without a load (for rows already fetched by a prebuilt statement)."""
    existing = session.identity_map.get(identity_key(cls, obj_id))
    if existing is not None:
        return existing
    obj = build()
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


_account_fields = ACCOUNT.getter("id", "username", "email", "is_organization", "is_admin", "created_at")


def attached_account(session: Session, row: Sequence[Any]) -> Account:
    """The persistent ``Account`` of ``row``: a ``db.rows.ACCOUNT`` row, or one that starts with its columns."""
    account_id, username, email, is_organization, is_admin, created_at = _account_fields(row)
    return attached(session, Account, account_id, lambda: Account(
        id=account_id, username=username, email=email, is_organization=bool(is_organization),
        is_admin=bool(is_admin), created_at=created_at))
