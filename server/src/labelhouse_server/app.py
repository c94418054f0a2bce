"""The app factory: ``create_app(settings)`` builds everything; nothing happens at import time."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from .admin.routes import router as admin_router
from .assets.routes import router as assets_router
from .auth.routes import router as auth_router
from .contract import document_models, drop_unsent_validation_errors
from .datasets.routes import router as datasets_router
from .db.engine import engine_for, make_sessionmaker, read_engine, read_options
from .db.group import WriteGroups
from .db.sql import HeldReads
from .db.transaction import guard_writes
from .embeddings.index import IndexCache
from .embeddings.routes import FAST_LANE as embeddings_fast_lane
from .embeddings.routes import router as embeddings_router
from .errors import install_error_handlers
from .exports.routes import router as exports_router
from .fastlane import FastLane
from .http import JSONBytesResponse, RequestPlumbingMiddleware
from .issues.routes import router as issues_router
from .jobs import make_app_runner
from .labelbox.adv import router as labelbox_adv_router
from .labelbox.endpoint import router as labelbox_router
from .labelbox.rest import add_fallback as add_labelbox_rest_fallback
from .labelbox.rest import router as labelbox_rest_router
from .labelbox.rest_ontologies import router as labelbox_ontologies_router
from .labels.routes import FAST_LANE as labels_fast_lane
from .labels.routes import router as labels_router
from .queue.routes import router as queue_router
from .ratelimit import RateLimiter, RateLimitMiddleware
from .releases.routes import router as releases_router
from .routing import Routes, install
from .samples.routes import FAST_LANE as samples_fast_lane
from .samples.routes import router as samples_router
from .settings import Settings
from .storage import make_store
from .storage.routes import router as storage_router
from .thumbnails.routes import router as thumbnails_router
from .users.routes import router as users_router
from .webapp.routes import router as webapp_router
from .workunits.routes import router as workunits_router

log = logging.getLogger("labelhouse")

API_DESCRIPTION = """Self-hosted data labeling, wire-compatible with the Segments.ai API.

Authenticate with `Authorization: APIKey <key>`, or (the web app) with the `lh_session` cookie from
`POST /auth/login` plus `X-CSRF-Token` on writes. Paths are served at the origin root, with and without a
trailing slash. Errors are `{"detail": "...", "code": "...", "field": "...", "request_id": "..."}` (`ErrorBody`):
invalid input is answered 400 naming the field, never 422.

The Labelbox API served by the same process (`/graphql`, `/_gql`, `/api/v1/...`, `/adv/...`) is not described
here: its contract is the official Labelbox SDK's (see docs/labelbox-mapping.md)."""


class LabelhouseApp(FastAPI):
    """FastAPI with the OpenAPI description trimmed to what is sent (the fast lane, ``fastlane.py``, is a
    middleware: ``create_app``)."""

    # Whether FastAPI's native OpenTelemetry bridge has a provider to report to. FastAPI asks on every request
    # (three global-provider look-ups, each reading os.environ): ~3 % of a fast-lane GET (bench/RESULTS.md, issue
    # 10). Providers are configured before the app serves (``opentelemetry-instrument``, or code run at import), so
    # the answer is taken once when the app is built and again when it starts (lifespan).
    telemetry_configured = True

    def check_telemetry(self) -> None:
        native = getattr(self, "_native_telemetry", None)
        self.telemetry_configured = native is None or bool(native.enabled())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.telemetry_configured:
            if self.root_path:
                scope["root_path"] = self.root_path
            await Starlette.__call__(self, scope, receive, send)  # FastAPI's own, minus the telemetry check
            return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        # The plumbing (request ids, bounded bodies) wraps everything, Starlette's ServerErrorMiddleware included:
        # that one renders the 500 of an unhandled exception and sits outside every middleware added with
        # ``add_middleware``, so a 500 would otherwise go out without its X-Request-ID.
        return RequestPlumbingMiddleware(super().build_middleware_stack())

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document_models(self.routes)
            self.openapi_schema = drop_unsent_validation_errors(super().openapi())
        return self.openapi_schema


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.prepare_data_dir()
    engine = engine_for(settings)

    @asynccontextmanager
    async def lifespan(app: LabelhouseApp) -> AsyncIterator[None]:
        # Background jobs start with the app (in-process runner, embedded default; reaps jobs of a killed server
        # first) and stop with it; running jobs are handed back to the queue.
        app.check_telemetry()
        app.state.job_runner.start()
        if not gc.isenabled():  # ``labelhouse serve`` turned it off for start-up (cli.cmd_serve)
            # Frozen, not collected: what start-up made (~200,000 objects: modules, models, routes) lives as long
            # as the process, so the collector never scans it again. A full collection here found ~1,100
            # unreachable objects (no RSS change) and cost 0.2 s of CPU before the first answer; and every full
            # collection while serving would scan those objects again (~0.17 s with the event loop held).
            gc.freeze()
            gc.enable()
        try:
            yield
        finally:
            app.state.job_runner.stop()
            if app.state.held_reads is not None:
                app.state.held_reads.close()
            if app.state.write_groups is not None:
                app.state.write_groups.close()
            engine.dispose()

    app = LabelhouseApp(
        lifespan=lifespan,
        title="labelhouse",
        version="0.1.0",
        description=API_DESCRIPTION,
        default_response_class=JSONBytesResponse,
        redirect_slashes=False,
    )
    app.check_telemetry()
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)  # writes by default (what jobs and the CLI use)
    app.state.read_sessionmaker = make_sessionmaker(read_engine(engine))  # request sessions (deps.request_session)
    guard_writes(app.state.read_sessionmaker)
    app.state.read_options = read_options(engine.dialect.name)
    app.state.inline_writes = engine.dialect.name == "sqlite"  # see deps.run_write
    # SQLite: the connection of the event loop's session-less reads (``db.sql.HeldReads``, the GET of a sample).
    app.state.held_reads = HeldReads(engine) if app.state.inline_writes else None
    # SQLite: the event loop's group commit of label PUTs (``db.group``, ``deps.run_plain_write``).
    app.state.write_groups = WriteGroups(engine) if app.state.inline_writes else None
    app.state.store = make_store(settings)
    app.state.job_runner = make_app_runner(settings, engine)
    app.state.embedding_indexes = IndexCache(app.state.store, settings.data_dir / "embedding-index-cache")
    app.router.redirect_slashes = False
    app.state.rate_limiter = RateLimiter(settings, engine)
    if settings.fast_lane:
        # First, so that it is the innermost middleware: every middleware added after it (here or later, by
        # anyone) wraps the fast lane's responses too (fastlane.py).
        app.add_middleware(FastLane, routes=[*samples_fast_lane, *labels_fast_lane, *embeddings_fast_lane])
    # Added last = outermost of these: rate limits (ratelimit.py). Request ids and bounded bodies wrap the whole
    # stack (``LabelhouseApp.build_middleware_stack``).
    app.add_middleware(RateLimitMiddleware)
    install_error_handlers(app)

    def probe() -> None:
        # A read (``read_options``): never takes, or waits for, the write lock another request may hold. A bare
        # connection, not a session (``db.sql.run`` runs in a session's transaction): the probe holds nothing longer
        # than its one constant statement.
        with engine.connect() as conn:
            conn.execution_options(**app.state.read_options).exec_driver_sql("SELECT 1")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        # SQLite answers on the event loop (a WAL read never waits); PostgreSQL in a worker thread (network).
        if app.state.inline_writes:
            probe()
        else:
            await run_in_threadpool(probe)
        return {"status": "ok", "pid": os.getpid()}

    # After /healthz, which is matched first. Each route is built here, once (``routing.install``).
    labelbox = _labelbox_routers()
    for router in _routers():
        # The Labelbox wire protocol is not part of this OpenAPI description: it is the official Labelbox SDK's
        # (GraphQL schema in labelbox/sdl/, REST routes and errors as docs/labelbox-mapping.md says).
        install(app, router, include_in_schema=router not in labelbox)
    add_labelbox_rest_fallback(app)  # after every /api/v1 route
    return app


def _labelbox_routers() -> list[Routes]:
    return [labelbox_router, labelbox_rest_router, labelbox_ontologies_router, labelbox_adv_router, exports_router]


def _routers() -> list[Routes]:
    # The hottest routes first: routes are matched in order.
    return [samples_router, labels_router, datasets_router, users_router, issues_router, workunits_router,
            releases_router, assets_router, storage_router, embeddings_router, admin_router, labelbox_router,
            labelbox_rest_router, labelbox_ontologies_router, labelbox_adv_router, exports_router, auth_router,
            queue_router, thumbnails_router, webapp_router]
