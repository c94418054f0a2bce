"""FastAPI dependencies: the database session and the authenticated caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from .auth.keys import account_for_key
from .db import Account
from .errors import InvalidApiKey, NotAuthenticated
from .settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    """A session per request. Services commit their own unit of work; anything uncommitted is rolled back."""
    session = request.app.state.sessionmaker()
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


def current_account(request: Request, session: DB) -> Account:
    key = _api_key_from(request)
    if key is None:
        raise NotAuthenticated()
    account = account_for_key(session, key)
    if account is None or account.is_organization:
        raise InvalidApiKey()
    request.state.account_id = account.id
    return account


def optional_account(request: Request, session: DB) -> Account | None:
    if request.headers.get("authorization") is None:
        return None
    return current_account(request, session)


CurrentUser = Annotated[Account, Depends(current_account)]
