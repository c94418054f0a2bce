"""Background jobs. The ``jobs`` table is the queue and the source of truth (status, attempts, heartbeat,
worker, error, result); runners claim rows atomically, heartbeat while they work, and a reaper re-queues or fails
jobs whose worker died. One ``Runner`` protocol, one implementation (``ThreadedRunner``) used two ways: inside
the server (embedded default) or in ``labelhouse worker`` processes (production)."""

from .queue import enqueue
from .registry import JobContext, JobHandler, PermanentJobError, register
from .runner import NullRunner, Runner, ThreadedRunner, make_app_runner

__all__ = ["JobContext", "JobHandler", "NullRunner", "PermanentJobError", "Runner", "ThreadedRunner", "enqueue",
           "make_app_runner", "register"]
