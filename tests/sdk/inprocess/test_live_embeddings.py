"""Embeddings and similarity search through our SDK (sync and async) against the app in-process, checked against
exact NumPy search on a small set."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from labelhouse import AsyncSegmentsClient, Embedding, SegmentsClient, SimilarSample
from labelhouse import exceptions as exc
from server.samples.payloads import TASK_ATTRIBUTES, sample_attributes
from support import unique

DIMS = 8


def exact(query: np.ndarray, matrix: np.ndarray, k: int) -> list[int]:
    sims = (matrix @ query) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    return [int(i) for i in np.argsort(-sims, kind="stable")[:k]]


@pytest.fixture
def populated(lh: SegmentsClient):
    ds = lh.add_dataset(unique("ds"), task_type="vector", task_attributes=TASK_ATTRIBUTES)
    samples = lh.add_samples(ds.full_name, [{"name": f"s{i}", "attributes": sample_attributes("vector"),
                                             "metadata": {"split": "train" if i % 2 else "val"}}
                                            for i in range(150)])
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(150, DIMS)).astype(np.float32)
    emb = lh.add_embedding(unique("emb"), dims=DIMS, description="test")
    return ds, [s.uuid for s in samples], vectors, emb


def test_embeddings_and_search_sync(lh: SegmentsClient, populated) -> None:
    ds, uuids, vectors, emb = populated
    assert isinstance(emb, Embedding) and emb.dims == DIMS and emb.metric == "cosine" and emb.vectors_count == 0
    assert lh.add_vectors(emb.full_name, dict(zip(uuids, vectors))) == 150  # NumPy rows are accepted
    assert lh.get_embedding(emb.full_name).vectors_count == 150
    assert emb.full_name in [e.full_name for e in lh.get_embeddings()]
    query = vectors[0] + 0.01
    hits = lh.similar_samples(emb.full_name, vector=query, k=10)
    assert all(isinstance(h, SimilarSample) for h in hits)
    assert [h.sample.uuid for h in hits] == [uuids[i] for i in exact(query, vectors, 10)]  # exact below the index
    assert hits[0].sample.dataset_full_name == ds.full_name and hits[0].distance <= hits[-1].distance
    by_sample = lh.similar_samples(emb.full_name, sample_uuid=uuids[4], k=3, metadata={"split": "train"})
    train = [i for i in range(150) if i % 2 and i != 4]
    assert [h.sample.uuid for h in by_sample] == [uuids[train[i]] for i in exact(vectors[4], vectors[train], 3)]
    assert lh.similar_samples(emb.full_name, vector=query, k=2, dataset_identifier=ds.full_name)[0].sample.uuid \
        == uuids[0]
    with pytest.raises(exc.ValidationError):
        lh.similar_samples(emb.full_name, vector=[1.0, 2.0])  # wrong dimension: 400 -> ValidationError
    with pytest.raises(exc.NotFoundError):
        lh.similar_samples(emb.full_name.split("/")[0] + "/missing", vector=query)
    with pytest.raises(exc.AlreadyExistsError):
        lh.add_embedding(emb.name, dims=DIMS)
    lh.delete_embedding(emb.full_name)
    with pytest.raises(exc.NotFoundError):
        lh.get_embedding(emb.full_name)


def test_embeddings_and_search_async(app, user, populated) -> None:
    _, uuids, vectors, emb = populated

    async def run() -> list[SimilarSample]:
        async with AsyncSegmentsClient(user[1], api_url=app.url, transport=app.async_transport(), max_retries=1) as client:
            assert await client.add_vectors(emb.full_name, list(zip(uuids, vectors.tolist()))) == 150
            assert (await client.get_embedding(emb.full_name)).vectors_count == 150
            return await client.similar_samples(emb.full_name, vector=vectors[9].tolist(), k=5)

    hits = asyncio.run(run())
    assert [h.sample.uuid for h in hits] == [uuids[i] for i in exact(vectors[9], vectors, 5)]
