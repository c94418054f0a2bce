"""``labelhouse worker``: a production job process. Run several (on PostgreSQL) for throughput and resilience;
SIGTERM/SIGINT stop it gracefully (running jobs are handed back to the queue at once)."""

from __future__ import annotations

import logging
import signal
import threading

from ..db.migrate import migrated
from ..settings import Settings
from .runner import ThreadedRunner

log = logging.getLogger("labelhouse.jobs")


def run_worker(settings: Settings, concurrency: int = 1) -> int:
    engine, _ = migrated(settings)  # the worker may be the first process to touch a new database
    engine.dispose()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    runner = ThreadedRunner(settings, concurrency=concurrency)
    runner.start()
    print(f"labelhouse worker {runner.worker_id} running {concurrency} job thread(s)", flush=True)
    while not stop.wait(1.0):
        pass
    log.info("stopping worker %s", runner.worker_id)
    runner.stop()
    return 0
