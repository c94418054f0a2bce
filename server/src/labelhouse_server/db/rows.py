"""Row shapes of the prebuilt statements, each declared once.

A ``Projection`` names the columns a statement selects, in order. ``sql(alias)`` writes its SELECT list (JSON
columns come back as the stored text, which responses splice in undecoded); ``make`` turns a driver tuple into a
``namedtuple`` of the same fields, so code reads ``row.dataset_id``, never ``row[13]``. Paths that render
thousands of rows at once keep the driver's tuples and read them with ``getter(...)``: an ``itemgetter`` built from
column names (a C call, as cheap as indexing). A statement that selects several shapes one after the other
(``f"{SAMPLE.sql('s')}, {LABEL.sql('l')}"``) cuts its rows apart with ``split``, or with ``SAMPLE.width`` when it
only needs the tail. Nothing outside this module depends on a column's position.

``Selected`` is the same for SQLAlchemy Core statements: it is declared with column expressions by name, and
``select_list`` is the labelled SELECT list (``select(*SHAPE.select_list)``). Read its rows with ``getter`` on hot
paths (an ``itemgetter`` works on SQLAlchemy's rows as on tuples; attribute access on them costs far more).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any


class Projection:
    def __init__(self, typename: str, columns: str) -> None:
        self.columns: tuple[str, ...] = tuple(columns.split())
        self.width = len(self.columns)
        self._position = {c: i for i, c in enumerate(self.columns)}
        row_class: Any = namedtuple(typename, self.columns)  # type: ignore[misc]
        self.Row = row_class
        self.make: Callable[[Sequence[Any]], Any] = row_class._make  # driver tuple -> named row

    def sql(self, alias: str | None = None) -> str:
        """``a.id, a.uuid, ...``: the SELECT list, columns qualified with ``alias``."""
        prefix = f"{alias}." if alias else ""
        return ", ".join(prefix + c for c in self.columns)

    def getter(self, *columns: str, offset: int = 0) -> Callable[[Sequence[Any]], Any]:
        """``itemgetter`` of ``columns`` (a tuple of their values, in the order named; one column: the value) for
        rows of this shape, or of a statement selecting this shape from position ``offset`` on."""
        return itemgetter(*(self._position[c] + offset for c in columns))


class Selected(Projection):
    def __init__(self, typename: str, **expressions: Any) -> None:
        super().__init__(typename, " ".join(expressions))
        self.select_list: tuple[Any, ...] = tuple(expr.label(name) for name, expr in expressions.items())


def split(row: Sequence[Any], *shapes: Projection) -> list[Any]:
    """``row`` of a statement selecting ``shapes`` one after the other: one named row per shape, then a tuple of
    the remaining columns."""
    out: list[Any] = []
    start = 0
    for shape in shapes:
        out.append(shape.make(row[start:start + shape.width]))
        start += shape.width
    out.append(tuple(row[start:]))
    return out


SAMPLE = Projection("SampleRow", """id uuid name attributes metadata priority readme embedding assigned_labeler_id
                                    assigned_reviewer_id created_by_id created_at updated_at""")
LABEL = Projection("LabelRow", """id label_status attributes score rating created_by_id updated_by_id reviewed_by_id
                                  created_at updated_at reviewed_at""")
DATASET = Projection("DatasetRow", """id owner_id name description category public archived task_type data_type
                                      task_attributes readme metadata options cloned_from created_by_id created_at
                                      updated_at""")
ACCOUNT = Projection("AccountRow", "id username email is_organization is_admin created_at")

__all__ = ["ACCOUNT", "DATASET", "LABEL", "SAMPLE", "Projection", "Selected", "split"]
