"""Row shapes of the prebuilt statements, each declared once.

A ``Projection`` names the columns a statement selects, in order. ``sql(alias)`` writes its SELECT list (JSON
columns come back as the stored text, which responses splice in undecoded); ``make`` turns a driver tuple into a
``namedtuple`` of the same fields, so code reads ``row.dataset_id``, never ``row[13]``. Paths that render
thousands of rows at once keep the driver's tuples and read them with ``getter(...)``: an ``itemgetter`` built from
column names (a C call, as cheap as indexing). A statement that selects several shapes one after the other
(``f"{SAMPLE.sql('s')}, {LABEL.sql('l')}"``) cuts its rows apart with ``split``, or with ``SAMPLE.width`` when it
only needs the tail. A column computed or taken from another table is named in the shape and its expression given
to ``sql`` (``sql("e", pending="e.vectors_written - e.index_written")``). A shape that code passes around as a
typed value is a ``typing.NamedTuple`` declared here and made a projection with ``Projection.of``. Nothing outside
this module depends on a column's position.

``Selected`` is the same for SQLAlchemy Core statements: it is declared with column expressions by name, and
``select_list`` is the labelled SELECT list (``select(*SHAPE.select_list)``). Read its rows with ``getter`` on hot
paths (an ``itemgetter`` works on SQLAlchemy's rows as on tuples; attribute access on them costs far more).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple


class Projection:
    def __init__(self, typename: str, columns: str) -> None:
        self.columns: tuple[str, ...] = tuple(columns.split())
        self.width = len(self.columns)
        self._position = {c: i for i, c in enumerate(self.columns)}
        row_class: Any = namedtuple(typename, self.columns)  # type: ignore[misc]
        self.Row = row_class
        self.make: Callable[[Sequence[Any]], Any] = row_class._make  # driver tuple -> named row

    @classmethod
    def of(cls, row_class: Any) -> Projection:
        """The projection of a ``typing.NamedTuple`` class: its fields are the columns, ``make`` builds it."""
        shape = cls(row_class.__name__, " ".join(row_class._fields))
        shape.Row = row_class
        shape.make = row_class._make
        return shape

    def sql(self, alias: str | None = None, **sources: str) -> str:
        """``a.id, a.uuid, ...``: the SELECT list, columns qualified with ``alias``; ``sources`` gives the SQL
        expression of the columns that are not a column of ``alias`` (``member_role="m.role"``)."""
        unknown = sources.keys() - self._position.keys()
        if unknown:
            raise KeyError(f"not columns of {self.Row.__name__}: {sorted(unknown)}")
        prefix = f"{alias}." if alias else ""
        return ", ".join(sources[c] if c in sources else prefix + c for c in self.columns)

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
SAMPLE_KEY = Projection("SampleKeyRow", "id uuid dataset_id")  # a sample's keys: the API's, ours, its dataset

# --- releases (releases/builder.py): what a build needs of its release -----------------------------------------
RELEASE = Projection("ReleaseRow", "id dataset_id uuid name description created_at status")
# The snapshot rows a build reads (release_samples, release_labels), batch by batch: the file and the digests.
RELEASE_SAMPLE = Projection("ReleaseSampleRow", "sample_id uuid name attributes metadata created_at")
RELEASE_LABEL = Projection("ReleaseLabelRow", """sample_id labelset_id label_status attributes score created_by
                                                 updated_by reviewed_by created_at updated_at""")

# --- release diffs (releases/diff.py): one change; from_key/to_key: the label's attributes in label_contents --------
RELEASE_CHANGE = Projection("ReleaseChangeRow", "name uuid labelset kind change from_key to_key")

# --- the label/review queue (queue/service.py): a candidate and its bucket (1 = first served) ------------------------
QUEUE_CANDIDATE = Projection("QueueCandidateRow", "id uuid bucket")
# --- S3 uploads not yet seen (assets/sweep.py) ----------------------------------------------------------------------
ASSET_UPLOAD = Projection("AssetUploadRow", "id key created_at uploaded_at")

# --- jobs (jobs/queue.py) ---------------------------------------------------------------------------------------
JOB = Projection("JobRow", "id kind payload attempts max_attempts worker_id")


# --- embeddings (embeddings/) -----------------------------------------------------------------------------------
class EmbeddingState(NamedTuple):
    """The embedding row's columns that a search needs (read once per search)."""

    id: int
    dims: int
    metric: str
    vector_seq: int
    index_version: int
    index_key: str | None
    index_seq: int
    index_count: int


EMBEDDING_STATE = Projection.of(EmbeddingState)
# Who may search it: ``member_role`` is the caller's role in the owning organization (NULL: none).
EMBEDDING_OWNER = Projection("EmbeddingOwnerRow", "owner_id owner_is_organization member_role")
# The index build's starting point, and whether a build is due (``pending``: vectors written since the last one).
EMBEDDING_BUILD = Projection("EmbeddingBuildRow", "dims metric vector_seq index_key index_seq vectors_written")
EMBEDDING_PENDING = Projection("EmbeddingPendingRow", "pending index_count index_job_id")
EMBEDDING_VECTOR = Projection("EmbeddingVectorRow", "sample_id dataset_id seq vector")

__all__ = ["ACCOUNT", "ASSET_UPLOAD", "DATASET", "EMBEDDING_BUILD", "EMBEDDING_OWNER", "EMBEDDING_PENDING", "EMBEDDING_STATE",
           "EMBEDDING_VECTOR", "JOB", "LABEL", "QUEUE_CANDIDATE", "RELEASE", "RELEASE_CHANGE", "RELEASE_LABEL",
           "RELEASE_SAMPLE", "SAMPLE", "SAMPLE_KEY", "EmbeddingState", "Projection", "Selected", "split"]
