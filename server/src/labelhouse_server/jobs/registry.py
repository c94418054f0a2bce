"""Job kinds and their handlers, and the context a handler runs with.

A feature defines its job kinds in its own ``<feature>/jobs.py`` (``@register(kind)`` on the handler class); the
first lookup imports the ``jobs`` module of every package of the server, so that a worker process knows every kind
and adding one edits no central list."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from ..settings import Settings


class PermanentJobError(Exception):
    """The job cannot succeed by retrying (bad input, deleted target): fail it at once with this reason."""


class LeaseLost(Exception):
    """This worker no longer owns the job (it was reaped as stale and handed to someone else, or stopped)."""


@dataclass
class JobContext:
    job_id: int
    attempt: int
    worker_id: str
    settings: Settings
    sessionmaker: sessionmaker[Session]
    store_factory: Callable[[], Any]
    cancelled: threading.Event = field(default_factory=threading.Event)
    progress: int = 0  # written to the row with each heartbeat

    @property
    def store(self) -> Any:
        return self.store_factory()

    def check(self) -> None:
        """Call between units of work: stops a job whose lease was lost or whose runner is shutting down."""
        if self.cancelled.is_set():
            raise LeaseLost(f"job {self.job_id} attempt {self.attempt} lost its lease")

    def complete_in(self, session: Session, result: Any = None) -> bool:
        """Mark the job succeeded inside the caller's transaction (so the handler's final write and the job's
        completion commit together). False when this worker no longer owns the job: the caller must roll back."""
        from .queue import finish

        return finish(session, self, "succeeded", result=result)


class JobHandler(Protocol):
    def run(self, ctx: JobContext, payload: dict[str, Any]) -> Any:
        """Do the work. Either call ``ctx.complete_in(session)`` and commit, or return a result."""
        ...

    def on_failed(self, session: Session, payload: dict[str, Any], reason: str) -> None:
        """Record the final failure on the job's target (same transaction as the job's failure)."""
        ...


_handlers: dict[str, JobHandler] = {}
_lock = threading.Lock()
_loaded = False


def register(kind: str) -> Callable[[type], type]:
    def decorator(cls: type) -> type:
        _handlers[kind] = cls()
        return cls

    return decorator


def handler_modules() -> list[str]:
    """``labelhouse_server.<feature>.jobs`` of every feature package that has one."""
    root = importlib.import_module(__name__.rsplit(".", 2)[0])
    names = [f"{root.__name__}.{info.name}.jobs" for info in pkgutil.iter_modules(root.__path__) if info.ispkg]
    return [name for name in names if importlib.util.find_spec(name) is not None]


def handler_for(kind: str) -> JobHandler | None:
    global _loaded
    with _lock:
        if not _loaded:
            for module in handler_modules():
                importlib.import_module(module)
            _loaded = True
    return _handlers.get(kind)
