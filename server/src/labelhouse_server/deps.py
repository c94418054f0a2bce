"""FastAPI dependencies: the database session and the authenticated caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from .auth.keys import account_for_key
from .auth.sessions import COOKIE_NAME, CSRF_HEADER, find_session
from .db import Account
from .db.engine import WriteSlotBusy
from .db.sql import PlainWork, plain_work
from .db.transaction import NOWAIT_KEY, READS
from .errors import CsrfFailed, InvalidApiKey, NotAuthenticated

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


@contextmanager
def request_session(request: Request) -> Iterator[Session]:
    """A session per request; anything left uncommitted is rolled back when the request ends.

    It reads (``db.engine.read_engine``: SQLite WAL snapshots that never wait for writers and may not write;
    PostgreSQL autocommit). The service that writes opens its own short write transaction
    (``db.transaction.write_transaction``), after the body has been parsed and validated: every route, the Labelbox
    API's included (its GraphQL endpoint makes the same session, ``labelbox/endpoint.py``)."""
    session = request.app.state.read_sessionmaker()
    session.info[READS] = True
    try:
        yield session
    finally:
        session.rollback()
        session.close()


async def run_write(request: Request, session: Session, work: Callable[[], T]) -> T:
    """Run ``work``: a synchronous unit of work whose writes happen in one ``write_transaction``.

    On SQLite it runs right here on the event loop when the write slot is free: SQLite is in-process, so the work
    is CPU that a worker thread would only serialise behind the GIL, plus a thread hop. Its write transaction may
    not wait (``NOWAIT``): when another writer holds the slot it fails before writing anything, and the whole unit
    runs again in a worker thread, where waiting (up to the lock timeout, then 503) blocks nobody else. On
    PostgreSQL (network waits, row locks) it always runs in a worker thread."""
    if request.app.state.inline_writes:
        session.info[NOWAIT_KEY] = True
        try:
            return work()
        except WriteSlotBusy:
            pass
        finally:
            session.info.pop(NOWAIT_KEY, None)
    return await run_in_threadpool(work)


async def run_plain_write(request: Request, work: Callable[[PlainWork], T]) -> T:
    """``run_write`` without a ``Session`` (SQLite, ``request.app.state.inline_writes``): ``work`` gets a
    ``db.sql.PlainWork``, runs on the event loop in the open write group (``db.group``: one transaction and one
    COMMIT shared by the concurrent writes, each answered after that COMMIT) or in a new one when the write slot is
    free, and again, from the start, on a fresh connection in a worker thread when it is not."""
    engine = request.app.state.engine
    try:
        return await request.app.state.write_groups.run(work)
    except WriteSlotBusy:
        pass

    def waiting() -> T:
        with plain_work(engine) as unit:
            return work(unit)

    return await run_in_threadpool(waiting)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """``request_session`` as a dependency. Async on purpose: creating and closing a session does no I/O worth a
    thread hop."""
    with request_session(request) as session:
        yield session


DB = Annotated[Session, Depends(get_session)]


def api_key_from(request: Request) -> str | None:
    """The API key of ``Authorization: APIKey|Bearer|Token <key>``; None without the header; 401 when malformed."""
    header = None
    for name, value in request.scope["headers"]:  # not ``request.headers``: building it cost more than the scan
        if name == b"authorization":
            header = value.decode("latin-1")
            break
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() not in ("apikey", "bearer", "token") or not value.strip():
        raise InvalidApiKey("Invalid authorization header; expected 'Authorization: APIKey <key>'.")
    return value.strip()


def authenticate(request: Request, session: Session) -> Account:
    """The caller, from ``Authorization: APIKey <key>`` or else the web app's session cookie (sync: hot write
    routes call it inside their own worker-thread hop instead of depending on ``CurrentUser``).

    A write authenticated by the cookie must carry the session's ``X-CSRF-Token``, else 403 before anything
    changes: every write route authenticates before it writes."""
    key = api_key_from(request)
    if key is not None:
        account = account_for_key(session, key)
        if account is None or account.is_organization:
            raise InvalidApiKey()
    else:
        token = request.cookies.get(COOKIE_NAME)
        if not token:
            raise NotAuthenticated()
        browser = find_session(session, token)
        if browser is None:
            raise NotAuthenticated("Your session has ended; sign in again.")
        if request.method not in READ_METHODS and not browser.csrf_ok(request.headers.get(CSRF_HEADER)):
            raise CsrfFailed()
        account = browser.account
        request.state.browser_session = browser
    request.state.account_id = account.id
    return account


async def current_account(request: Request, session: DB) -> Account:
    """The caller. Async: one indexed read, which never waits for a lock, is cheaper than a thread hop."""
    return authenticate(request, session)


CurrentUser = Annotated[Account, Depends(current_account)]
