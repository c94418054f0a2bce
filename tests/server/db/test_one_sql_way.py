"""One way to run SQL written as text (issue 11 item 2): ``db.sql.run`` / ``run_many``, never SQLAlchemy's
``text()``, ``exec_driver_sql`` or a driver cursor of one's own outside ``db/``. The modules below keep ``text()``
for the reason written next to it in their code; this list can only shrink."""

from __future__ import annotations

import ast
from pathlib import Path

import labelhouse_server

ROOT = Path(labelhouse_server.__file__).parent

KEEP_TEXT = {
    "app.py",  # the health probe: one constant statement on a bare connection
    "backup.py",  # a throwaway engine on the backup's URL
    "ratelimit.py",  # the limiter's own AUTOCOMMIT connection, outside any session
    "samples/query.py",  # a WHERE fragment of a composed Core query, not a statement
    "migrations/versions/0004_label_history.py",  # migrations import no application code
}
_RAW_METHODS = {"exec_driver_sql", "cursor"}  # conn.exec_driver_sql(...), driver.cursor()


def _is_raw(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "text"  # from sqlalchemy import text
    if isinstance(func, ast.Attribute):
        return func.attr in _RAW_METHODS or (func.attr == "text" and isinstance(func.value, ast.Name)
                                             and func.value.id in ("sa", "sqlalchemy"))
    return False


def _raw_sql_modules() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("db/"):
            continue
        if any(isinstance(node, ast.Call) and _is_raw(node) for node in ast.walk(ast.parse(path.read_text()))):
            found.add(relative)
    return found


def test_text_sql_runs_one_way() -> None:
    raw = _raw_sql_modules()
    assert raw - KEEP_TEXT == set(), "run text SQL with db.sql.run / run_many"
    assert KEEP_TEXT - raw == set(), "a module that stopped using text() comes off the list"
