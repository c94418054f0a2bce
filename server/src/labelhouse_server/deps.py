"""FastAPI dependencies: the database session and the authenticated caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from .auth.keys import account_for_key
from .db import Account
from .errors import InvalidApiKey, NotAuthenticated
from .settings import Settings

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request. Services commit their own unit of work; anything uncommitted is rolled back.

    Async on purpose: creating and closing a session does no I/O worth a thread hop. Reads run with
    ``db.engine.read_options`` (SQLite: a deferred WAL-snapshot transaction; PostgreSQL: autocommit); writes
    take SQLite's write lock up front."""
    session = request.app.state.sessionmaker()
    if request.method in READ_METHODS:
        session.connection(execution_options=request.app.state.read_options)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


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
    """The caller, from ``Authorization: APIKey <key>`` (sync: hot write routes call it inside their own
    worker-thread hop instead of depending on ``CurrentUser``)."""
    key = _api_key_from(request)
    if key is None:
        raise NotAuthenticated()
    account = account_for_key(session, key)
    if account is None or account.is_organization:
        raise InvalidApiKey()
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
    if request.headers.get("authorization") is None:
        return None
    return await current_account(request, session)


CurrentUser = Annotated[Account, Depends(current_account)]
