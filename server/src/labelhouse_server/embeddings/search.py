"""k-nearest-neighbour search over the samples a caller may see.

1. Candidates, closest first, from the process's ``Snapshot`` (index file + exact delta): ``fetch`` of them.
2. One query keeps the candidates whose vector still exists in the caller's scope (the dataset, or every dataset
   the caller can read; metadata filters) and returns their stored vectors; distances are recomputed from those.
3. Fewer than ``k`` survived and there are more candidates: ``fetch`` grows 4x. Past ``EXACT_AFTER`` candidates
   (a very selective filter) the scope is scanned exactly instead, in chunks, so results stay complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..db import Account, Collaborator, Dataset, EmbeddingVector, OrganizationMember, Sample
from ..db.rows import EMBEDDING_VECTOR, EmbeddingState
from ..db.sql import in_list, run
from ..lazy import numpy as np
from ..samples.query import metadata_equals
from .index import IndexCache, read_state
from .vectors import nearest, unpack, unpack_many

EV = EmbeddingVector.__table__
MAX_K = 1000
EXACT_AFTER = 8192
SCAN_CHUNK = 20000


@dataclass(frozen=True)
class Scope:
    """Where results may come from: one dataset (already access-checked) or all the caller can read."""

    user: Account
    dataset_id: int | None = None
    metadata: tuple[tuple[str, str], ...] = ()
    exclude_sample_id: int | None = None

    def conditions(self, dialect: str) -> list[Any]:
        if self.dataset_id is not None:
            conds = [EV.c.dataset_id == self.dataset_id]
        else:
            uid = self.user.id
            readable = select(Dataset.id).where(or_(
                Dataset.owner_id == uid, Dataset.public.is_(True),
                Dataset.owner_id.in_(select(OrganizationMember.organization_id)
                                     .where(OrganizationMember.user_id == uid)),
                Dataset.id.in_(select(Collaborator.dataset_id).where(Collaborator.user_id == uid))))
            conds = [EV.c.dataset_id.in_(readable)]
        if self.exclude_sample_id is not None:
            conds.append(EV.c.sample_id != self.exclude_sample_id)
        conds.extend(metadata_equals(dialect, i, k, v) for i, (k, v) in enumerate(self.metadata))
        return conds

    def base(self, embedding_id: int, dialect: str, *columns: Any) -> Any:
        stmt = select(*columns).where(EV.c.embedding_id == embedding_id, *self.conditions(dialect))
        if self.metadata:
            stmt = stmt.select_from(EV.join(Sample.__table__, Sample.__table__.c.id == EV.c.sample_id))
        return stmt


def query_vector_of(session: Session, embedding_id: int, sample_id: int, dims: int) -> np.ndarray | None:
    blob = session.scalar(select(EV.c.vector).where(EV.c.embedding_id == embedding_id, EV.c.sample_id == sample_id))
    return None if blob is None else unpack(bytes(blob), dims).copy()


def nearest_samples(session: Session, cache: IndexCache, embedding_id: int, query: np.ndarray, k: int,
                    scope: Scope, state: EmbeddingState | None = None) -> list[tuple[int, float]]:
    """(sample id, exact distance) of the ``k`` nearest samples in ``scope``, closest first. ``state``: the
    embedding row as the caller read it in this transaction (else it is read here)."""
    if state is None:
        state = read_state(session, embedding_id)
    if state is None:
        return []
    dialect = session.bind.dialect.name  # type: ignore[union-attr]
    snap = cache.snapshot(session, state)
    fetch = max(4 * k, 40)
    while True:
        candidates = snap.candidates(query, fetch)
        found = _verified(session, embedding_id, dialect, scope, [sid for sid, _ in candidates])
        exhausted = fetch >= snap.size
        if len(found) >= k or exhausted:
            return _ranked(state.metric, state.dims, query, found, k)
        if fetch >= EXACT_AFTER:
            return _scan(session, embedding_id, dialect, scope, state.metric, state.dims, query, k)
        fetch *= 4


# The common case (no metadata filter) as prebuilt statements run on the driver's cursor: building and
# compiling the equivalent Core statement cost ~4 ms of CPU per search, and SQLite evaluated a "readable datasets"
# subquery per candidate row (~2.5 ms), so readability is decided once per distinct dataset of the candidates.
_READABLE = ("SELECT d.id FROM datasets d WHERE d.id IN ({ids}) AND (d.owner_id = ? OR d.public = ? OR EXISTS "
             "(SELECT 1 FROM organization_members m WHERE m.organization_id = d.owner_id AND m.user_id = ?) OR "
             "EXISTS (SELECT 1 FROM collaborators c WHERE c.dataset_id = d.id AND c.user_id = ?))")


_CANDIDATES = f"SELECT {EMBEDDING_VECTOR.sql('v')} FROM embedding_vectors v WHERE v.embedding_id = ? AND v.sample_id IN"
_sample_vector = EMBEDDING_VECTOR.getter("sample_id", "vector")
_dataset_id = EMBEDDING_VECTOR.getter("dataset_id")


def _verified(session: Session, embedding_id: int, dialect: str, scope: Scope,
              ids: list[int]) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        if scope.metadata:
            stmt = scope.base(embedding_id, dialect, EV.c.sample_id, EV.c.vector).where(EV.c.sample_id.in_(chunk))
            out.extend((r.sample_id, bytes(r.vector)) for r in session.execute(stmt))
            continue
        sql = f"{_CANDIDATES} ({in_list(len(chunk))})"
        params: list[Any] = [embedding_id, *chunk]
        if scope.dataset_id is not None:
            sql += " AND v.dataset_id = ?"
            params.append(scope.dataset_id)
        if scope.exclude_sample_id is not None:
            sql += " AND v.sample_id <> ?"
            params.append(scope.exclude_sample_id)
        rows: list[Any] = run(session, sql, params)
        if scope.dataset_id is None and rows:
            datasets = sorted(set(map(_dataset_id, rows)))
            uid = scope.user.id
            readable = set(run(session, _READABLE.format(ids=in_list(len(datasets))),
                               [*datasets, uid, True, uid, uid]).scalars())
            rows = [r for r in rows if _dataset_id(r) in readable]
        out.extend((sample_id, bytes(vector)) for sample_id, vector in map(_sample_vector, rows))
    return out


def _ranked(metric: str, dims: int, query: np.ndarray, rows: list[tuple[int, bytes]],
            k: int) -> list[tuple[int, float]]:
    if not rows:
        return []
    sample_ids = [sample_id for sample_id, _ in rows]
    pos, dist = nearest(metric, query, unpack_many([vector for _, vector in rows], dims), k)
    return [(sample_ids[p], float(d)) for p, d in zip(pos.tolist(), dist.tolist())]


def _scan(session: Session, embedding_id: int, dialect: str, scope: Scope, metric: str, dims: int,
          query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Exact search over the whole scope, ``SCAN_CHUNK`` rows at a time (memory stays bounded)."""
    best: list[tuple[int, float]] = []
    stmt = scope.base(embedding_id, dialect, EV.c.sample_id, EV.c.vector).order_by(EV.c.sample_id)
    result = session.execute(stmt.execution_options(yield_per=SCAN_CHUNK))
    for part in result.partitions(SCAN_CHUNK):
        rows = [(r.sample_id, bytes(r.vector)) for r in part]
        merged = best + _ranked(metric, dims, query, rows, k)
        merged.sort(key=lambda sd: (sd[1], sd[0]))
        best = merged[:k]
    return best
