"""The production stack on loopback, from one command (issue 16, "Scale-out, proven").

    .venv/bin/python bench/scaleout/stack.py [--api-workers 2] [--job-workers 1] [--lifetime 600] [-- CMD ...]

starts, in this order:

1. a fresh PostgreSQL database on the machine's server (``--pg-url``, default
   ``postgresql+psycopg://postgres@127.0.0.1:5432/test``: the database named there is only used to connect; a new
   ``lh_scale_<hex>`` is created as ``tests/support.py`` does and dropped at exit, with ``WITH (FORCE)``);
2. moto in server mode (``moto_server``, a test dependency) as the S3-compatible store;
3. ``labelhouse user create bench --admin`` (migrates the database; its API key is the stack's key);
4. ``labelhouse serve --workers N`` (uvicorn's own multi-process mode: one supervisor process and N API
   processes sharing one listening socket; nothing in front) with ``LABELHOUSE_JOBS_BACKEND=worker``;
5. M ``labelhouse worker`` processes.

Everything is configured through ``LABELHOUSE_*`` variables (settings.py), the way a deployment would. Every child
runs under coreutils ``timeout --kill-after=5 LIFETIME`` in its own process group, so nothing outlives
``--lifetime`` seconds even if this script is SIGKILLed; at a normal exit every group gets SIGTERM, then SIGKILL.
The rate limiter stays on with buckets no load test empties (``BENCH_RATE_LIMITS`` of bench/samples_bench.py).

Without a command it prints the URL, key and process ids and waits (Ctrl-C ends it). With ``-- CMD ...`` it runs
CMD with ``LH_URL``, ``LH_KEY``, ``LH_DATABASE_URL`` and ``LH_S3_ENDPOINT`` in its environment and stops the stack
when CMD ends. ``bench/scaleout/run.py`` imports :func:`production_stack` for the load tests.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]
import support  # tests/support.py: fresh databases, free ports
from samples_bench import BENCH_RATE_LIMITS

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BIN = Path(sys.executable).parent


@dataclass
class Stack:
    url: str
    key: str
    database_url: str
    s3_endpoint: str
    data_dir: Path
    api_root: int  # pid of `timeout` wrapping `labelhouse serve` (its process group holds the API processes)
    worker_roots: list[int] = field(default_factory=list)
    moto_root: int = 0
    settings_env: dict[str, str] = field(default_factory=dict)  # the LABELHOUSE_* environment of every process

    def env(self) -> dict[str, str]:
        return {"LH_URL": self.url, "LH_KEY": self.key, "LH_DATABASE_URL": self.database_url,
                "LH_S3_ENDPOINT": self.s3_endpoint}

    def api_processes(self) -> list[int]:
        """The uvicorn processes serving requests (the supervisor's children; with one worker, the server)."""
        tree = descendants(self.api_root)[1:]  # below `timeout`
        servers = [pid for pid in tree if "spawn_main" in _cmdline(pid)]
        return servers or tree


# ------------------------------------------------------------------------------------------------- /proc
def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User+system CPU seconds of each live process (``/proc/<pid>/stat`` fields 14 and 15)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def database_backends(database_url: str) -> list[int]:
    """PostgreSQL server processes connected to this stack's database (read on the database's own server)."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))]
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------------------ children
def spawn(cmd: list[str], *, env: dict[str, str], log: Path, lifetime: float) -> subprocess.Popen:
    with open(log, "ab") as out:  # the child keeps its own descriptor
        return subprocess.Popen(["timeout", "--kill-after=5", str(int(lifetime)), *cmd], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited {proc.returncode}: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s: {log.read_text(errors='replace')[-3000:]}")


@contextmanager
def production_stack(*, pg_url: str = DEFAULT_PG_URL, api_workers: int = 2, job_workers: int = 1,
                     job_concurrency: int = 1, lifetime: float = 900, extra_env: dict[str, str] | None = None,
                     database_settings: dict[str, str] | None = None) -> Iterator[Stack]:
    """The whole stack, torn down (processes killed, database dropped) when the block ends.

    ``database_settings`` are ``ALTER DATABASE ... SET`` parameters applied before anything connects (e.g.
    ``{"log_min_duration_statement": "0"}`` to count statements in the server log)."""
    data_dir = Path(tempfile.mkdtemp(prefix="lh-scale-"))
    procs: list[subprocess.Popen] = []
    with ExitStack() as cleanup:
        database_url = cleanup.enter_context(support.fresh_database("postgresql", data_dir, pg_url, prefix="lh_scale"))
        if database_settings:
            admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for name, value in database_settings.items():
                    conn.execute(text(f'ALTER DATABASE "{make_url(database_url).database}" SET {name} = {value}'))
            admin.dispose()
        cleanup.callback(lambda: [stop(p) for p in reversed(procs)])

        s3_port, api_port = support.free_port(), support.free_port()
        s3_endpoint = f"http://127.0.0.1:{s3_port}"
        moto_log = data_dir / "moto.log"
        procs.append(spawn([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], env=dict(os.environ),
                            log=moto_log, lifetime=lifetime))
        _wait_http(f"{s3_endpoint}/", procs[-1], moto_log)

        url = f"http://127.0.0.1:{api_port}"
        env = {**os.environ, **BENCH_RATE_LIMITS,
               "LABELHOUSE_DATABASE_URL": database_url, "LABELHOUSE_DATA_DIR": str(data_dir),
               "LABELHOUSE_PUBLIC_URL": url, "LABELHOUSE_BOOTSTRAP_ADMIN": "false",
               "LABELHOUSE_STORAGE_BACKEND": "s3", "LABELHOUSE_S3_ENDPOINT_URL": s3_endpoint,
               "LABELHOUSE_S3_BUCKET": "labelhouse", "LABELHOUSE_S3_ACCESS_KEY_ID": "bench",
               "LABELHOUSE_S3_SECRET_ACCESS_KEY": "bench-secret", "LABELHOUSE_JOBS_BACKEND": "worker",
               **(extra_env or {})}
        made = subprocess.run([str(BIN / "labelhouse"), "user", "create", "bench", "--admin"], env=env, check=True,
                              capture_output=True, text=True, timeout=120)
        key = made.stdout.strip().splitlines()[-1]

        api_log = data_dir / "api.log"
        procs.append(spawn([str(BIN / "labelhouse"), "serve", "--host", "127.0.0.1", "--port", str(api_port),
                             "--workers", str(api_workers), "--log-level", "warning"],
                            env=env, log=api_log, lifetime=lifetime))
        api = procs[-1]
        _wait_http(f"{url}/healthz", api, api_log)
        stack = Stack(url=url, key=key, database_url=database_url, s3_endpoint=s3_endpoint, data_dir=data_dir,
                      api_root=api.pid, moto_root=procs[0].pid,
                      settings_env={k: v for k, v in env.items() if k.startswith("LABELHOUSE_")})
        # uvicorn answers as soon as its first worker is up: wait until every API process has answered.
        deadline = time.monotonic() + 90
        seen: set[int] = set()
        while len(seen) < api_workers and time.monotonic() < deadline:
            seen.add(httpx.get(f"{url}/healthz", timeout=5).json()["pid"])
        if len(seen) < api_workers:
            raise RuntimeError(f"only {len(seen)} of {api_workers} API processes answered")

        for i in range(job_workers):
            log = data_dir / f"worker-{i}.log"
            procs.append(spawn([str(BIN / "labelhouse"), "worker", "--concurrency", str(job_concurrency)],
                                env=env, log=log, lifetime=lifetime))
            stack.worker_roots.append(procs[-1].pid)
        deadline = time.monotonic() + 60
        for i in range(job_workers):
            log = data_dir / f"worker-{i}.log"
            while "running" not in (log.read_text(errors="replace") if log.exists() else ""):
                if procs[2 + i].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker {i} did not start: {log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
        yield stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get(support.PG_URL_ENV, DEFAULT_PG_URL))
    parser.add_argument("--api-workers", type=int, default=2, help="API processes (serve --workers N)")
    parser.add_argument("--job-workers", type=int, default=1, help="`labelhouse worker` processes")
    parser.add_argument("--lifetime", type=float, default=600, help="seconds after which every child is killed")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ...: run it against the stack, then stop")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with production_stack(pg_url=args.pg_url, api_workers=args.api_workers, job_workers=args.job_workers,
                          lifetime=args.lifetime) as stack:
        print(f"labelhouse stack: {stack.url} key {stack.key}\n  database {stack.database_url}\n"
              f"  S3 (moto) {stack.s3_endpoint}\n  API processes {stack.api_processes()}, "
              f"workers {stack.worker_roots}, logs {stack.data_dir}", flush=True)
        if command:
            return subprocess.run(command, env={**os.environ, **stack.env()}, check=False,
                                  timeout=args.lifetime).returncode
        try:
            time.sleep(args.lifetime)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
