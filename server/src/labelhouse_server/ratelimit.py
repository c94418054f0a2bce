"""Rate limits: token buckets per API key and per client IP for every request, and a separate, stricter bucket
for sign-in attempts. A refused request answers 429 with ``Retry-After`` (whole seconds) and a JSON body::

    {"detail": "Request was throttled. Expected available in 3 seconds.", "code": "rate_limited",
     "limit": "rate_limit_per_key", "retry_after": 3}

Buckets (settings ``rate_limit_*``): each holds up to ``burst`` tokens, refills at ``per_second`` tokens a second,
and a request takes one token from its key's bucket and one from its IP's bucket. The defaults are generous (a
script or the web app never meets them; a runaway loop does); ``LABELHOUSE_RATE_LIMIT_ENABLED=false`` turns every
limit off.

Where the buckets live:

- **PostgreSQL**: in the database (table ``rate_buckets``), so the limit holds across every API process
  (``--workers N``) and host. A process takes tokens in small leases (``rate_limit_lease``, one round trip per
  lease, refreshed at most once a second) rather than one round trip per request; so across P processes a client
  can exceed the bucket by at most P x lease tokens. The refill is computed by the database clock, in one
  ``UPDATE ... RETURNING`` statement (no lock held beyond it).
  Why not a library: the well-kept Python limiters (``limits``, ``slowapi``, ``pyrate-limiter``) share state
  through Redis, Memcached or MongoDB; none of them through PostgreSQL, and labelhouse's production set-up needs no
  other service than PostgreSQL and an object store.
- **SQLite** (the embedded default, one server process): in the process's memory. With ``--workers N`` on SQLite
  every process keeps its own buckets, so the effective limit is N times the configured one; sign-in attempts too.

Sign-in (``check_sign_in``, ``record_sign_in_failure``; called through ``auth/login_limit.py``): failed attempts
are counted in a bucket per (client IP, username) and one per client IP (4x as large), and an attempt is refused
(429) while either is empty: by default 10 failures in 10 minutes for one account from one address (the web-app
contract), 40 for one address, so guessing one account's password and spraying many accounts from one address are
both slowed. Successful sign-ins take nothing.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import LabelhouseError
from .http import send_error

# Never limited: load-balancer health checks.
EXEMPT_PATHS = frozenset({"/healthz"})


@dataclass(frozen=True)
class Bucket:
    """``burst`` tokens at most, refilled at ``per_second``; ``setting`` names it in the 429 body."""

    setting: str
    per_second: float
    burst: float


class RateLimited(LabelhouseError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, wait: float, setting: str) -> None:
        self.retry_after = max(1, math.ceil(wait))
        super().__init__(f"Request was throttled. Expected available in {self.retry_after} seconds.",
                         limit=setting, retry_after=self.retry_after)
        self.headers = {"Retry-After": str(self.retry_after)}


class MemoryBuckets:
    """Buckets in this process's memory (SQLite deployments; see the module docstring)."""

    _PRUNE_AT = 50_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}

    def take_now(self, key: str, bucket: Bucket) -> float:
        """Take one token; 0.0 when granted, else the seconds until one is available."""
        return self.take_each(((key, bucket),))[0]

    async def take(self, key: str, bucket: Bucket) -> float:
        return self.take_now(key, bucket)

    def take_each(self, wanted: tuple[tuple[str, Bucket], ...]) -> tuple[float, Bucket | None]:
        """Take one token of each (key, bucket) in turn under one acquisition of the lock, stopping at the first
        refusal: (0.0, None) when every one granted, else (seconds to wait, the refusing bucket)."""
        now = time.monotonic()
        wait, refusing = 0.0, None
        with self._lock:
            state = self._state
            for key, bucket in wanted:
                tokens, stamp = state.get(key, (bucket.burst, now))
                tokens = min(bucket.burst, tokens + (now - stamp) * bucket.per_second)
                if tokens >= 1:
                    state[key] = (tokens - 1, now)
                else:
                    state[key] = (tokens, now)
                    wait, refusing = (1 - tokens) / bucket.per_second, bucket
                    break
            if len(state) > self._PRUNE_AT:
                self._prune(now)
        return wait, refusing

    def peek_now(self, key: str, bucket: Bucket) -> float:
        """0.0 when a token is available (none is taken), else the seconds until one is."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._state.get(key, (bucket.burst, now))
        tokens = min(bucket.burst, tokens + (now - stamp) * bucket.per_second)
        return 0.0 if tokens >= 1 else (1 - tokens) / bucket.per_second

    def _prune(self, now: float) -> None:
        # Buckets idle long enough to be full again carry no information.
        self._state = {k: v for k, v in self._state.items() if now - v[1] < 3600}


# One statement: refill by the database clock, grant up to :lease whole tokens, remember how many were granted.
# SQLAlchemy ``text()`` here rather than ``db.sql.run`` (which runs in a Session's transaction): the buckets live
# on the limiter's own AUTOCOMMIT connection, outside any session, so that a rate-limit check never begins, joins or
# waits on a request's transaction; PostgreSQL only.
_AVAILABLE = ("LEAST(:burst, tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp()) - stamp) * :rate)")
_CLAIM = text(
    f"UPDATE rate_buckets SET granted = LEAST(:lease, FLOOR({_AVAILABLE})), "
    f"tokens = {_AVAILABLE} - LEAST(:lease, FLOOR({_AVAILABLE})), "
    "stamp = EXTRACT(EPOCH FROM clock_timestamp()) WHERE key = :key RETURNING granted, tokens"
)
_CREATE = text("INSERT INTO rate_buckets (key, tokens, stamp, granted) "
               "VALUES (:key, :burst, EXTRACT(EPOCH FROM clock_timestamp()), 0) ON CONFLICT (key) DO NOTHING")
_PEEK = text(f"SELECT {_AVAILABLE} FROM rate_buckets WHERE key = :key")
_PRUNE = text("DELETE FROM rate_buckets WHERE stamp < EXTRACT(EPOCH FROM clock_timestamp()) - 3600")


class PostgresBuckets:
    """Buckets shared by every process through the ``rate_buckets`` table, taken in leases (module docstring)."""

    LEASE_SECONDS = 1.0

    def __init__(self, engine: Engine, lease: int) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._lease = max(1, lease)
        self._lock = threading.Lock()
        self._leased: dict[str, tuple[int, float]] = {}  # key -> (tokens left, lease expiry)

    def _from_lease(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            left, expires = self._leased.get(key, (0, 0.0))
            if left >= 1 and now < expires:
                self._leased[key] = (left - 1, expires)
                return True
        return False

    def take_now(self, key: str, bucket: Bucket, lease: int | None = None) -> float:
        if self._from_lease(key):
            return 0.0
        lease = min(lease or self._lease, max(1, int(bucket.burst)))
        params = {"key": key, "burst": bucket.burst, "rate": bucket.per_second, "lease": lease}
        with self._engine.connect() as conn:
            row = conn.execute(_CLAIM, params).first()
            if row is None:
                conn.execute(_CREATE, params)
                row = conn.execute(_CLAIM, params).first()
            if random.random() < 0.001:
                conn.execute(_PRUNE)
        assert row is not None  # created just above when missing
        granted, tokens = int(row.granted), float(row.tokens)
        if granted < 1:
            return (1 - tokens) / bucket.per_second
        if granted > 1:
            with self._lock:
                self._leased[key] = (granted - 1, time.monotonic() + self.LEASE_SECONDS)
        return 0.0

    async def take(self, key: str, bucket: Bucket) -> float:
        if self._from_lease(key):
            return 0.0
        return await run_in_threadpool(self.take_now, key, bucket)

    def peek_now(self, key: str, bucket: Bucket) -> float:
        """0.0 when the shared bucket holds a token (none is taken), else the seconds until it does."""
        with self._engine.connect() as conn:
            tokens = conn.execute(_PEEK, {"key": key, "burst": bucket.burst, "rate": bucket.per_second}).scalar()
        if tokens is None or float(tokens) >= 1:
            return 0.0
        return (1 - float(tokens)) / bucket.per_second


class RateLimiter:
    """The buckets of one app (``app.state.rate_limiter``)."""

    def __init__(self, settings: Any, engine: Engine) -> None:
        self.enabled = bool(settings.rate_limit_enabled)
        self.per_key = Bucket("rate_limit_per_key", settings.rate_limit_per_key_per_second,
                              settings.rate_limit_per_key_burst)
        self.per_ip = Bucket("rate_limit_per_ip", settings.rate_limit_per_ip_per_second,
                             settings.rate_limit_per_ip_burst)
        failures, window = settings.rate_limit_sign_in_failures, settings.rate_limit_sign_in_window
        self.sign_in = Bucket("rate_limit_sign_in_failures", failures / window, failures)
        self.sign_in_ip = Bucket("rate_limit_sign_in_failures", 4 * failures / window, 4 * failures)
        self.store: MemoryBuckets | PostgresBuckets = (
            PostgresBuckets(engine, settings.rate_limit_lease) if engine.dialect.name == "postgresql"
            else MemoryBuckets())
        self.in_memory = isinstance(self.store, MemoryBuckets)

    async def check_request(self, scope: Scope) -> RateLimited | None:
        """The refusal for this request, or None. Takes a token from the client IP's bucket and, when the request
        carries an API key, from the key's bucket."""
        if self.in_memory:
            return self.check_request_now(scope)
        wait = await self.store.take("ip:" + _client_ip(scope), self.per_ip)
        if wait > 0:
            return RateLimited(wait, self.per_ip.setting)
        key = _api_key(scope)
        if key is not None:
            wait = await self.store.take(key, self.per_key)
            if wait > 0:
                return RateLimited(wait, self.per_key.setting)
        return None

    def check_request_now(self, scope: Scope) -> RateLimited | None:
        """``check_request`` for buckets in this process's memory (``in_memory``): no coroutine per bucket."""
        store = self.store
        assert isinstance(store, MemoryBuckets)
        key = _api_key(scope)
        ip = ("ip:" + _client_ip(scope), self.per_ip)
        wait, refusing = store.take_each((ip,) if key is None else (ip, (key, self.per_key)))
        return None if refusing is None else RateLimited(wait, refusing.setting)

    def _sign_in_buckets(self, ip: str, username: str) -> tuple[tuple[str, Bucket], ...]:
        name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        return (f"signin:{ip}:{name}", self.sign_in), (f"signin-ip:{ip}", self.sign_in_ip)

    def check_sign_in(self, ip: str, username: str) -> None:
        """Raise ``RateLimited`` when (ip, username) or ip alone has no failure left in its bucket."""
        if not self.enabled:
            return
        for key, bucket in self._sign_in_buckets(ip, username):
            wait = self.store.peek_now(key, bucket)
            if wait > 0:
                raise RateLimited(wait, bucket.setting)

    def record_sign_in_failure(self, ip: str, username: str) -> None:
        if not self.enabled:
            return
        for key, bucket in self._sign_in_buckets(ip, username):
            if isinstance(self.store, PostgresBuckets):
                self.store.take_now(key, bucket, 1)  # no lease: every failure counts where every process sees it
            else:
                self.store.take_now(key, bucket)


def _limiter(request: Request) -> RateLimiter | None:
    return getattr(request.app.state, "rate_limiter", None)


def check_sign_in(request: Request, username: str) -> None:
    """For the sign-in route: call once per attempt, before checking the credentials; raises ``RateLimited``
    (429, ``Retry-After``) when this client has failed too often recently, for this username or overall.
    Synchronous, and on PostgreSQL it queries the database: call it from a sync route (FastAPI runs those in a
    worker thread) or via ``run_in_threadpool``."""
    limiter = _limiter(request)
    if limiter is not None:
        limiter.check_sign_in(_client_ip(request.scope), username)


def record_sign_in_failure(request: Request, username: str) -> None:
    """For the sign-in route: count one failed attempt (wrong password or API key). Synchronous, like
    ``check_sign_in``."""
    limiter = _limiter(request)
    if limiter is not None:
        limiter.record_sign_in_failure(_client_ip(request.scope), username)


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def _api_key(scope: Scope) -> str | None:
    """The bucket name of the request's API key (``key:`` + a hash of it), or None."""
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            return _bucket_name(value)
    return None


# A SHA-256 per request was a third of the limiter's cost, and a client sends the same Authorization header again
# and again: memoised per header value, bounded (junk headers cannot grow it).
@functools.lru_cache(maxsize=4096)
def _bucket_name(authorization: bytes) -> str | None:
    _, _, key = authorization.partition(b" ")
    key = key.strip()
    # Hashed: the table (PostgreSQL) never holds keys, and long junk headers make short keys.
    return "key:" + hashlib.sha256(key).hexdigest()[:32] if key else None


class RateLimitMiddleware:
    """Pure ASGI middleware: answers 429 for a client over its limits (``app.state.rate_limiter``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter: RateLimiter | None = getattr(getattr(scope.get("app"), "state", None), "rate_limiter", None)
        if scope["type"] != "http" or limiter is None or not limiter.enabled or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        # In memory (SQLite): taken right here, without awaiting a coroutine per request.
        refused = limiter.check_request_now(scope) if limiter.in_memory else await limiter.check_request(scope)
        if refused is None:
            await self.app(scope, receive, send)
            return
        body = refused.body()
        request_id = (scope.get("state") or {}).get("request_id")
        if request_id:
            body["request_id"] = request_id
        await send_error(send, scope["path"], 429, body, [(b"retry-after", str(refused.retry_after).encode())])


__all__ = ["Bucket", "RateLimitMiddleware", "RateLimited", "RateLimiter", "check_sign_in", "record_sign_in_failure"]
