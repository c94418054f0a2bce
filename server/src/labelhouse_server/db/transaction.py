"""Write transactions: the one way a unit of work commits.

A request's session reads by default (``engine.read_engine``: a SQLite WAL snapshot that never waits for writers
and may not write, PostgreSQL autocommit). The service that writes opens the write transaction itself, after the
request body has been read, parsed and validated, and keeps it as short as the work::

    values = validated(session, body)             # reads and checks: no write lock held
    with write_transaction(session):              # SQLite: takes the write lock (bounded wait, else 503)
        run(session, UPDATE, values)              # the writes, and the reads they depend on
    return public(session, ...)                   # after the commit: reads again, never waits

``write_transaction`` ends the session's read transaction first (a deferred SQLite snapshot cannot become a write
once another writer committed after it began), begins the write transaction, commits when the block ends and rolls
back when it raises. Inside it, helpers never commit: nested ``write_transaction`` blocks join the outer one, so the
outermost block is the one owner of the commit. ORM changes must be made inside the block.

Sessions that write by default (the plain engine's: CLI, jobs) keep their own transaction boundaries: there the
block joins the transaction already open and commits it when it ends, as a service's ``session.commit()`` did.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from .engine import write_options

if TYPE_CHECKING:
    from .sql import PlainWork, Unit

# ``session.info`` keys. READS: the session reads by default (set by ``deps.request_session``). WRITING: a write
# transaction is open. NOWAIT: set by ``deps.run_write`` while the unit runs on the event loop, which must not wait
# for the write lock (``WriteSlotBusy`` instead, raised before anything is written).
READS = "labelhouse.reads"
_WRITING = "labelhouse.writing"
NOWAIT_KEY = "labelhouse.write_nowait"
_COMMITTED = "labelhouse.committed"  # a write transaction of this session has committed (``committed_writes``)


class WriteOutsideTransaction(RuntimeError):
    """A request session wrote outside ``write_transaction`` (a bug: on PostgreSQL the write would commit at once,
    on SQLite it would take the write lock behind the service's back)."""


def writes_outside(session: Any) -> bool:
    """Whether a write in ``session`` now would be outside a write transaction of a read-by-default session."""
    info = session.info
    return bool(info.get(READS)) and not info.get(_WRITING)


def guard_writes(factory: sessionmaker[Session]) -> None:
    """Make the sessions of ``factory`` (request sessions) refuse writes outside ``write_transaction``: ORM
    flushes and Core DML through ``session.execute`` here, statements run with ``db.sql.run`` there."""

    @event.listens_for(factory, "before_flush")
    def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
        if writes_outside(session) and (session.new or session.dirty or session.deleted):
            raise WriteOutsideTransaction("ORM changes flushed outside write_transaction()")

    @event.listens_for(factory, "do_orm_execute")
    def _do_orm_execute(state: ORMExecuteState) -> None:
        if (state.is_insert or state.is_update or state.is_delete) and writes_outside(state.session):
            raise WriteOutsideTransaction(f"{state.statement} outside write_transaction()")


def end_read(session: Session) -> None:
    """End the session's read transaction, if any, and give its connection back to the pool. Nothing expires:
    loaded objects stay usable."""
    if session.info.get(_WRITING):
        raise RuntimeError("end_read() inside a write transaction")
    if session.new or session.dirty or session.deleted:
        raise WriteOutsideTransaction("ORM changes made outside write_transaction(): make them inside the block")
    if session.in_transaction():
        session.commit()  # nothing to flush (checked above); commit, unlike rollback, expires nothing


@contextmanager
def write_transaction(session: Unit) -> Iterator[Unit]:
    """Run the block in one write transaction (see the module docstring); joins an enclosing one."""
    if session.info.get(_WRITING):
        yield session
        return
    if not isinstance(session, Session):  # db.sql.PlainWork: the driver connection, no Session
        yield from _plain_write(session)
        return
    if session.info.get(READS):
        _begin_write(session, nowait=bool(session.info.get(NOWAIT_KEY)))
    session.info[_WRITING] = True
    try:
        try:
            yield session
            session.commit()
            session.info[_COMMITTED] = True
        except BaseException:
            session.rollback()
            raise
    finally:
        session.info.pop(_WRITING, None)


def _plain_write(work: PlainWork) -> Iterator[PlainWork]:
    """``write_transaction`` on a ``db.sql.PlainWork`` (SQLite): the write transaction begins, commits or rolls
    back on its driver connection (``engine.LockingConnection``: this process's write lock, then ``BEGIN
    IMMEDIATE``); ``NOWAIT`` as for a session."""
    driver = work.driver()
    driver.begin_write(bool(work.info.get(NOWAIT_KEY)))
    work.info[_WRITING] = True
    try:
        try:
            yield work
            driver.commit()
        except BaseException:
            driver.rollback()
            raise
    finally:
        work.info.pop(_WRITING, None)


def begin_group(work: PlainWork) -> None:
    """Begin the write transaction of a write group (``db.group``) on ``work``'s connection, without waiting
    (``engine.WriteSlotBusy`` when another writer has the lock): the members' ``write_transaction`` blocks join it,
    and ``end_group`` commits it."""
    work.driver().begin_write(True)
    work.info[_WRITING] = True


def end_group(work: PlainWork, *, commit: bool) -> None:
    """COMMIT (or ROLLBACK) the transaction ``begin_group`` began; the write lock is let go either way."""
    work.info.pop(_WRITING, None)
    driver = work.driver()
    if commit:
        try:
            driver.commit()
        except BaseException:
            driver.rollback()
            raise
    else:
        driver.rollback()


def _begin_write(session: Session, nowait: bool) -> None:
    """End the session's read transaction and begin a write transaction. SQLite: on the same connection, at the
    driver (no pool round trip; ``db.engine``'s ``read_to_write``). PostgreSQL: the read ran in autocommit; the
    write runs on a connection checked out with ``write_options``."""
    dialect = session.get_bind().dialect.name
    try:
        if dialect == "sqlite" and session.in_transaction():
            if session.new or session.dirty or session.deleted:
                raise WriteOutsideTransaction("ORM changes made outside write_transaction(): make them inside "
                                              "the block")
            session.connection().connection.dbapi_connection.read_to_write(nowait)  # type: ignore[union-attr]
            return
        end_read(session)
        session.connection(execution_options=write_options(dialect, nowait=nowait))
    except BaseException:
        session.rollback()  # no write lock stays held; the caller may retry (e.g. in a worker thread)
        raise


def committed_writes(session: Session) -> bool:
    """Whether a write transaction of ``session`` has committed: a request that fails after this has changed
    something, and sending it again is no longer the same request (a busy answer is then not retryable)."""
    return bool(session.info.get(_COMMITTED))


def in_write_transaction(session: Session) -> bool:
    return bool(session.info.get(_WRITING))
