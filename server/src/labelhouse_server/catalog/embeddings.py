"""Labelbox custom embeddings (contract §2.13) over our embeddings feature (``embeddings/``).

A Labelbox embedding *is* a labelhouse embedding owned by the caller's organization account (metric cosine, as
Labelbox's similarity search), so the Segments REST routes and our SDK see the same vectors. A vector belongs to
a data row (= sample) of one of the organization's datasets. Vectors arrive as the SDK's NDJSON
(``{"id": <data row id>, "vector": [...]}`` per line, ≤ 1,000 lines per request, a trailing blank line); a chunk
is checked whole before anything is written, so a bad line rejects its chunk and names itself.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import DataRowInfo, Dataset, Embedding, Sample
from ..embeddings import service as embeddings
from ..embeddings.search import MAX_K, Scope, nearest_samples, query_vector_of
from ..embeddings.vectors import check_vector
from ..errors import Invalid, NotFound
from ..labelbox import ids
from ..lazy import numpy as np
from ..settings import Settings
from .orgs import OrgScope

METRIC = "cosine"
MAX_LINES = 10_000  # per request (the SDK sends 1,000)
IN_CHUNK = 500


def embedding_public(embedding: Embedding) -> dict[str, Any]:
    return {"id": ids.encode("embedding", embedding.id), "name": embedding.name, "dims": embedding.dims,
            "custom": True}


def list_embeddings(session: Session, scope: OrgScope) -> list[Embedding]:
    return list(session.scalars(select(Embedding).where(Embedding.owner_id == scope.org.id)
                                .order_by(Embedding.created_at, Embedding.id)))


def get_embedding(session: Session, scope: OrgScope, public_id: Any) -> Embedding | None:
    """The organization's embedding with this id, or None (absent, foreign, malformed id)."""
    pk = ids.decode("embedding", public_id)
    if pk is None:
        return None
    embedding = session.get(Embedding, pk)
    return embedding if embedding is not None and embedding.owner_id == scope.org.id else None


def writable(session: Session, scope: OrgScope, public_id: Any) -> embeddings.EmbeddingAccess:
    """The embedding a write changes; absent, foreign -> NotFound, a reader's role -> Forbidden."""
    embedding = get_embedding(session, scope, public_id)
    if embedding is None:
        raise NotFound(f"Embedding {public_id!r} not found.")
    return embeddings.access(session, scope.user, embedding).require_write()


def create_embedding(session: Session, scope: OrgScope, name: Any, dims: Any) -> Embedding:
    organization = None if scope.personal else scope.org.username
    return embeddings.create_embedding(session, scope.user, name, dims, METRIC, "", organization).embedding


def delete_embedding(session: Session, scope: OrgScope, public_id: Any, store: Any, index_cache: Any) -> None:
    acc = writable(session, scope, public_id)
    embedding_id = acc.embedding.id
    key = embeddings.delete_embedding(session, acc)
    if index_cache is not None:
        index_cache.forget(embedding_id)
    embeddings.delete_index_file(store, key)


def vector_count(session: Session, scope: OrgScope, public_id: Any) -> int:
    embedding = get_embedding(session, scope, public_id)
    if embedding is None:
        raise NotFound(f"Embedding {public_id!r} not found.")
    return embeddings.vectors_count(session, embedding.id)


def org_rows(session: Session, scope: OrgScope, sample_ids: list[int]) -> dict[int, int]:
    """sample id -> dataset id for the organization's data rows among ``sample_ids``."""
    out: dict[int, int] = {}
    for start in range(0, len(sample_ids), IN_CHUNK):
        chunk = sample_ids[start:start + IN_CHUNK]
        out.update(session.execute(
            select(Sample.id, Sample.dataset_id).join(Dataset, Dataset.id == Sample.dataset_id)
            .where(Sample.id.in_(chunk), Dataset.owner_id == scope.org.id)).tuples().all())
    return out


def parse_ndjson(body: bytes, dims: int) -> dict[str, np.ndarray]:
    """data row id -> vector, from the SDK's NDJSON (blank lines skipped; a later line for a row wins)."""
    vectors: dict[str, np.ndarray] = {}
    lines = body.split(b"\n")
    if sum(1 for line in lines if line.strip()) > MAX_LINES:
        raise Invalid(f"At most {MAX_LINES} vectors per request.")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise Invalid(f"line {number}: not JSON.") from None
        if not isinstance(item, dict) or type(item.get("id")) is not str:
            raise Invalid(f'line {number}: an object {{"id": <data row id>, "vector": [...]}} is required.')
        vectors[item["id"]] = check_vector(item.get("vector"), dims, METRIC, f"line {number}: vector")
    return vectors


def import_vectors(session: Session, scope: OrgScope, public_id: Any, body: bytes, settings: Settings,
                   on_commit: Any = None) -> dict[str, Any]:
    """Insert or replace the vectors of the NDJSON ``body``; every data row must be the organization's."""
    acc = writable(session, scope, public_id)
    vectors = parse_ndjson(body, acc.embedding.dims)
    decoded = {public: ids.decode("data_row", public) for public in vectors}
    rows = org_rows(session, scope, [pk for pk in decoded.values() if pk is not None])
    missing = [public for public, pk in decoded.items() if pk is None or pk not in rows]
    if missing:
        raise NotFound(f"Data rows not found: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""))
    by_pk = {public: pk for public, pk in decoded.items() if pk is not None}
    written = embeddings.put_vectors(session, acc, {by_pk[p]: v for p, v in vectors.items()},
                                     {pk: rows[pk] for pk in by_pk.values()}, settings, on_commit)
    return {"count": written}


def search(session: Session, scope: OrgScope, index_cache: Any, public_id: Any, body: Any) -> dict[str, Any]:
    """k nearest data rows to a vector or to a data row's own vector, over one dataset or the whole catalog.

    ``body``: ``{"vector": [...]}`` or ``{"dataRowId": ...}`` (that row is left out), ``"k"`` (1-1000, default
    10), optional ``"datasetId"``. Results: ``[{"id", "globalKey", "externalId"?, "distance"}]``, closest first.
    """
    embedding = get_embedding(session, scope, public_id)
    if embedding is None:
        raise NotFound(f"Embedding {public_id!r} not found.")
    if not isinstance(body, dict):
        raise Invalid('A JSON object {"vector" | "dataRowId", "k", "datasetId"} is required.')
    k = body.get("k", 10)
    if type(k) is not int or not 1 <= k <= MAX_K:
        raise Invalid(f"k: an integer from 1 to {MAX_K} is required.")
    if ("vector" in body) == ("dataRowId" in body):
        raise Invalid("Give exactly one of 'vector' and 'dataRowId'.")
    dataset_id = None
    if body.get("datasetId") is not None:
        dataset_id = ids.decode("dataset", body["datasetId"])
        dataset = session.get(Dataset, dataset_id) if dataset_id is not None else None
        if dataset is None or dataset.owner_id != scope.org.id:
            raise NotFound(f"Dataset {body['datasetId']!r} not found.")
    exclude = None
    if "dataRowId" in body:
        sample_id = ids.decode("data_row", body["dataRowId"])
        if sample_id is None or sample_id not in org_rows(session, scope, [sample_id]):
            raise NotFound(f"Data row {body['dataRowId']!r} not found.")
        query = query_vector_of(session, embedding.id, sample_id, embedding.dims)
        if query is None:
            raise Invalid(f"Data row {body['dataRowId']} has no vector in this embedding.")
        exclude = sample_id
    else:
        query = check_vector(body["vector"], embedding.dims, embedding.metric)
    hits = nearest_samples(session, index_cache, embedding.id, query, k,
                           Scope(user=scope.user, dataset_id=dataset_id, exclude_sample_id=exclude))
    keys = _keys(session, [sid for sid, _ in hits])
    return {"results": [{"id": ids.encode("data_row", sid), "globalKey": keys.get(sid, (None, None))[0],
                         "externalId": keys.get(sid, (None, None))[1], "distance": distance}
                        for sid, distance in hits]}


def _keys(session: Session, sample_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    if not sample_ids:
        return {}
    return {r.sample_id: (r.global_key, r.external_id) for r in session.execute(
        select(DataRowInfo.sample_id, DataRowInfo.global_key, DataRowInfo.external_id)
        .where(DataRowInfo.sample_id.in_(sample_ids)))}


# ------------------------------------------------------------------- vectors given with data rows (§3.1)
class PayloadVectors:
    """The ``embeddings`` of data-row upsert items (``[{"embeddingId", "vector", "clusters"?}]``): checked per item
    before anything is written (a bad one fails its item, like any bad field), written with the rows."""

    def __init__(self, session: Session, scope: OrgScope) -> None:
        self.session = session
        self.scope = scope
        self._embeddings: dict[Any, Embedding | None] = {}

    def check(self, value: Any) -> list[tuple[Embedding, np.ndarray]]:
        """The (embedding, vector) pairs of one item; raises ``Invalid`` naming what is wrong."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise Invalid('embeddings: a list of {"embeddingId", "vector"} is required.')
        out: list[tuple[Embedding, np.ndarray]] = []
        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise Invalid(f'embeddings[{i}]: an object {{"embeddingId", "vector"}} is required.')
            public_id = entry.get("embeddingId")
            if public_id not in self._embeddings:
                self._embeddings[public_id] = get_embedding(self.session, self.scope, public_id)
            embedding = self._embeddings[public_id]
            if embedding is None:
                raise Invalid(f"embeddings[{i}].embeddingId: embedding {public_id!r} not found.")
            out.append((embedding, check_vector(entry.get("vector"), embedding.dims, embedding.metric,
                                                f"embeddings[{i}].vector")))
        if len({e.id for e, _ in out}) != len(out):
            raise Invalid("embeddings: one vector per embedding and data row.")
        return out

    def write(self, items: list[tuple[int, list[tuple[Embedding, np.ndarray]]]], settings: Settings | None,
              on_commit: Any = None) -> None:
        """Write the checked vectors of written rows (``(sample id, pairs)``) in the caller's transaction."""
        by_embedding: dict[int, tuple[Embedding, dict[int, np.ndarray]]] = {}
        for sample_id, pairs in items:
            for embedding, vector in pairs:
                by_embedding.setdefault(embedding.id, (embedding, {}))[1][sample_id] = vector
        if not by_embedding:
            return
        samples = sorted({sid for _, (_, vecs) in by_embedding.items() for sid in vecs})
        datasets = org_rows(self.session, self.scope, samples)
        for embedding, vectors in by_embedding.values():
            acc = embeddings.access(self.session, self.scope.user, embedding).require_write()
            embeddings.write_vectors(self.session, acc, vectors, datasets, settings, on_commit)
