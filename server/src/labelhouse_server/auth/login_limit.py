"""HOOK: rate limiting of sign-in attempts (contract: 10 failures in 10 minutes -> 429).

``auth/routes.py`` calls ``check_login_allowed`` before checking credentials and ``record_login_failure`` after a
failed attempt. The limiter itself is being written by another change (the shared rate-limit module); until it
lands these two functions are the one place to plug it in, and they do not limit yet."""

from __future__ import annotations

from starlette.requests import Request


def login_identity(request: Request, username: str | None) -> str:
    """What attempts are counted by: the client address and the username tried."""
    client = request.client.host if request.client else "unknown"
    return f"{client}|{username or ''}"


def check_login_allowed(request: Request, username: str | None) -> None:
    """Raise ``errors.TooManyRequests`` when this identity has failed too often recently. (Hook: no limiter yet.)"""


def record_login_failure(request: Request, username: str | None) -> None:
    """Count one failed attempt for this identity. (Hook: no limiter yet.)"""
