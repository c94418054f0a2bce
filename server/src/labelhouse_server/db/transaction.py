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

from sqlalchemy.orm import Session

from .engine import write_options

# ``session.info`` keys. READS: the session reads by default (set by ``deps.request_session``). WRITING: a write
# transaction is open. NOWAIT: set by ``deps.run_write`` while the unit runs on the event loop, which must not wait
# for the write lock (``WriteSlotBusy`` instead, raised before anything is written).
READS = "labelhouse.reads"
_WRITING = "labelhouse.writing"
NOWAIT_KEY = "labelhouse.write_nowait"


def end_read(session: Session) -> None:
    """End the session's read transaction, if any, and give its connection back to the pool. Nothing expires:
    loaded objects stay usable."""
    if session.info.get(_WRITING):
        raise RuntimeError("end_read() inside a write transaction")
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("ORM changes made outside write_transaction(): make them inside the block")
    if session.in_transaction():
        session.commit()  # nothing to flush (checked above); commit, unlike rollback, expires nothing


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run the block in one write transaction (see the module docstring); joins an enclosing one."""
    if session.info.get(_WRITING):
        yield session
        return
    if session.info.get(READS):
        end_read(session)
        options = write_options(session.get_bind().dialect.name, nowait=bool(session.info.get(NOWAIT_KEY)))
        try:
            session.connection(execution_options=options)
        except BaseException:
            session.rollback()  # no write lock stays held; the caller may retry (e.g. in a worker thread)
            raise
    session.info[_WRITING] = True
    try:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
    finally:
        session.info.pop(_WRITING, None)


def in_write_transaction(session: Session) -> bool:
    return bool(session.info.get(_WRITING))
