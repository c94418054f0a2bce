"""Wire shapes of accounts (Segments ``User`` / ``Owner`` models)."""

from __future__ import annotations

from typing import Any

from ..db import Account


def user_public(account: Account, *, include_email: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "username": account.username,
        "created_at": account.created_at,
        "is_organization": bool(account.is_organization),
    }
    if include_email:
        out["email"] = account.email
    return out


def owner_public(account: Account) -> dict[str, Any]:
    return {"username": account.username, "created_at": account.created_at, "email": None}
