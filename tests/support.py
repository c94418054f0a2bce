"""Test support: real databases (a fresh SQLite file or a fresh PostgreSQL database per server) and real
labelhouse server processes on free ports. Nothing of ours is mocked."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL_ENV = "LABELHOUSE_TEST_DATABASE_URL"


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when a database URL is given (CI gives one)."""
    return ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else ["sqlite"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@contextmanager
def fresh_database(backend: str, tmp_dir: Path, pg_url: str | None = None, prefix: str = "lh_test") -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database created for this use on the server of
    ``pg_url`` (default: $LABELHOUSE_TEST_DATABASE_URL) and dropped after. The benchmarks use it too."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir / 'labelhouse.sqlite3'}"
        return
    pg_url = pg_url or os.environ.get(PG_URL_ENV)
    assert pg_url, f"the PostgreSQL lane needs a database URL (${PG_URL_ENV})"
    base = make_url(pg_url)
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class PortTaken(RuntimeError):
    pass


@dataclass
class LiveServer:
    """A ``labelhouse serve`` process on a free port with its own data directory and database."""

    backend: str
    database_url: str
    data_dir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0, attempts: int = 3) -> LiveServer:
        """Start the server; if its port was taken meanwhile (parallel test workers), retry on another port."""
        for attempt in range(attempts):
            try:
                return self._start_once(timeout)
            except PortTaken:
                if attempt == attempts - 1:
                    raise
                self.port = free_port()
                self.env["LABELHOUSE_PUBLIC_URL"] = self.url
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> LiveServer:
        # Rate limits off unless a test turns them on (tests/server/api/test_rate_limits.py): test clients fire
        # requests back to back from one address.
        env = {**os.environ, "LABELHOUSE_BOOTSTRAP_ADMIN": "false", "LABELHOUSE_RATE_LIMIT_ENABLED": "false",
               **self.env}
        with open(self.data_dir / "server.log", "ab") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "labelhouse_server.cli", "serve", "--port", str(self.port),
                 "--data-dir", str(self.data_dir), "--database-url", self.database_url, "--log-level", "warning"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                if "address already in use" in tail.lower():
                    raise PortTaken(tail)
                raise RuntimeError(f"server exited with {self.proc.returncode}: {tail}")
            try:
                r = httpx.get(f"{self.url}/healthz", timeout=1)
                # the answer must come from OUR process, not from another test worker's server on this port
                if r.status_code == 200 and r.json().get("pid") == self.proc.pid:
                    return self
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start in {timeout}s: {self.log_tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return (self.data_dir / "server.log").read_text(errors="replace")[-n:]
        except OSError:
            return ""

    # --- data set-up straight through our services on the same database (real DB, no HTTP) ---------------
    def _session(self) -> Any:
        from labelhouse_server.db.engine import make_engine, make_sessionmaker

        engine = make_engine(self.database_url)
        return engine, make_sessionmaker(engine)()

    def create_user(self, name: str | None = None, *, email: str | None = None) -> tuple[str, str]:
        """Create a user; returns (username, api_key)."""
        from labelhouse_server.auth.keys import issue_key
        from labelhouse_server.users.service import create_user

        name = name or unique("user")
        engine, session = self._session()
        try:
            user = create_user(session, name, email)
            _, key = issue_key(session, user)
            session.commit()
        finally:
            session.close()
            engine.dispose()
        return name, key

    def create_org(self, name: str, admin: str, members: dict[str, str] | None = None) -> str:
        from labelhouse_server.users.service import create_organization, get_account, set_member

        engine, session = self._session()
        try:
            org = create_organization(session, name, get_account(session, admin))
            for user, role in (members or {}).items():
                set_member(session, org, get_account(session, user), role)
            session.commit()
        finally:
            session.close()
            engine.dispose()
        return name

    def client(self, key: str) -> httpx.Client:
        """A raw HTTP client authenticated with ``key``."""
        return httpx.Client(base_url=self.url, headers={"Authorization": f"APIKey {key}"}, timeout=60)

    def segments(self, key: str) -> Any:
        """The official segments-ai SDK, unmodified, pointed at this server."""
        from segments import SegmentsClient

        return SegmentsClient(key, api_url=self.url + "/")


@contextmanager
def live_server(backend: str, tmp_dir: Path, env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    with fresh_database(backend, tmp_dir) as url:
        server = LiveServer(backend=backend, database_url=url, data_dir=tmp_dir, env=env or {})
        server.env.setdefault("LABELHOUSE_PUBLIC_URL", server.url)
        try:
            yield server.start()
        finally:
            server.stop()


class CountingApp:
    """An in-process app on ``server``'s database (same code, same real database) that records every SQL
    statement its engine runs, for tests that count statements. ``get``/``post`` send one request."""

    def __init__(self, server: LiveServer, data_dir: Path) -> None:
        from labelhouse_server.app import create_app
        from labelhouse_server.settings import Settings
        from sqlalchemy import event

        # Rate limiting off: on PostgreSQL its shared buckets run statements of their own whenever a lease of
        # tokens runs out (and now and then a prune), which are not the route's and would make counts vary.
        self.app = create_app(Settings(data_dir=data_dir, database_url=server.database_url, bootstrap_admin=False,
                                       fast_lane=False, rate_limit_enabled=False))
        self.statements: list[str] = []
        event.listen(self.app.state.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *args: self.statements.append(statement))

    def request(self, method: str, path: str, key: str, **kwargs: Any) -> httpx.Response:
        import asyncio

        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
                return await client.request(method, path, headers={"Authorization": f"APIKey {key}"}, **kwargs)

        self.statements.clear()
        return asyncio.run(call())

    def close(self) -> None:
        self.app.state.engine.dispose()
