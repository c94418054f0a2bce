"""An API process's index cache (``embeddings/index.py``) against a real local object store: a loaded index file
searches with our expansion (usearch does not store it in the file), is loaded once per index version, and a small
index is searched exhaustively, so its candidates always hold the true nearest."""

from __future__ import annotations

import numpy as np
from labelhouse_server.embeddings.index import (
    EXACT_INDEX_WORK,
    EXPANSION_SEARCH,
    EmbeddingState,
    IndexCache,
    for_index,
    new_index,
)
from labelhouse_server.storage.local import LocalStore
from usearch.index import Index


def test_loaded_index_searches_with_our_expansion_and_is_loaded_once(tmp_path):
    store = LocalStore(tmp_path / "objects", "http://127.0.0.1/", tmp_path / "secret.key")
    index = new_index(8, "cosine")
    vectors = np.random.default_rng(1).normal(size=(50, 8)).astype(np.float32)
    index.add(np.arange(50, dtype=np.uint64), vectors)
    index.save(str(tmp_path / "built.usearch"))
    store.put("embeddings/1/index-1-a.usearch", tmp_path / "built.usearch")
    cache = IndexCache(store, tmp_path / "cache")
    state = EmbeddingState(id=1, dims=8, metric="cosine", vector_seq=1, index_version=1,
                           index_key="embeddings/1/index-1-a.usearch", index_seq=1, index_count=50)
    first = cache.snapshot(None, state)  # type: ignore[arg-type]  # no delta to read: vector_seq == index_seq
    assert first.index.expansion_search == EXPANSION_SEARCH != 64
    assert [int(k) for k in first.index.search(vectors[7], 1).keys] == [7]
    # the same version again: the very same loaded index, no second load
    assert cache.snapshot(None, state).index is first.index  # type: ignore[arg-type]


def test_small_index_candidates_hold_the_exact_nearest(tmp_path):
    """300 clustered 16-dim vectors, the shape whose graph search missed true neighbours under load (the graph is
    built by several threads at once, so its quality varies). The index here is given a deliberately poor graph
    (connectivity 2), which misses many: a small index is searched exhaustively, so every query's 40 candidates
    still contain its 6 exact nearest by cosine distance."""
    dims, n = 16, 300
    assert n * dims <= EXACT_INDEX_WORK
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(6, dims)) * 4
    vectors = (centres[rng.integers(0, 6, n)] + rng.normal(size=(n, dims))).astype(np.float32)
    index = Index(ndim=dims, metric="cos", dtype="f16", connectivity=2, expansion_add=2)
    index.add(np.arange(n, dtype=np.uint64), for_index("cosine", vectors))
    index.save(str(tmp_path / "built.usearch"))
    store = LocalStore(tmp_path / "objects", "http://127.0.0.1/", tmp_path / "secret.key")
    store.put("embeddings/2/index-1-a.usearch", tmp_path / "built.usearch")
    state = EmbeddingState(id=2, dims=dims, metric="cosine", vector_seq=1, index_version=1,
                           index_key="embeddings/2/index-1-a.usearch", index_seq=1, index_count=n)
    snap = IndexCache(store, tmp_path / "cache").snapshot(None, state)  # type: ignore[arg-type]
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    missed = []
    for q in range(n):
        truth = set(np.argsort(1 - unit @ unit[q], kind="stable")[:6].tolist())
        got = {key for key, _ in snap.candidates(vectors[q], 40)}
        if not truth <= got:
            missed.append(q)
    assert missed == []
