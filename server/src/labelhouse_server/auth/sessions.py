"""Browser sessions: an opaque random token in the ``lh_session`` cookie (HttpOnly, SameSite=Lax), stored as its
SHA-256 only, with a per-session CSRF token that every cookie-authenticated write must echo in ``X-CSRF-Token``.

A session ends on sign-out, after ``IDLE_DAYS`` without use (each ``GET /auth/session``, which the app makes on
every load, pushes the end back), when the password changes (``passwords.set_password`` deletes them), or when
the API key it was opened with is revoked (checked on every request by the lookup's join)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..db import Account, WebSession
from ..db.rows import ACCOUNT, split
from ..db.sql import attached_account, run
from ..timeutil import now_iso

COOKIE_NAME = "lh_session"
CSRF_HEADER = "x-csrf-token"
IDLE_DAYS = 14


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _expiry() -> str:
    return _iso(datetime.now(timezone.utc) + timedelta(days=IDLE_DAYS))


@dataclass(frozen=True)
class BrowserSession:
    id: int
    account: Account
    csrf_token: str
    expires_at: str

    def csrf_ok(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(presented.encode(), self.csrf_token.encode())


def open_session(session: Session, account: Account, api_key_id: int | None = None) -> tuple[str, str]:
    """A new session for ``account``; returns (cookie token, CSRF token). The caller commits."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(token), account_id=account.id, api_key_id=api_key_id, csrf_token=csrf,
                           created_at=now_iso(), expires_at=_expiry()))
    session.flush()
    return token, csrf


_SESSION_BY_TOKEN = (
    f"SELECT {ACCOUNT.sql('a')}, s.id, s.csrf_token, s.expires_at "
    "FROM web_sessions s JOIN accounts a ON a.id = s.account_id "
    "LEFT JOIN api_keys k ON k.id = s.api_key_id "
    "WHERE s.token_hash = ? AND (s.api_key_id IS NULL OR k.revoked_at IS NULL)"
)


def find_session(session: Session, token: str) -> BrowserSession | None:
    """The live session of cookie ``token``, or None (unknown, expired, or its API key revoked)."""
    row = run(session, _SESSION_BY_TOKEN, (_hash(token),)).first()
    if row is None:
        return None
    account, (session_id, csrf_token, expires_at) = split(row, ACCOUNT)
    if expires_at <= now_iso():
        return None
    return BrowserSession(id=session_id, account=attached_account(session, account), csrf_token=csrf_token,
                          expires_at=expires_at)


def touch_session(session: Session, session_id: int) -> None:
    """Push the idle end back to ``IDLE_DAYS`` from now. The caller commits."""
    row = session.get(WebSession, session_id)
    if row is not None:
        row.expires_at = _expiry()


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


def api_key_id_for(session: Session, plain: str) -> int | None:
    from .keys import hash_key

    return run(session, "SELECT id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
               (hash_key(plain),)).scalar()
