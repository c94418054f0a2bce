"""An API process's index cache (``embeddings/index.py``) against a real local object store: a loaded index file
searches with our expansion (usearch does not store it in the file), and is loaded once per index version."""

from __future__ import annotations

import numpy as np
from labelhouse_server.embeddings.index import EXPANSION_SEARCH, EmbeddingState, IndexCache, new_index
from labelhouse_server.storage.local import LocalStore


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
