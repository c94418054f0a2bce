"""The approximate-nearest-neighbour index of an embedding, and what each API process keeps in memory.

Design (docs/embeddings.md has the long form):

- **Source of truth is the database.** ``embedding_vectors`` holds every vector; each write batch stamps its rows
  with the embedding's next ``vector_seq``.
- **Index files are immutable objects in the object store** (``embeddings/<id>/index-<version>-<token>.usearch``),
  built by a background job (``builder.py``) from every vector with ``seq <= index_seq``. The embedding row
  points at the current file (``index_version``, ``index_key``, ``index_seq``); a build flips the pointer in the
  transaction that completes its job, then deletes the previous file.
- **Each API process** caches the current file locally (``<data_dir>/embedding-index-cache``) and memory-maps it
  (usearch ``view``: several processes on one machine share the pages), and keeps the *delta* — rows with
  ``seq`` above what it has seen — in memory, read incrementally from the database on each search. A hit from the
  file for a sample that is in the delta is stale and dropped; the delta's own vector is searched exactly.
- **Every result is re-checked in the database** (``search.py``): deleted samples, vectors and datasets outside the
  caller's scope never come back, and distances are recomputed from the stored vectors.

So a search sees every vector committed before it started, on every process, whether or not a rebuild has
happened; rebuilding only keeps the exact-searched delta small.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..db.rows import EMBEDDING_STATE, EMBEDDING_VECTOR, EmbeddingState
from ..db.sql import run
from ..lazy import numpy as np
from ..storage import ObjectStore
from ..storage.base import StoreError
from .vectors import USEARCH_METRIC, nearest, unpack_many

log = logging.getLogger("labelhouse.embeddings")

# HNSW parameters, chosen by measurement (bench/RESULTS.md, "Similarity search"; docs/embeddings.md). A cosine
# index holds half-precision copies of the unit vectors (f16: half the memory and file size, ~30 % less build CPU
# than f32 at the same recall; unit vectors stay well inside f16's range); it only proposes candidates, which the
# search re-ranks by the exact float32 vectors of the database, so f16 rounding never reaches a returned distance.
# Euclidean and dot indexes stay f32 (their vectors' magnitudes matter and may exceed f16's range).
# expansion_add 64 instead of 128 halves the build's CPU at the same recall (50,000 vectors, docs/embeddings.md).
CONNECTIVITY = 16
EXPANSION_ADD = 64
# expansion_search is not stored in the file: usearch restores every index with its default (64), so
# ``IndexCache`` sets it on each index it loads. 256, not 64: at 1,000,000 clustered vectors 64 gave recall@10
# 0.91 (bench/RESULTS.md); 256 costs ~0.3 ms more CPU per search at 200,000.
EXPANSION_SEARCH = 256
# Below this many stored components (entries x dims) the index is searched exhaustively (usearch ``exact=True``:
# brute force over the mapped file, ~1 ms at the bound) instead of through the graph. The graph gives no guarantee:
# it is built by several threads at once, so its quality varies, and under load a 300-vector clustered index missed
# one of a query's 6 true nearest among 40 candidates in 4-25 % of queries (CI failure of session 5; the graph,
# not f16: f32 missed too). Small embeddings get exact answers; large ones get recall@10 >= 0.95 (RESULTS).
EXACT_INDEX_WORK = 2_000_000


def new_index(dims: int, metric: str) -> Any:
    from usearch.index import Index

    return Index(ndim=dims, metric=USEARCH_METRIC[metric], dtype="f16" if metric == "cosine" else "f32",
                 connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)


def for_index(metric: str, vectors: np.ndarray) -> np.ndarray:
    """What the index stores of ``vectors`` (rows): unit vectors under cosine (same ranking, f16-safe)."""
    if metric != "cosine":
        return vectors
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@dataclass
class _Loaded:
    state: EmbeddingState
    index: Any  # usearch Index (memory-mapped view) or None
    delta_seq: int  # every row with seq <= delta_seq is in the file or in the delta
    delta_keys: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    delta_vectors: np.ndarray | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Snapshot:
    """What one search works with: the file's index plus the delta, consistent as of ``seq``."""

    metric: str
    dims: int
    index: Any
    index_count: int
    delta_keys: np.ndarray
    delta_vectors: np.ndarray
    seq: int

    @property
    def size(self) -> int:
        """An upper bound on the number of distinct vectors (stale and deleted ones included)."""
        return self.index_count + len(self.delta_keys)

    def candidates(self, query: np.ndarray, count: int) -> list[tuple[int, float]]:
        """Up to ``count`` (sample id, distance) pairs, closest first: the index's hits (minus keys superseded
        by the delta) merged with the delta's exact nearest."""
        out: list[tuple[int, float]] = []
        if len(self.delta_keys):
            pos, dist = nearest(self.metric, query, self.delta_vectors, count)
            out.extend(zip(self.delta_keys[pos].tolist(), dist.tolist()))
        if self.index is not None and self.index_count:
            found = self.index.search(query, min(count, self.index_count),
                                      exact=self.index_count * self.dims <= EXACT_INDEX_WORK)
            keys = np.asarray(found.keys, dtype=np.int64)
            dists = np.asarray(found.distances, dtype=np.float64)
            if len(self.delta_keys):
                keep = ~np.isin(keys, self.delta_keys)
                keys, dists = keys[keep], dists[keep]
            out.extend(zip(keys.tolist(), dists.tolist()))
        out.sort(key=lambda kd: (kd[1], kd[0]))
        return out[:count]


_STATE = f"SELECT {EMBEDDING_STATE.sql()} FROM embeddings WHERE id = ?"


def read_state(session: Session, embedding_id: int) -> EmbeddingState | None:
    row = run(session, _STATE, (embedding_id,)).first()
    return None if row is None else EMBEDDING_STATE.make(row)


_DELTA = f"SELECT {EMBEDDING_VECTOR.sql()} FROM embedding_vectors WHERE embedding_id = ? AND seq > ? ORDER BY seq"
_sample_id, _vector, _seq = (EMBEDDING_VECTOR.getter(c) for c in ("sample_id", "vector", "seq"))


class IndexCache:
    """Per process: the loaded index file and the delta of each embedding searched recently."""

    def __init__(self, store: ObjectStore, cache_dir: Path, max_embeddings: int = 64) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.max_embeddings = max_embeddings
        self._loaded: dict[int, _Loaded] = {}
        self._lock = threading.Lock()

    def snapshot(self, session: Session, state: EmbeddingState) -> Snapshot:
        with self._lock:
            loaded = self._loaded.get(state.id)
        if loaded is None or loaded.state.index_version != state.index_version or loaded.state.dims != state.dims:
            loaded = self._load(state)
            with self._lock:
                if len(self._loaded) >= self.max_embeddings and state.id not in self._loaded:
                    self._loaded.pop(next(iter(self._loaded)))
                self._loaded[state.id] = loaded
        with loaded.lock:
            if loaded.delta_seq < state.vector_seq:
                self._catch_up(session, loaded)
            return Snapshot(metric=state.metric, dims=state.dims, index=loaded.index,
                            index_count=loaded.state.index_count, delta_keys=loaded.delta_keys,
                            delta_vectors=loaded.delta_vectors
                            if loaded.delta_vectors is not None else np.empty((0, state.dims), np.float32),
                            seq=loaded.delta_seq)

    def forget(self, embedding_id: int) -> None:
        with self._lock:
            self._loaded.pop(embedding_id, None)

    # --- loading ---------------------------------------------------------------------------------------
    def _load(self, state: EmbeddingState) -> _Loaded:
        if not state.index_key:
            return _Loaded(state=state, index=None, delta_seq=0)
        path = self._local_copy(state)
        from usearch.index import Index

        index: Any = Index.restore(str(path), view=True)  # Any: usearch's property setter is invisible to mypy
        if index is None or index.ndim != state.dims:
            raise StoreError(f"index file {state.index_key} is not a {state.dims}-dimension usearch index")
        index.expansion_search = EXPANSION_SEARCH
        return _Loaded(state=state, index=index, delta_seq=state.index_seq)

    def _local_copy(self, state: EmbeddingState) -> Path:
        assert state.index_key is not None
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        name = state.index_key.replace("/", "__")
        path = self.cache_dir / name
        if not path.exists():
            tmp = path.with_name(f"{name}.{os.getpid()}.{threading.get_ident()}.part")
            with self.store.open(state.index_key) as src, open(tmp, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            os.replace(tmp, path)  # atomic: other processes see the whole file or none
            prefix = f"embeddings__{state.id}__"
            for old in self.cache_dir.glob(prefix + "*.usearch"):
                if old.name != name:
                    old.unlink(missing_ok=True)  # processes that mapped it keep their mapping
        return path

    def _catch_up(self, session: Session, loaded: _Loaded) -> None:
        """Read the rows written since ``delta_seq`` into the delta (newest vector of each sample wins)."""
        rows = run(session, _DELTA, (loaded.state.id, loaded.delta_seq))
        if not rows:
            return
        dims = loaded.state.dims
        keys = np.fromiter(map(_sample_id, rows), dtype=np.int64, count=len(rows))
        vectors = unpack_many([bytes(v) for v in map(_vector, rows)], dims)
        # the last row of a sample (highest seq) wins
        _, last = np.unique(keys[::-1], return_index=True)
        pick = len(keys) - 1 - last
        keys, vectors = keys[pick], vectors[pick]
        if len(loaded.delta_keys):
            keep = ~np.isin(loaded.delta_keys, keys)
            assert loaded.delta_vectors is not None
            keys = np.concatenate([loaded.delta_keys[keep], keys])
            vectors = np.concatenate([loaded.delta_vectors[keep], vectors])
        loaded.delta_keys, loaded.delta_vectors = keys, vectors
        loaded.delta_seq = max(loaded.delta_seq, max(map(_seq, rows)))
