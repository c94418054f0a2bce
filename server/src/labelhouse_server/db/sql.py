"""Prebuilt SQL for the hottest single-item paths.

Statements are written once with ``?`` placeholders and run on the driver's own cursor, inside the session's
transaction: no SQLAlchemy statement construction, compilation, execution context or result wrapping per
statement (on the benchmark machine ``exec_driver_sql`` alone cost ~150 µs per statement; the cursor ~10 µs).
Driver errors are re-raised as SQLAlchemy's (``IntegrityError``, ...), like every other statement's. The
placeholder rewrite for the connection's dialect (SQLite ``qmark`` as written; psycopg ``pyformat``/``format`` ->
``%s``) happens once per statement and dialect and is cached, so use it for a fixed set of statements (module
constants, or variants built from a bounded set of parts), never for SQL containing values. Write ``?`` only as
a placeholder, never inside a string literal. ``attached`` turns such a row into a persistent ORM object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from .transaction import WriteOutsideTransaction, writes_outside
from .users import Account

_T = TypeVar("_T")

_rewritten: dict[tuple[str, str], str] = {}
_writes: dict[str, bool] = {}
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def for_paramstyle(sql: str, paramstyle: str) -> str:
    key = (sql, paramstyle)
    out = _rewritten.get(key)
    if out is None:
        if paramstyle == "qmark":
            out = sql
        elif paramstyle in ("format", "pyformat"):
            out = sql.replace("%", "%%").replace("?", "%s")
        else:
            raise NotImplementedError(f"paramstyle {paramstyle!r}")
        _rewritten[key] = out
    return out


class Rows(list[Any]):
    """All rows of a statement, as the driver's tuples."""

    def first(self) -> Any:
        return self[0] if self else None

    def all(self) -> list[Any]:
        return self


def run(session: Session, sql: str, params: Sequence[Any] = ()) -> Rows:
    """Execute ``sql`` (``?`` placeholders, positional ``params``) in the session's transaction; every row."""
    writes = _writes.get(sql)
    if writes is None:
        writes = _writes.setdefault(sql, sql.lstrip()[:7].upper().startswith(_WRITE_VERBS))
    if writes and writes_outside(session):
        raise WriteOutsideTransaction(f"{sql[:60]}... outside write_transaction()")
    conn = session.connection()
    dialect = conn.dialect
    stmt = for_paramstyle(sql, dialect.paramstyle)
    params = tuple(params)
    driver: Any = conn.connection.driver_connection
    cursor = driver.cursor()
    try:
        cursor.execute(stmt, params)
        return Rows(cursor.fetchall() if cursor.description is not None else ())
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(stmt, params, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
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


# The columns ``attached_account`` reads, in this order.
ACCOUNT_COLUMNS = "{a}.id, {a}.username, {a}.email, {a}.is_organization, {a}.is_admin, {a}.created_at"


def attached_account(session: Session, row: Sequence[Any]) -> Account:
    """The persistent ``Account`` of ``row`` (``ACCOUNT_COLUMNS`` order)."""
    return attached(session, Account, row[0], lambda: Account(
        id=row[0], username=row[1], email=row[2], is_organization=bool(row[3]), is_admin=bool(row[4]),
        created_at=row[5]))
