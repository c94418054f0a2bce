"""Per-request cost of GET one sample and PUT a label, in process, in units a loaded machine does not disturb.

    .venv/bin/python bench/harden_instr.py [--n 500] [--profile]                    # this checkout
    PYTHONPATH=/tmp/lh-before/server/src .venv/bin/python bench/harden_instr.py     # another source tree
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p bench/harden_instr.py --callgrind

The app (``create_app``, embedded SQLite in a fresh temp dir, rate limiter on with buckets no run empties, as in
``harden_bench.py``) is driven directly through ASGI: a scope, a ``receive`` and a ``send``, no HTTP client and no
server, so what is counted is the app's own work per request (uvicorn's parsing is the same before and after).
After a warm-up, ``--n`` GETs of one sample and then ``--n`` PUTs of a label (2 boxes, as ``perf_bench``'s wrk
script) are sent, and reported:

- Python calls per request (``--profile``: cProfile's total and primitive call counts over the measured requests,
  divided by n; deterministic);
- with ``--callgrind`` (run under ``valgrind --tool=callgrind``): the machine instructions of each measured phase,
  dumped by ``callgrind_control --dump`` around it (callgrind zeroes its counters at each dump), per request;
- CPU seconds per request (``time.process_time``), which load inflates.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

os.environ.update({"LABELHOUSE_BOOTSTRAP_ADMIN": "false",
                   "LABELHOUSE_RATE_LIMIT_PER_KEY_PER_SECOND": "1000000", "LABELHOUSE_RATE_LIMIT_PER_KEY_BURST": "1000000",
                   "LABELHOUSE_RATE_LIMIT_PER_IP_PER_SECOND": "1000000", "LABELHOUSE_RATE_LIMIT_PER_IP_BURST": "1000000"})

TASK_ATTRIBUTES = {"format_version": "0.1", "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}]}


class Client:
    """ASGI calls without a client library: the request's bytes in, status and body bytes out."""

    def __init__(self, app: Any, key: str | None) -> None:
        self.app = app
        self.headers = [(b"host", b"bench"), (b"user-agent", b"bench")]
        if key:
            self.headers.append((b"authorization", f"APIKey {key}".encode()))

    async def call(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        path, _, query = path.partition("?")
        headers = list(self.headers)
        if body:
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 40000), "server": ("bench", 80)}
        sent = False

        async def receive() -> dict:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        out: list[bytes] = []
        status = 0

        async def send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(out)

    async def ok(self, method: str, path: str, body: Any = None) -> Any:
        raw = body if isinstance(body, bytes) else (orjson.dumps(body) if body is not None else b"")
        status, out = await self.call(method, path, raw)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {out[:300]!r}")
        return orjson.loads(out) if out else None


def put_body(n: int) -> bytes:
    return (b'{"label_status":"LABELED","attributes":{"format_version":"0.1","annotations":['
            b'{"id":1,"category_id":1,"type":"bbox","points":[[%d,1],[%d,40]]},'
            b'{"id":2,"category_id":2,"type":"bbox","points":[[1,%d],[30,%d]]}]}}'
            % (n % 97, n % 89 + 20, n % 13, n % 13 + 30))


def callgrind_dump(label: str) -> None:
    subprocess.run(["callgrind_control", "--dump=" + label, str(os.getpid())], check=True,
                   stdout=subprocess.DEVNULL)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from labelhouse_server.app import create_app
    from labelhouse_server.auth.keys import issue_key
    from labelhouse_server.db.migrate import upgrade
    from labelhouse_server.settings import Settings
    from labelhouse_server.users.service import create_user

    tmp = Path(tempfile.mkdtemp(prefix="lh-instr-"))
    url = f"sqlite:///{tmp / 'labelhouse.sqlite3'}"
    settings = Settings(data_dir=tmp, database_url=url)
    if hasattr(settings, "prepare_data_dir"):  # not in the source before hardening
        settings.prepare_data_dir()
    upgrade(url)
    app = create_app(settings)
    session = app.state.sessionmaker()
    user = create_user(session, "bench", None)
    _, key = issue_key(session, user)
    session.commit()
    session.close()
    # the lifespan (job runner) is not started: no background thread competes with the measured requests
    client = Client(app, key)
    ds = await client.ok("POST", "/user/datasets/", {"name": "bench", "task_type": "vector",
                                                     "task_attributes": TASK_ATTRIBUTES})
    name = ds["full_name"]
    await client.ok("POST", f"/datasets/{name}/samples_bulk/",
                    [{"name": f"s{i}.jpg", "attributes": {"image": {"url": f"https://example.com/{i}.jpg"}},
                      "metadata": {"camera": i % 4}} for i in range(200)])
    uuids = [s["uuid"] for s in await client.ok("GET", f"/datasets/{name}/samples/?per_page=200&page=1")]
    for u in uuids:
        await client.ok("PUT", f"/labels/{u}/ground-truth/", put_body(0))
    get_path = f"/samples/{uuids[0]}/"
    puts = [(f"/labels/{uuids[i % len(uuids)]}/ground-truth/", put_body(i)) for i in range(args.n)]
    for i in range(200):  # warm-up
        await client.call("GET", get_path)
        await client.call("PUT", *puts[i % len(puts)])
    result: dict[str, Any] = {"n": args.n, "concurrency": args.concurrency}

    async def gets() -> None:
        for _ in range(args.n):
            status, _ = await client.call("GET", get_path)
            assert status == 200, status

    async def writes() -> None:
        async def one_client(mine: list[tuple[str, bytes]]) -> None:
            for path, body in mine:
                status, out = await client.call("PUT", path, body)
                assert status == 200, (status, out[:200])

        # ``--concurrency C``: C clients at once on the event loop, each sending its share of the PUTs in turn (as
        # C connections of wrk would); the samples they write are disjoint.
        await asyncio.gather(*(one_client(puts[i::args.concurrency]) for i in range(args.concurrency)))

    for phase, fn in (("get", gets), ("put", writes)):
        if args.callgrind:
            callgrind_dump(f"before-{phase}")
        profile = cProfile.Profile() if args.profile else None
        groups = getattr(app.state, "write_groups", None)  # group commit (db.group), where the tree has it
        grouped = (groups.commits, groups.members) if groups is not None else (0, 0)
        cpu = time.process_time()
        if profile is not None:
            profile.enable()
        await fn()
        if profile is not None:
            profile.disable()
        result[f"{phase}_cpu_us"] = (time.process_time() - cpu) / args.n * 1e6
        if phase == "put" and groups is not None:
            result["put_commits"] = groups.commits - grouped[0]
            result["put_group_members"] = groups.members - grouped[1]
        if args.callgrind:
            callgrind_dump(phase)
        if profile is not None:
            stats = pstats.Stats(profile)
            result[f"{phase}_calls"] = stats.total_calls / args.n  # type: ignore[attr-defined]
            result[f"{phase}_primitive_calls"] = stats.prim_calls / args.n  # type: ignore[attr-defined]
            if args.stats_out:
                stats.dump_stats(f"{args.stats_out}.{phase}")
            if args.top:
                stats.sort_stats("ncalls").print_stats(args.top)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=0, help="with --profile: print the N most called functions")
    parser.add_argument("--stats-out", help="with --profile: write the pstats of each phase to STATS_OUT.<phase>")
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--concurrency", type=int, default=1, help="PUTs sent by this many clients at once")
    args = parser.parse_args()
    import labelhouse_server

    result = asyncio.run(run(args))
    result["source"] = str(Path(labelhouse_server.__file__).parent)
    print(orjson.dumps(result).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
