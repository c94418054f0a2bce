"""Custom embeddings and similarity-search results."""

from __future__ import annotations

from datetime import datetime

from ._base import Model
from .samples import Sample


class EmbeddingIndex(Model):
    """The embedding's approximate-nearest-neighbour index. ``version`` 0: none yet (searches are exact)."""

    version: int = 0
    vectors: int = 0
    built_at: datetime | None = None
    rebuilding: bool = False


class Embedding(Model):
    """A named vector space (``dims`` dimensions, a ``metric``) owned by a user or an organization."""

    name: str
    full_name: str
    owner: str
    description: str = ""
    dims: int
    metric: str = "cosine"
    vectors_count: int = 0
    role: str | None = None
    index: EmbeddingIndex = EmbeddingIndex()
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SimilarSample(Model):
    """One search result: the sample and its distance to the query (smaller is closer)."""

    distance: float
    sample: Sample
