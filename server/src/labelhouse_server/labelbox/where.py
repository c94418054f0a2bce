"""The SDK's ORM ``where`` language (trap 13), declared and evaluated in one place.

The SDK writes filters as ``{field: v}``, ``{field_not|_lt|_gt|_lte|_gte: v}``, ``{AND: [a, b]}``,
``{OR: [a, b]}``, ``{NOT: [a]}`` and sorts with ``orderBy: field_ASC``. ``where_sdl`` declares the input type and
the ordering enum for one object type from its filterable fields; ``compile_where`` turns a parsed ``where`` into a
SQLAlchemy condition over the columns a service names. ``deleted`` is answered by the caller (objects are deleted
for real, so ``{deleted: false}`` is always true and ``{deleted: true}`` matches nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, not_, or_, true
from sqlalchemy.sql.elements import ColumnElement

from .errors import InvalidInput

SUFFIXES = ("", "_not", "_lt", "_gt", "_lte", "_gte")


def where_sdl(type_name: str, fields: Mapping[str, str], *, deletable: bool = True) -> str:
    """``input <T>WhereInput`` and ``enum <T>OrderByInput`` for ``fields`` (GraphQL name -> scalar type)."""
    lines = [f"input {type_name}WhereInput {{",
             f"  AND: [{type_name}WhereInput!]", f"  OR: [{type_name}WhereInput!]", f"  NOT: [{type_name}WhereInput!]"]
    for name, kind in fields.items():
        for suffix in SUFFIXES:
            lines.append(f"  {name}{suffix}: {kind}")
        lines.append(f"  {name}_in: [{kind}!]")
        if kind == "String":
            lines.append(f"  {name}_contains: String")
    if deletable and "deleted" not in fields:
        lines.append("  deleted: Boolean")
    lines.append("}")
    order = [f"{name}_{d}" for name, kind in fields.items() if kind != "Json" for d in ("ASC", "DESC")]
    lines.append(f"enum {type_name}OrderByInput {{ {' '.join(order)} }}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Column:
    """A filterable field: its SQL expression and how to turn a client value into a comparable one (ids decode
    to primary keys; a value that cannot match, such as a malformed id, converts to None)."""

    expr: Any
    convert: Callable[[Any], Any] | None = None


def compile_where(where: Mapping[str, Any] | None, columns: Mapping[str, Column]) -> ColumnElement[bool]:
    if not where:
        return true()
    parts: list[ColumnElement[bool]] = []
    for key, value in where.items():
        if key in ("AND", "OR", "NOT"):
            subs = [compile_where(item, columns) for item in (value or [])]
            if key == "AND":
                parts.append(and_(true(), *subs))
            elif key == "OR":
                parts.append(or_(false(), *subs))
            else:
                parts.append(not_(and_(true(), *subs)))
            continue
        if key == "deleted":
            parts.append(true() if not value else false())
            continue
        parts.append(_comparison(key, value, columns))
    return and_(true(), *parts)


def _comparison(key: str, value: Any, columns: Mapping[str, Column]) -> ColumnElement[bool]:
    name, op = key, ""
    for suffix in ("_contains", "_not", "_lte", "_gte", "_lt", "_gt", "_in"):
        if key.endswith(suffix) and key[: -len(suffix)] in columns:
            name, op = key[: -len(suffix)], suffix
            break
    column = columns.get(name)
    if column is None:
        raise InvalidInput(f"Filtering on '{key}' is not supported.")
    convert = column.convert or (lambda v: v)
    expr = column.expr
    if op == "_in":
        values = [convert(v) for v in (value or [])]
        values = [v for v in values if v is not None]
        return expr.in_(values) if values else false()
    if value is None:
        return expr.is_(None) if op == "" else expr.is_not(None) if op == "_not" else false()
    converted = convert(value)
    if converted is None:  # a value no row can have (e.g. a malformed id)
        return false() if op != "_not" else true()
    if op == "":
        return expr == converted
    if op == "_not":
        return expr != converted
    if op == "_contains":
        return expr.contains(converted, autoescape=True)
    return {"_lt": expr < converted, "_gt": expr > converted, "_lte": expr <= converted,
            "_gte": expr >= converted}[op]


def order_by(order: str | None, columns: Mapping[str, Column]) -> list[Any]:
    """``name_ASC`` -> [column.asc()]; unknown or absent -> [] (the caller's default order)."""
    if not order or "_" not in order:
        return []
    name, _, direction = order.rpartition("_")
    column = columns.get(name)
    if column is None:
        return []
    return [column.expr.desc() if direction == "DESC" else column.expr.asc()]
