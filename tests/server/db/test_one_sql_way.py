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


# --- no row read by position (issue 11 item 2): rows are read by column name through ``db/rows.py`` -------------
# ``db/rows.py`` owns the positions; ``db/sql.py``'s ``scalar``/``scalars`` are "the first column" by definition;
# migrations import no application code.
POSITIONS_OWNED = ("db/rows.py", "db/sql.py", "migrations/")
_ROW_FETCHES = {"first", "fetchone", "one", "one_or_none"}


def _is_row(node: ast.expr) -> bool:
    """What a row read looks like: ``row``, ``r``, ``*_row``, ``rows[i]`` / ``*_rows[i]``, ``....first()``."""
    if isinstance(node, ast.Name):
        return node.id in ("r", "row") or node.id.endswith("_row")
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return node.value.id == "rows" or node.value.id.endswith("_rows")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in _ROW_FETCHES and not node.args
    return False


def _is_position(index: ast.expr) -> bool:
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
        index = index.operand
    return isinstance(index, ast.Constant) and type(index.value) is int


def _positional_row_reads() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(POSITIONS_OWNED):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Subscript) and _is_position(node.slice) and _is_row(node.value):
                found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_row_is_read_by_position() -> None:
    assert _positional_row_reads() == [], "declare the shape in db/rows.py and read its columns by name"


def test_the_positional_read_check_sees_one() -> None:
    sample = ast.parse("x = run(s, q).first()[0] + row[3] + rows[-1][0] + job_row[1] + r.id + rows[-1].id")
    reads = [ast.unparse(n) for n in ast.walk(sample)
             if isinstance(n, ast.Subscript) and _is_position(n.slice) and _is_row(n.value)]
    assert sorted(reads) == sorted(["run(s, q).first()[0]", "row[3]", "rows[-1][0]", "job_row[1]"])
