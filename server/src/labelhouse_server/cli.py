"""The ``labelhouse`` command.

    labelhouse serve [--host H] [--port P] [--data-dir DIR] [--database-url URL]
    labelhouse migrate
    labelhouse user create NAME [--email E] [--admin]
    labelhouse user set-password NAME [--password-stdin]
    labelhouse apikey create USER [--name N]      labelhouse apikey revoke USER KEY_ID_OR_PREFIX
    labelhouse apikey list USER
    labelhouse org create ORG --admin USER        labelhouse org add-member ORG USER [--role R]
    labelhouse org remove-member ORG USER
    labelhouse worker [--public-url URL]           (background-job worker for production deployments)
    labelhouse backup DEST                         (a consistent copy while the server keeps running)
    labelhouse restore SRC --data-dir NEW [--database-url URL]

Every subcommand accepts --data-dir and --database-url (or LABELHOUSE_DATA_DIR / LABELHOUSE_DATABASE_URL).
Commands that print a new API key print it alone on the last line of standard output.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from .settings import Settings, describe_invalid_settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    return Settings(**overrides)


def bootstrap_admin(settings: Settings) -> str | None:
    """Migrate; then, on an empty database and if enabled, create user 'admin' and return its API key."""
    from .auth.keys import issue_key
    from .db import Account
    from .db.migrate import migrated
    from .users.service import create_user
    engine, factory = migrated(settings)
    try:
        with factory() as session:
            if not settings.bootstrap_admin or session.scalar(select(func.count()).select_from(Account)):
                return None
            admin = create_user(session, "admin", None, is_admin=True)
            _, key = issue_key(session, admin, "bootstrap")
            session.commit()
            return key
    finally:
        engine.dispose()


def cmd_serve(args: argparse.Namespace) -> int:
    # Start-up makes ~200,000 objects that live as long as the process (modules, models, routes): the cyclic
    # collector would scan them again and again (~300 collections, ~10 % of start-up CPU). It is off until the app
    # has built its routes; the lifespan then freezes what start-up made (``gc.freeze``: never scanned again) and
    # turns it back on (``app.create_app``). uvicorn's worker processes (``--workers``) are new interpreters, with
    # the collector on.
    gc.disable()
    _limit_malloc_arenas()
    import uvicorn

    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    _resolve_public_url(args, derived=f"http://{host}:{args.port}")
    if args.data_dir:
        os.environ["LABELHOUSE_DATA_DIR"] = str(Path(args.data_dir).resolve())
    if args.database_url:
        os.environ["LABELHOUSE_DATABASE_URL"] = args.database_url
    settings = Settings()
    key = bootstrap_admin(settings)
    if key:
        print("Created user 'admin'. Its API key (shown once, keep it safe):", flush=True)
        print(f"  {key}", flush=True)
    print(f"labelhouse: serving {settings.public_url} (database: {_redact(settings.resolved_database_url())}, "
          f"data: {settings.data_dir.resolve()})", flush=True)
    # ws="none": no route is a WebSocket, so uvicorn does not import a WebSocket implementation (websockets:
    # 2.4 MiB and ~0.02 s of every start); an Upgrade request is answered as plain HTTP.
    uvicorn.run("labelhouse_server.asgi:app", host=args.host, port=args.port, workers=args.workers,
                log_level=args.log_level, access_log=args.access_log, proxy_headers=True, ws="none",
                timeout_worker_healthcheck=args.worker_healthcheck_timeout)
    return 0


MALLOC_ARENAS = 2


def _limit_malloc_arenas() -> None:
    """At most ``MALLOC_ARENAS`` glibc malloc arenas in ``serve`` (and, through the environment, in its uvicorn
    worker processes). glibc gives threads that allocate at once arenas of their own (up to 8 per core), and memory
    freed in an arena stays with it: the request threads, the job runner and SQLite made the peak RSS over
    bench/perf_bench.py 162 MiB, 146 MiB with two arenas (issue 16, session 7). ``MALLOC_ARENA_MAX`` set by
    the operator wins. A no-op where the C library is not glibc."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    os.environ["MALLOC_ARENA_MAX"] = str(MALLOC_ARENAS)  # read by glibc when a new process starts
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, MALLOC_ARENAS)  # M_ARENA_MAX, for this process (already started)
    except (OSError, AttributeError):
        pass


PUBLIC_URL_ENV = "LABELHOUSE_PUBLIC_URL"


def _resolve_public_url(args: argparse.Namespace, derived: str | None = None) -> bool:
    """The one rule for the public URL (the base of the links written into asset and release records), shared by
    every process that writes such links — ``serve`` and ``worker``: ``--public-url``, else
    ``LABELHOUSE_PUBLIC_URL``, else what the process can derive (``serve``: ``http://HOST:PORT`` of the address it
    listens on; a worker listens nowhere and derives nothing). The result goes into the environment, so the
    settings of this process and of uvicorn's worker processes read the same value. False when nothing gave one."""
    if getattr(args, "public_url", None):
        os.environ[PUBLIC_URL_ENV] = args.public_url
    elif PUBLIC_URL_ENV not in os.environ and derived is not None:
        os.environ[PUBLIC_URL_ENV] = derived
    return PUBLIC_URL_ENV in os.environ


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def cmd_migrate(args: argparse.Namespace) -> int:
    from .db.migrate import migrated
    engine, _ = migrated(_settings(args))
    engine.dispose()
    print("database is up to date")
    return 0


def _with_session(args: argparse.Namespace, fn) -> int:
    from .db.migrate import migrated
    from .errors import LabelhouseError
    engine, factory = migrated(_settings(args))
    try:
        with factory() as session:
            try:
                fn(session)
                session.commit()
            except LabelhouseError as exc:
                session.rollback()
                print(f"error: {exc.detail}", file=sys.stderr)
                return 1
    finally:
        engine.dispose()
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from .auth.keys import issue_key
    from .users.service import create_user

    def run(session: Any) -> None:
        user = create_user(session, args.name, args.email, is_admin=args.admin)
        _, key = issue_key(session, user, "default")
        session.flush()
        print(f"Created user '{user.username}'. API key:")
        print(key)

    return _with_session(args, run)


def _read_new_password(from_stdin: bool) -> str:
    """Twice at a terminal (without echo); otherwise (or with --password-stdin) one line of standard input."""
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise SystemExit("error: the two passwords differ; nothing changed")
    return first


def cmd_user_set_password(args: argparse.Namespace) -> int:
    from .auth.passwords import set_password
    from .users.service import get_account

    password = _read_new_password(args.password_stdin)

    def run(session: Any) -> None:
        set_password(session, get_account(session, args.name), password)
        print(f"Password set for '{args.name}'; their browser sessions have ended.")

    return _with_session(args, run)


def cmd_apikey_create(args: argparse.Namespace) -> int:
    from .auth.keys import issue_key
    from .users.service import get_account

    def run(session: Any) -> None:
        _, key = issue_key(session, get_account(session, args.user), args.name)
        print(f"New API key '{args.name}' for '{args.user}':")
        print(key)

    return _with_session(args, run)


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    from .auth.keys import revoke_key
    from .users.service import get_account

    def run(session: Any) -> None:
        row = revoke_key(session, get_account(session, args.user), args.key)
        print(f"Revoked key {row.id} ({row.prefix}..., '{row.name}').")

    return _with_session(args, run)


def cmd_apikey_list(args: argparse.Namespace) -> int:
    from .db import ApiKey
    from .users.service import get_account

    def run(session: Any) -> None:
        user = get_account(session, args.user)
        for row in session.scalars(select(ApiKey).where(ApiKey.account_id == user.id).order_by(ApiKey.id)):
            state = f"revoked {row.revoked_at}" if row.revoked_at else "active"
            print(f"{row.id}\t{row.prefix}...\t{row.name}\t{row.created_at}\t{state}")

    return _with_session(args, run)


def cmd_org_create(args: argparse.Namespace) -> int:
    from .users.service import create_organization, get_account

    def run(session: Any) -> None:
        org = create_organization(session, args.org, get_account(session, args.admin), args.email)
        print(f"Created organization '{org.username}' with admin '{args.admin}'.")

    return _with_session(args, run)


def cmd_org_add_member(args: argparse.Namespace) -> int:
    from .users.service import get_account, set_member

    def run(session: Any) -> None:
        set_member(session, get_account(session, args.org), get_account(session, args.user), args.role)
        print(f"'{args.user}' is now {args.role} of '{args.org}'.")

    return _with_session(args, run)


def cmd_org_remove_member(args: argparse.Namespace) -> int:
    from .users.service import get_account, remove_member

    def run(session: Any) -> None:
        remove_member(session, get_account(session, args.org), get_account(session, args.user))
        print(f"'{args.user}' removed from '{args.org}'.")

    return _with_session(args, run)


def cmd_worker(args: argparse.Namespace) -> int:
    try:
        from .jobs.worker import run_worker
    except ImportError:
        print("error: the job worker is not available in this build", file=sys.stderr)
        return 1
    has_public_url = _resolve_public_url(args)
    settings = _settings(args)
    if not has_public_url and settings.storage_backend == "local":
        # Release links of the local store point at the API server; a guess (the default port) writes links
        # that lead nowhere, so the worker needs the server's URL, exactly as the server uses it.
        print(f"error: set {PUBLIC_URL_ENV} (or --public-url) to the URL clients reach the API server at, the "
              "same value the server uses: with the local object store the worker writes it into release links.",
              file=sys.stderr)
        return 2
    return run_worker(settings, concurrency=args.concurrency)


def cmd_backup(args: argparse.Namespace) -> int:
    from .backup import BackupError, backup

    try:
        manifest = backup(_settings(args), Path(args.dest))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"backup of {manifest['database']['kind']} database (schema {manifest['schema_revision']}) begun at "
          f"{manifest['began_at']} written to {args.dest}")
    if manifest.get("objects_note"):
        print(f"note: {manifest['objects_note']}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from .backup import BackupError, restore

    try:
        manifest = restore(Path(args.src), Path(args.data_dir), args.database_url)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    where = f"--data-dir {args.data_dir}" + (f" --database-url {_redact(args.database_url)}"
                                             if args.database_url else "")
    print(f"restored the backup begun at {manifest['began_at']}; serve it with: labelhouse serve {where}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="data directory (default: ./labelhouse-data or LABELHOUSE_DATA_DIR)")
    common.add_argument("--database-url", help="database URL (default: SQLite in the data directory)")

    parser = argparse.ArgumentParser(prog="labelhouse", description="labelhouse: self-hosted data labeling")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the API server (migrates the database first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="number of API processes")
    # uvicorn's default (5 s) counts a worker's imports: on a busy machine a new API process took longer than that
    # to answer its first health check, and uvicorn killed and respawned it forever (bench/RESULTS.md).
    serve.add_argument("--worker-healthcheck-timeout", type=int, default=60, metavar="SECONDS",
                       help="with --workers N: seconds an API process may take to answer uvicorn's health check "
                            "(default 60)")
    serve.add_argument("--public-url", help="URL clients use to reach this server (default http://HOST:PORT)")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=False)
    serve.set_defaults(func=cmd_serve)

    mig = sub.add_parser("migrate", parents=[common], help="create or upgrade the database schema")
    mig.set_defaults(func=cmd_migrate)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    uc = user.add_parser("create", parents=[common], help="create a user and print a new API key")
    uc.add_argument("name")
    uc.add_argument("--email")
    uc.add_argument("--admin", action="store_true", help="server administrator")
    uc.set_defaults(func=cmd_user_create)
    up = user.add_parser("set-password", parents=[common], help="set a user's password for the web app")
    up.add_argument("name")
    up.add_argument("--password-stdin", action="store_true",
                    help="read the password from standard input (one line) instead of asking twice")
    up.set_defaults(func=cmd_user_set_password)

    key = sub.add_parser("apikey", help="manage API keys").add_subparsers(dest="action", required=True)
    kc = key.add_parser("create", parents=[common], help="issue another API key for a user")
    kc.add_argument("user")
    kc.add_argument("--name", default="default")
    kc.set_defaults(func=cmd_apikey_create)
    kr = key.add_parser("revoke", parents=[common], help="revoke a key (by id, prefix or name)")
    kr.add_argument("user")
    kr.add_argument("key")
    kr.set_defaults(func=cmd_apikey_revoke)
    kl = key.add_parser("list", parents=[common], help="list a user's keys (never the keys themselves)")
    kl.add_argument("user")
    kl.set_defaults(func=cmd_apikey_list)

    org = sub.add_parser("org", help="manage organizations").add_subparsers(dest="action", required=True)
    oc = org.add_parser("create", parents=[common], help="create an organization")
    oc.add_argument("org")
    oc.add_argument("--admin", required=True, help="user who becomes its first admin")
    oc.add_argument("--email")
    oc.set_defaults(func=cmd_org_create)
    oa = org.add_parser("add-member", parents=[common], help="add a member or change a member's role")
    oa.add_argument("org")
    oa.add_argument("user")
    oa.add_argument("--role", default="labeler", choices=["labeler", "reviewer", "manager", "admin"])
    oa.set_defaults(func=cmd_org_add_member)
    orm_ = org.add_parser("remove-member", parents=[common], help="remove a member")
    orm_.add_argument("org")
    orm_.add_argument("user")
    orm_.set_defaults(func=cmd_org_remove_member)

    worker = sub.add_parser("worker", parents=[common], help="run background jobs (production)")
    worker.add_argument("--concurrency", type=int, default=1)
    worker.add_argument("--public-url", help="URL clients use to reach the API server (default "
                        "LABELHOUSE_PUBLIC_URL; required with the local object store)")
    worker.set_defaults(func=cmd_worker)

    bk = sub.add_parser("backup", parents=[common], help="write a consistent backup (database and stored files) "
                                                         "to a new folder, while the server keeps running")
    bk.add_argument("dest", help="folder to create (must not exist, or be empty)")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="create a data directory (and database) from a backup")
    rs.add_argument("src", help="a folder written by `labelhouse backup`")
    rs.add_argument("--data-dir", required=True, help="the new data directory (must not exist, or be empty)")
    rs.add_argument("--database-url", help="PostgreSQL backups: the empty database to restore into")
    rs.set_defaults(func=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValidationError as exc:
        if exc.title != Settings.__name__:
            raise
        print(describe_invalid_settings(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
