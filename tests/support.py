"""Test support: real databases (a fresh SQLite file or a fresh PostgreSQL database per app or server), the app
in-process (``InProcessApp``: ``create_app`` through ``httpx.ASGITransport``) and real labelhouse server processes
on free ports (``LiveServer``). Nothing of ours is mocked."""

from __future__ import annotations

import atexit
import contextvars
import io
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import requests
import requests.adapters
import urllib3
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
def fresh_database(backend: str, tmp_dir: Path, pg_url: str | None = None, prefix: str = "lh_test", *,
                   migrated: bool = False) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database created for this use on the server of
    ``pg_url`` (default: $LABELHOUSE_TEST_DATABASE_URL) and dropped after. The benchmarks use it too.

    ``migrated=True``: a new database at the newest schema instead, copied from one that this process migrated
    once (:func:`_migrated_template`), which is what `upgrade` on an empty database gives, in milliseconds instead
    of seconds: for the ``app`` and ``server`` fixtures, made per module and per lane. Migrating empty databases
    stays tested (tests/server/db/, and every server started by ``live_server`` without the flag)."""
    if backend == "sqlite":
        path = tmp_dir / "labelhouse.sqlite3"
        if migrated:
            template = _migrated_template("sqlite", "")
            # the mode `labelhouse serve` gives the file it creates (Settings.prepare_data_dir)
            with os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as copy:
                copy.write(Path(template).read_bytes())
        yield f"sqlite:///{path}"
        return
    pg_url = pg_url or os.environ.get(PG_URL_ENV)
    assert pg_url, f"the PostgreSQL lane needs a database URL (${PG_URL_ENV})"
    base = make_url(pg_url)
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    template_clause = f' TEMPLATE "{_migrated_template("postgresql", pg_url)}"' if migrated else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template_clause}'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_templates: dict[tuple[str, str], str] = {}


def _migrated_template(backend: str, pg_url: str) -> str:
    """A database that this process brought to the newest schema with ``upgrade``, made on first use and kept
    until the process exits: a SQLite file (its path) or a PostgreSQL database (its name) on ``pg_url``'s
    server, which ``CREATE DATABASE ... TEMPLATE`` copies (nothing stays connected to it)."""
    from labelhouse_server.db.migrate import upgrade

    key = (backend, pg_url)
    if key in _templates:
        return _templates[key]
    if backend == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="lh-template-"))
        path = directory / "labelhouse.sqlite3"
        upgrade(f"sqlite:///{path}")  # its last connection closed: the WAL is checkpointed into the file, and gone
        assert not path.with_name(path.name + "-wal").exists()
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        _templates[key] = str(path)
        return str(path)
    base = make_url(pg_url)
    name = f"lh_template_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    upgrade(base.set(database=name).render_as_string(hide_password=False))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    atexit.register(drop)
    _templates[key] = name
    return name


class PortTaken(RuntimeError):
    pass


class Accounts:
    """Users and organizations made straight through our services on the database at ``self.database_url``
    (real database, no HTTP), as the CLI would make them."""

    database_url: str

    @contextmanager
    def _session(self) -> Iterator[Any]:
        from labelhouse_server.db.engine import make_engine, make_sessionmaker

        engine = make_engine(self.database_url)
        try:
            with make_sessionmaker(engine)() as session:
                yield session
        finally:
            engine.dispose()

    def create_user(self, name: str | None = None, *, email: str | None = None) -> tuple[str, str]:
        """Create a user; returns (username, api_key)."""
        from labelhouse_server.auth.keys import issue_key
        from labelhouse_server.users.service import create_user

        name = name or unique("user")
        with self._session() as session:
            user = create_user(session, name, email)
            _, key = issue_key(session, user)
            session.commit()
        return name, key

    def create_org(self, name: str, admin: str, members: dict[str, str] | None = None) -> str:
        from labelhouse_server.users.service import create_organization, get_account, set_member

        with self._session() as session:
            org = create_organization(session, name, get_account(session, admin))
            for user, role in (members or {}).items():
                set_member(session, org, get_account(session, user), role)
            session.commit()
        return name


@dataclass
class LiveServer(Accounts):
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

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        """A raw HTTP client over a socket, authenticated with ``key`` (if given)."""
        headers = {"Authorization": f"APIKey {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers={**headers, **kwargs.pop("headers", {})}, timeout=60,
                            **kwargs)

    def segments(self, key: str) -> Any:
        """The official segments-ai SDK, unmodified, pointed at this server."""
        from segments import SegmentsClient

        return SegmentsClient(key, api_url=self.url + "/")


@contextmanager
def live_server(backend: str, tmp_dir: Path, env: dict[str, str] | None = None, *,
                migrated: bool = False) -> Iterator[LiveServer]:
    """A server process on a fresh database (empty: the server migrates it as it starts; ``migrated=True``: at
    the newest schema already, see :func:`fresh_database`)."""
    with fresh_database(backend, tmp_dir, migrated=migrated) as url:
        server = LiveServer(backend=backend, database_url=url, data_dir=tmp_dir, env=env or {})
        server.env.setdefault("LABELHOUSE_PUBLIC_URL", server.url)
        try:
            yield server.start()
        finally:
            server.stop()


class CountingApp:
    """A second in-process app on ``server``'s database (no lifespan: no job runner polling the engine) (same code, same real database) that records every SQL
    statement its engine runs, for tests that count statements. ``get``/``post`` send one request."""

    def __init__(self, server: Accounts, data_dir: Path) -> None:
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


# --- in-process apps: the default for HTTP tests ----------------------------------------------------------------
_captured_errors: contextvars.ContextVar[list[logging.LogRecord] | None] = contextvars.ContextVar(
    "captured_errors", default=None)


class _ErrorCapture(logging.Handler):
    """Keeps the exceptions the server logs while it answers a request (``errors._unexpected_error_response``,
    the fast lane's error rendering): the request's own list lives in a context variable, which the app's worker
    threads inherit (anyio copies the context)."""

    def emit(self, record: logging.LogRecord) -> None:
        errors = _captured_errors.get()
        if errors is not None and record.exc_info and record.exc_info[1] is not None:
            errors.append(record)


class ServerError(AssertionError):
    """An in-process request answered 5xx after the server logged an exception: raised in the test, from that
    exception, so the test's failure shows the server's traceback."""


class _PortalTransport(httpx.BaseTransport):
    """A synchronous httpx transport that sends each request through ``httpx.ASGITransport`` on the app's
    event loop (a blocking portal: one loop per app, shared by every client and thread of the test)."""

    def __init__(self, portal: Any, app: Any, raise_server_errors: bool) -> None:
        self.portal = portal
        self.asgi = httpx.ASGITransport(app=app, raise_app_exceptions=raise_server_errors)
        self.raise_server_errors = raise_server_errors

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a byte stream both sides can read (multipart bodies, generators)
        status, headers, content, errors = self.portal.call(self._send, request)
        if self.raise_server_errors and status >= 500 and errors:
            record = errors[-1]
            raise ServerError(f"{request.method} {request.url.raw_path.decode()} answered {status}: "
                              f"{record.getMessage()} (the server's traceback is the cause above; "
                              "client(..., raise_server_errors=False) to get the response instead)"
                              ) from record.exc_info[1].with_traceback(record.exc_info[2])  # type: ignore[index]
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content), request=request)

    async def _send(self, request: httpx.Request) -> tuple[int, httpx.Headers, bytes, list[logging.LogRecord]]:
        errors: list[logging.LogRecord] = []
        token = _captured_errors.set(errors)
        try:
            response = await self.asgi.handle_async_request(request)
            content = await response.aread()
        finally:
            _captured_errors.reset(token)
        return response.status_code, response.headers, content, errors


class _InProcessAdapter(requests.adapters.HTTPAdapter):
    """A ``requests`` adapter that sends to an in-process app (through its ``httpx.ASGITransport`` client), for
    tools that speak ``requests`` (schemathesis' ``case.call``)."""

    def __init__(self, app: InProcessApp) -> None:
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        with self.app.client() as http:
            answer = http.request(request.method or "GET", request.url or "/", headers=dict(request.headers),
                                  content=body)
        # httpx has decoded the body already: the urllib3 response requests builds on gets it as it is now
        headers = urllib3.HTTPHeaderDict()
        for name, value in answer.headers.multi_items():
            if name not in ("content-encoding", "content-length"):
                headers.add(name, value)
        headers["content-length"] = str(len(answer.content))
        raw = urllib3.HTTPResponse(body=io.BytesIO(answer.content), headers=headers, status=answer.status_code,
                                   version=11, reason=answer.reason_phrase, preload_content=False,
                                   decode_content=False)
        return self.build_response(request, raw)


class _AsyncPortalTransport(httpx.AsyncBaseTransport):
    """:class:`_PortalTransport` for async clients: the caller's loop waits in a thread for the app's loop."""

    def __init__(self, sync: _PortalTransport) -> None:
        self.sync = sync

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import anyio.to_thread

        await request.aread()
        return await anyio.to_thread.run_sync(self.sync.handle_request, request)


class InProcessApp(Accounts):
    """``create_app(Settings(...))`` on its own fresh database, served without a process or a socket: the
    default for HTTP tests where process behaviour is not the point (the ``app`` fixture). The app runs on one
    event loop in a thread of its own (an anyio blocking portal) with its lifespan started as a server would
    start it (asgi-lifespan), so background jobs run; clients are ordinary ``httpx.Client`` objects whose
    transport is ``httpx.ASGITransport``. Same surface as :class:`LiveServer` for ``url``, ``create_user``,
    ``create_org`` and ``client``; ``settings`` overrides go to ``Settings``."""

    url = "http://testserver"

    def __init__(self, backend: str, database_url: str, data_dir: Path, **settings: Any) -> None:
        from labelhouse_server.app import create_app
        from labelhouse_server.db.migrate import upgrade
        from labelhouse_server.settings import Settings

        self.backend = backend
        self.database_url = database_url
        self.data_dir = data_dir
        # As the test servers run: rate limits off unless a test turns them on, no bootstrap admin.
        self.settings = Settings(**{"data_dir": data_dir, "database_url": database_url, "public_url": self.url,
                                    "bootstrap_admin": False, "rate_limit_enabled": False, **settings})
        upgrade(database_url)  # what `labelhouse serve` does before it serves
        self.app = create_app(self.settings)

    @contextmanager
    def _session(self) -> Iterator[Any]:
        with self.app.state.sessionmaker() as session:  # the app's own engine: no engine per user made
            yield session

    @contextmanager
    def running(self) -> Iterator[InProcessApp]:
        from anyio.from_thread import start_blocking_portal
        from asgi_lifespan import LifespanManager

        @asynccontextmanager
        async def lifespan() -> AsyncIterator[None]:  # made on the portal's loop, as LifespanManager needs
            async with LifespanManager(self.app, startup_timeout=60, shutdown_timeout=60):
                yield

        capture = _ErrorCapture(logging.ERROR)
        logging.getLogger("labelhouse").addHandler(capture)
        try:
            with start_blocking_portal() as portal:
                self.portal = portal
                with portal.wrap_async_context_manager(lifespan()):
                    yield self
        finally:
            logging.getLogger("labelhouse").removeHandler(capture)

    def client(self, key: str | None = None, *, raise_server_errors: bool = True, **kwargs: Any) -> httpx.Client:
        """An HTTP client of the app, authenticated with ``key`` (if given). A request that fails on the server
        raises that failure here, with its traceback (``raise_server_errors=False``: the 500 response instead)."""
        headers = {"Authorization": f"APIKey {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers={**headers, **kwargs.pop("headers", {})},
                            transport=self.transport(raise_server_errors=raise_server_errors), **kwargs)

    def transport(self, *, raise_server_errors: bool = True) -> httpx.BaseTransport:
        """The transport of :meth:`client`, for clients made elsewhere (our SDK's ``transport=``)."""
        return _PortalTransport(self.portal, self.app, raise_server_errors)

    def async_transport(self, *, raise_server_errors: bool = True) -> httpx.AsyncBaseTransport:
        """The same for async clients on any event loop (the request is handed to the app's loop)."""
        return _AsyncPortalTransport(self.transport(raise_server_errors=raise_server_errors))

    def requests_session(self) -> requests.Session:
        """A ``requests`` session whose requests to :attr:`url` reach this app (for schemathesis' ``case.call``)."""
        session = requests.Session()
        session.mount(self.url, _InProcessAdapter(self))
        return session


@contextmanager
def in_process_app(backend: str, tmp_dir: Path, **settings: Any) -> Iterator[InProcessApp]:
    """A fresh database at the newest schema (:func:`fresh_database`) and an in-process app on it, running."""
    with fresh_database(backend, tmp_dir, migrated=True) as url, InProcessApp(backend, url, tmp_dir, **settings).running() as app:
        yield app
