"""Account lookups shared by every feature that renders or accepts usernames (samples, labels, issues, embeddings,
the web queue ...)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import Account
from .db.sql import Reader, in_list, run

CHUNK = 500  # ids / names per IN (...) list: far below every database's bound-parameter limit


def usernames(session: Reader, ids: Iterable[int | None], known: Account | None = None) -> dict[int, str]:
    """id -> username for every id given, in one query (no N+1); none when all ids are ``known``'s (typically the
    caller, who created most of what they list). Up to ``len(_USERNAMES)`` ids (a sample and its label) by a
    prebuilt statement per count; more as one array parameter."""
    out: dict[int, str] = {known.id: known.username} if known is not None else {}
    wanted = sorted({i for i in ids if i is not None and i not in out})
    if len(wanted) <= len(_USERNAMES):  # single-item paths: a prebuilt statement per length
        if wanted:
            out.update(run(session, _USERNAMES[len(wanted)], wanted).all())
        return out
    if session.get_bind().dialect.name == "postgresql":
        out.update(run(session, _USERNAMES_ANY_PG, (wanted,), binary=True).all())
    else:
        out.update(run(session, _USERNAMES_JSON_SQLITE, (orjson.dumps(wanted).decode(),)).all())
    return out


# A sample's three users and its label's three.
_USERNAMES = {n: f"SELECT id, username FROM accounts WHERE id IN ({in_list(n)})" for n in range(1, 7)}
_USERNAMES_ANY_PG = "SELECT id, username FROM accounts WHERE id = ANY(?::int[])"
_USERNAMES_JSON_SQLITE = "SELECT id, username FROM accounts WHERE id IN (SELECT value FROM json_each(?))"


def account_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    """username -> id of every account among ``names`` that exists."""
    wanted = sorted(set(names))
    out: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        out.update((n, i) for i, n in session.execute(
            select(Account.id, Account.username).where(Account.username.in_(chunk))).tuples())
    return out


__all__ = ["account_ids", "usernames"]
