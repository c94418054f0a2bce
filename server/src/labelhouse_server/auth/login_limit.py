"""Rate limiting of sign-in attempts (contract: 10 failures in 10 minutes -> 429).

``auth/routes.py`` calls ``check_login_allowed`` before checking credentials and ``record_login_failure`` after a
failed attempt (wrong password or API key). The buckets are the app's rate limiter (``ratelimit.py``): per
(client IP, username) and per client IP, in memory on SQLite, in the shared ``rate_buckets`` table on PostgreSQL
(so the count holds across API processes). Settings: ``rate_limit_sign_in_failures``, ``rate_limit_sign_in_window``;
``rate_limit_enabled=false`` turns it off with every other limit. Both functions are synchronous (the sign-in route
is a sync route, run in a worker thread)."""

from __future__ import annotations

from starlette.requests import Request

from .. import ratelimit


def check_login_allowed(request: Request, username: str | None) -> None:
    """Raise ``ratelimit.RateLimited`` (429 with ``Retry-After``) when this client has failed too often recently,
    for this username or from its address."""
    ratelimit.check_sign_in(request, username or "")


def record_login_failure(request: Request, username: str | None) -> None:
    """Count one failed attempt for this client and username."""
    ratelimit.record_sign_in_failure(request, username or "")
