"""Passwords: argon2id hashes through argon2-cffi (the reference implementation's bindings, maintained by the
Python Cryptographic Authority's Hynek Schlawack; it chooses salts, encodes parameters in the hash and tells when
a hash needs upgrading, so nothing here is hand-rolled crypto)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import Account, Password, WebSession
from ..errors import Invalid
from ..timeutil import now_iso

if TYPE_CHECKING:
    from argon2 import PasswordHasher


@functools.cache
def _hasher() -> PasswordHasher:
    """Made by the first password hashed or checked: argon2-cffi and its C bindings are 0.5 MiB of a server's idle
    memory that one never signed in to by password need not hold (bench/RESULTS.md issue 16 session 9)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


MIN_LENGTH = 8
MAX_LENGTH = 1024
# Verified when the username is unknown, so a wrong username costs the same time as a wrong password.


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (same work either way). Made on first use, not at
    import: an argon2 hash costs every process that starts ~0.1 s and a 64 MiB allocation."""
    return _hasher().hash("labelhouse-no-such-user")


def validate_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise Invalid(f"password: at least {MIN_LENGTH} characters.", field="password")
    if len(password) > MAX_LENGTH:
        raise Invalid(f"password: at most {MAX_LENGTH} characters.", field="password")
    return password


def set_password(session: Session, account: Account, password: str) -> None:
    """Set (or change) ``account``'s password. Every browser session of the account ends."""
    if account.is_organization:
        raise Invalid(f"'{account.username}' is an organization; only users have passwords.", field="username")
    hashed = _hasher().hash(validate_password(password))
    row = session.get(Password, account.id)
    if row is None:
        session.add(Password(account_id=account.id, password_hash=hashed, changed_at=now_iso()))
    else:
        row.password_hash = hashed
        row.changed_at = now_iso()
    session.execute(delete(WebSession).where(WebSession.account_id == account.id))
    session.flush()


def check_password(session: Session, username: str, password: str) -> tuple[Account | None, str | None]:
    """The user whose password this is, or None (same work whether the user or the password was wrong), and a new
    hash of the password to store (``store_rehash``) when the stored one uses outdated parameters. It only reads:
    the hashing (tens of milliseconds) happens before the caller's write transaction."""
    row = session.execute(
        select(Account, Password.password_hash)
        .join(Password, Password.account_id == Account.id)
        .where(Account.username == username, Account.is_organization.is_(False))
    ).first()
    stored = row.password_hash if row is not None else _dummy_hash()
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None, None
    if row is None:
        return None, None
    account: Account = row.Account
    return account, (_hasher().hash(password) if _hasher().check_needs_rehash(stored) else None)


def store_rehash(session: Session, account_id: int, password_hash: str) -> None:
    """Store ``check_password``'s new hash (in the caller's write transaction)."""
    session.execute(update(Password).where(Password.account_id == account_id).values(password_hash=password_hash))
