"""Who commits (issue 10 §1, issue 11 item 2): a request's write transaction is committed by the
``write_transaction`` block of the service that writes, nowhere else. Only code with sessions of its own commits:
the transaction primitive and the engine, background jobs and the CLI. This test lists them, so that a new
``.commit()`` in a request path fails here (the Labelbox API's services were the last to be ported, issue 11 item
2)."""

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
    assert committing - OWN_SESSIONS == set(), "commit in a request path: use write_transaction"
    # a module that stopped committing comes off the list
    assert OWN_SESSIONS - committing == set()
