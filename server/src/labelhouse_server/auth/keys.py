"""API keys: ``lh_`` + 40 random URL-safe characters; stored as SHA-256 hashes only."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Account, ApiKey
from ..db.rows import ACCOUNT
from ..db.sql import attached_account, run
from ..errors import NotFound
from ..timeutil import now_iso


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(session: Session, account: Account, name: str = "default") -> tuple[ApiKey, str]:
    """Create a key for ``account``; returns the row and the plain key (shown once, never stored)."""
    plain = "lh_" + secrets.token_urlsafe(30)
    row = ApiKey(account_id=account.id, name=name, key_hash=hash_key(plain), prefix=plain[:10], created_at=now_iso())
    session.add(row)
    session.flush()
    return row, plain


def revoke_key(session: Session, account: Account, key_id_or_prefix: str) -> ApiKey:
    stmt = select(ApiKey).where(ApiKey.account_id == account.id, ApiKey.revoked_at.is_(None))
    for row in session.scalars(stmt):
        if str(row.id) == key_id_or_prefix or row.prefix == key_id_or_prefix or row.name == key_id_or_prefix:
            row.revoked_at = now_iso()
            session.flush()
            return row
    raise NotFound(f"API key '{key_id_or_prefix}' not found for {account.username}.")


_ACCOUNT_BY_KEY = (
    f"SELECT {ACCOUNT.sql('a')} "
    "FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ? AND k.revoked_at IS NULL"
)


def account_for_key(session: Session, plain: str) -> Account | None:
    """The active account holding ``plain``, or None.

    Runs on every request, so it skips the ORM query machinery: one prebuilt statement over the unique
    ``key_hash`` index, and the row becomes a persistent ``Account`` in the session without a second load."""
    row = run(session, _ACCOUNT_BY_KEY, (hash_key(plain),)).first()
    return None if row is None else attached_account(session, row)
