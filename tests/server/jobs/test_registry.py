"""Job kinds register themselves (issue 11 item 3): every handler lives in its feature's ``jobs`` module, which
``jobs.registry`` finds without a central list, and every kind a service enqueues has a handler."""

from __future__ import annotations

import ast
from pathlib import Path

import labelhouse_server
from labelhouse_server.catalog.upserts import UPSERT_JOB
from labelhouse_server.embeddings.service import INDEX_JOB
from labelhouse_server.exports.builder import EXPORT_JOB
from labelhouse_server.jobs.registry import handler_for, handler_modules
from labelhouse_server.labelimports.service import IMPORT_JOB
from labelhouse_server.releases.service import BUILD_JOB
from labelhouse_server.storage.cleanup import DELETE_FILES_JOB

ROOT = Path(labelhouse_server.__file__).parent


def _registering_modules() -> set[str]:
    """Modules of the server with a ``@register(...)`` class decorator."""
    found = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "id", None) == "register" for d in node.decorator_list):
                found.add("labelhouse_server." + ".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def test_handlers_live_in_feature_jobs_modules_and_are_found() -> None:
    registering = _registering_modules()
    assert registering, "no job handler found at all"
    assert all(name.endswith(".jobs") for name in registering), registering
    assert registering == set(handler_modules())


def test_every_enqueued_kind_has_a_handler() -> None:
    for kind in (BUILD_JOB, INDEX_JOB, UPSERT_JOB, EXPORT_JOB, IMPORT_JOB, DELETE_FILES_JOB):
        handler = handler_for(kind)
        assert handler is not None, kind
        assert callable(handler.run) and callable(handler.on_failed), kind
