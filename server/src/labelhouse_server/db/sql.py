"""Prebuilt SQL for the hottest single-item paths.

Statements are written once with ``?`` placeholders and run through the driver (``exec_driver_sql``): no
SQLAlchemy statement construction, compilation or ORM loading per request. The placeholder rewrite for the
connection's dialect (SQLite ``qmark`` as written; psycopg ``pyformat``/``format`` -> ``%s``) happens once per
statement and dialect and is cached, so use it for a fixed set of statements (module constants, or variants
built from a bounded set of parts), never for SQL containing values. Write ``?`` only as a placeholder, never
inside a string literal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

_rewritten: dict[tuple[str, str], str] = {}


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


def run(session: Session, sql: str, params: Sequence[Any] = ()) -> CursorResult[Any]:
    """Execute ``sql`` (``?`` placeholders, positional ``params``) on the session's connection/transaction."""
    conn = session.connection()
    return conn.exec_driver_sql(for_paramstyle(sql, conn.dialect.paramstyle), tuple(params))


def in_list(n: int) -> str:
    """``?, ?, ?`` for an ``IN (...)`` of ``n`` values."""
    return ", ".join("?" * n)
