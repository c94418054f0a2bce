"""Who commits (issue 10 §1, issue 11 item 2): a request's write transaction is committed by the
``write_transaction`` block of the service that writes, nowhere else. Only code with sessions of its own commits:
the transaction primitive and the engine, background jobs, the CLI, and the Labelbox API's services that are not yet
ported (``deps.LEGACY_WRITES``). This test lists them, so that the list can only shrink: a new ``.commit()`` in a
request path fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import labelhouse_server

ROOT = Path(labelhouse_server.__file__).parent

OWN_SESSIONS = {
    "db/transaction.py", "db/engine.py", "cli.py",
    "jobs/queue.py", "jobs/runner.py",
    "catalog/jobs.py", "embeddings/jobs.py", "exports/jobs.py", "labelimports/jobs.py", "releases/jobs.py",
    "releases/builder.py", "releases/diff.py",  # run by the jobs above
    "assets/sweep.py",  # the job runner's look for S3 uploads that arrived
    "auth/routes.py",  # GET /auth/session pushes the session's expiry back in a session of its own
}
NOT_YET_PORTED = {  # the Labelbox API (GraphQL endpoint and deps.LEGACY_WRITES): their services still commit
    "exports/service.py", "labelimports/labels.py", "labelimports/service.py", "models/predictions.py",
    "models/service.py", "ontologies/service.py", "projects/service.py",
}


def _committing_modules() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
               for node in ast.walk(tree)):
            found.add(path.relative_to(ROOT).as_posix())
    return found


def test_only_listed_modules_commit() -> None:
    committing = _committing_modules()
    assert committing - OWN_SESSIONS - NOT_YET_PORTED == set(), "commit in a request path: use write_transaction"
    # a module that stopped committing comes off the list
    assert (OWN_SESSIONS | NOT_YET_PORTED) - committing == set()
