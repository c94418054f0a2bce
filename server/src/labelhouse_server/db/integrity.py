"""Name the constraint an ``IntegrityError`` violated, on every database, so services translate errors by
constraint name (never by message wording)."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import UniqueConstraint

from .base import Base

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")


def violated_constraint(exc: IntegrityError) -> str | None:
    orig = exc.orig
    diag = getattr(orig, "diag", None)  # psycopg
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    match = _SQLITE_UNIQUE.search(str(orig))
    if not match:
        return None
    columns = [c.strip() for c in match.group(1).split(",")]
    table = columns[0].split(".")[0]
    names = {c.split(".", 1)[1] for c in columns}
    for constraint in Base.metadata.tables[table].constraints:
        if isinstance(constraint, UniqueConstraint) and {c.name for c in constraint.columns} == names:
            return str(constraint.name)
    for index in Base.metadata.tables[table].indexes:
        if index.unique and {c.name for c in index.columns} == names:
            return str(index.name)
    if len(names) == 1:
        column = Base.metadata.tables[table].c[next(iter(names))]
        if column.unique:
            return f"uq_{table}_{column.name}"
    return None
