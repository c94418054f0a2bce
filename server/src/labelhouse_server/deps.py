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
from .db.engine import NOWAIT, WriteSlotBusy
from .errors import CsrfFailed, InvalidApiKey, NotAuthenticated
from .settings import Settings

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


@contextmanager
def request_session(request: Request) -> Iterator[Session]:
    """A session per request. Services commit their own unit of work; anything uncommitted is rolled back.

    Reads run with ``db.engine.read_options`` (SQLite: a deferred WAL-snapshot transaction; PostgreSQL:
    autocommit); writes take SQLite's write lock up front."""
    state = request.app.state
    session = state.sessionmaker()
    if request.method in READ_METHODS:
        session.connection(execution_options=state.read_options)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


async def run_write(request: Request, session: Session, work: Callable[[], T]) -> T:
    """Run ``work``, one whole synchronous unit of work that writes through ``session`` (it commits or raises).

    On SQLite it runs right here on the event loop when the write slot is free: SQLite is in-process, so the work
    is CPU that a worker thread would only serialise behind the GIL, plus a thread hop. When another writer holds
    the slot, and always on PostgreSQL (network waits), it runs in a worker thread: waiting must never block the
    event loop."""
    if request.app.state.inline_writes and not session.in_transaction():
        try:
            session.connection(execution_options=NOWAIT)
        except WriteSlotBusy:
            session.rollback()
        else:
            return work()
    return await run_in_threadpool(work)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """``request_session`` as a dependency. Async on purpose: creating and closing a session does no I/O worth a
    thread hop."""
    with request_session(request) as session:
        yield session


DB = Annotated[Session, Depends(get_session)]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


AppSettings = Annotated[Settings, Depends(get_settings)]


def _api_key_from(request: Request) -> str | None:
    header = request.headers.get("authorization")
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
    key = _api_key_from(request)
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
    """The caller. Async: one indexed lookup is cheaper than a thread hop."""
    if request.method in READ_METHODS:
        return authenticate(request, session)
    # A write request's first query takes SQLite's write lock (BEGIN IMMEDIATE), which may wait for another
    # writer; waiting on the event loop would stall that writer's own awaits and deadlock both.
    return await run_in_threadpool(authenticate, request, session)


async def optional_account(request: Request, session: DB) -> Account | None:
    if request.headers.get("authorization") is None and COOKIE_NAME not in request.cookies:
        return None
    return await current_account(request, session)


CurrentUser = Annotated[Account, Depends(current_account)]
