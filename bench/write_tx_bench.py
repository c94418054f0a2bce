"""CPU per request of the single-item hot paths (label PUT, label GET, sample GET), in-process, to compare two
source trees (issue 10 §1: explicit write transactions; the label PUT now reads in a read transaction and writes in
a write transaction on the same connection).

``create_app`` on a fresh SQLite file, 200 samples, then 5 rounds of 200 requests per path through
``httpx.ASGITransport`` (fast lane on, rate limits off). The figure is ``time.process_time()`` per request: the
process's own CPU, which a loaded machine distorts far less than wall time. Compare trees by running it under each
with ``PYTHONPATH=<tree>/server/src``, alternating, in the same session::

    git archive <old> | tar -x -C /tmp/old; git archive HEAD | tar -x -C /tmp/new
    for i in 1 2 3; do for t in old new; do PYTHONPATH=/tmp/$t/server/src .venv/bin/python bench/write_tx_bench.py; done; done
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from labelhouse_server.app import create_app
from labelhouse_server.auth.keys import issue_key
from labelhouse_server.db.engine import make_engine, make_sessionmaker
from labelhouse_server.db.migrate import upgrade
from labelhouse_server.settings import Settings
from labelhouse_server.users.service import create_user
from server.samples.payloads import TASK_ATTRIBUTES, label_attributes, sample_attributes

N = 200
ROUNDS = 5


async def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'labelhouse.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        _, key = issue_key(session, create_user(session, "bench"))
        session.commit()
    engine.dispose()
    app = create_app(Settings(data_dir=tmp, database_url=url, public_url="http://test", rate_limit_enabled=False))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test",
            headers={"Authorization": f"APIKey {key}"}) as c:
        r = await c.post("/user/datasets/", json={"name": "b", "task_type": "vector",
                                                  "task_attributes": TASK_ATTRIBUTES})
        full = r.json()["full_name"]
        r = await c.post(f"/datasets/{full}/samples_bulk/",
                         json=[{"name": f"s{i}", "attributes": sample_attributes("vector")} for i in range(N)])
        uuids = [x["uuid"] for x in r.json()]
        body = {"label_status": "LABELED", "attributes": label_attributes("vector")}
        paths = {"label PUT": lambda u: c.put(f"/labels/{u}/ground-truth/", json=body),
                 "label GET": lambda u: c.get(f"/labels/{u}/ground-truth/"),
                 "sample GET": lambda u: c.get(f"/samples/{u}/")}
        results: dict[str, list[float]] = {}
        for _ in range(ROUNDS):
            for name, call in paths.items():
                started = time.process_time()
                for u in uuids:
                    r = await call(u)
                    assert r.status_code in (200, 201), r.text
                results.setdefault(name, []).append((time.process_time() - started) / N * 1e6)
    import labelhouse_server

    print(labelhouse_server.__file__)
    for name, values in results.items():
        print(f"{name}: median {statistics.median(values):.0f} µs CPU per request ({ROUNDS} rounds of {N})")


if __name__ == "__main__":
    asyncio.run(main())
