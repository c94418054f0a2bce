"""Custom embeddings: vectors per sample and k-nearest-neighbour search (labelhouse extension; the Segments.ai
API has no equivalent)."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import exceptions as exc
from .._base import Call, segment
from ..models.embeddings import Embedding, SimilarSample
from ._common import ClientPrimitives, list_of, model

MAX_VECTORS_PER_REQUEST = 10_000  # the server's limit
PACKED_BYTES_PER_REQUEST = 6_000_000  # float32 bytes per request (~8 MB of base64, under the 16 MB body limit)


def embedding_path(embedding_identifier: str, *rest: str) -> str:
    """``/embeddings/<owner>/<name>/<rest...>/`` from ``"owner/name"``."""
    if not isinstance(embedding_identifier, str) or embedding_identifier.count("/") != 1:
        raise exc.ValidationError(f"embedding_identifier must look like 'owner/name', got {embedding_identifier!r}.",
                                  field="embedding_identifier")
    owner, name = embedding_identifier.split("/")
    return "/embeddings/" + "/".join(segment(p) for p in (owner, name, *rest)) + "/"


def _vector_list(vector: Any) -> list[float]:
    return [float(x) for x in (vector.tolist() if hasattr(vector, "tolist") else vector)]


def _packed_body(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The packed upload body of ``pairs``: ``sample_uuids`` and ``vectors_base64`` (little-endian float32 rows),
    so neither side converts floats one by one to and from JSON text."""
    try:
        matrix = np.stack([np.asarray(v, dtype="<f4") for _, v in pairs])
    except (TypeError, ValueError) as e:
        raise exc.ValidationError(f"vectors must be sequences of numbers of one length: {e}", field="vectors") from None
    if matrix.ndim != 2:
        raise exc.ValidationError("each vector must be a flat sequence of numbers.", field="vectors")
    return {"sample_uuids": [u for u, _ in pairs], "vectors_base64": base64.b64encode(matrix.tobytes()).decode()}


def _per_request(pairs: list[tuple[str, Any]]) -> int:
    dims = len(pairs[0][1]) if pairs and hasattr(pairs[0][1], "__len__") else 1
    return max(1, min(MAX_VECTORS_PER_REQUEST, PACKED_BYTES_PER_REQUEST // max(1, 4 * dims)))


def _results(data: Any) -> list[SimilarSample]:
    return list_of(SimilarSample)(data["results"])


class EmbeddingsMixin(ClientPrimitives):
    def get_embeddings(self) -> list[Embedding]:
        """The embeddings you can use: your own and your organizations'.

        >>> [e.full_name for e in client.get_embeddings()]
        """
        return self._call(Call("GET", "/user/embeddings/", parse=list_of(Embedding)))

    def get_embedding(self, embedding_identifier: str) -> Embedding:
        """One embedding, with its vector count and index state.

        >>> client.get_embedding("jane/clip").vectors_count
        """
        return self._call(Call("GET", embedding_path(embedding_identifier), parse=model(Embedding)))

    def add_embedding(self, name: str, dims: int, metric: str = "cosine", description: str = "",
                      organization: str | None = None) -> Embedding:
        """Create an embedding (``metric``: cosine, euclidean or dot), yours or an ``organization``'s.

        >>> emb = client.add_embedding("clip", dims=512)
        """
        path = f"/organizations/{segment(organization)}/embeddings/" if organization else "/user/embeddings/"
        return self._call(Call("POST", path, body={"name": name, "dims": dims, "metric": metric,
                                                   "description": description}, parse=model(Embedding)))

    def delete_embedding(self, embedding_identifier: str) -> None:
        """Delete an embedding and all its vectors.

        >>> client.delete_embedding("jane/clip")
        """
        return self._call(Call[None]("DELETE", embedding_path(embedding_identifier)))

    def add_vectors(self, embedding_identifier: str,
                    vectors: Mapping[str, Sequence[float]] | Iterable[tuple[str, Sequence[float]]],
                    progress: bool = False) -> int:
        """Set the vectors of samples (``{sample_uuid: vector}`` or ``(sample_uuid, vector)`` pairs; NumPy arrays
        are fine); a sample's new vector replaces its old one. Returns how many were written. Sent packed (float32
        bytes, base64), up to 10,000 vectors or 6 MB of them per request.

        >>> client.add_vectors("jane/clip", {sample.uuid: model(sample) for sample in client.iter_samples(ds)})
        """
        pairs = list(vectors.items() if isinstance(vectors, Mapping) else vectors)
        path = embedding_path(embedding_identifier, "vectors")
        size = _per_request(pairs)
        calls = (Call("PUT", path, idempotent=True, body=_packed_body(pairs[i:i + size]),
                      parse=lambda data: [data["written"]])
                 for i in range(0, len(pairs), size))  # encoded one request at a time: memory stays bounded
        return self._call_many(calls, progress=progress, total=-(-len(pairs) // size), unit="batch",
                               desc="Vectors", combine=sum)

    def similar_samples(self, embedding_identifier: str, vector: Sequence[float] | None = None,
                        sample_uuid: str | None = None, k: int = 10, dataset_identifier: str | None = None,
                        metadata: Mapping[str, Any] | None = None) -> list[SimilarSample]:
        """The ``k`` samples nearest to ``vector`` or to the sample ``sample_uuid``'s own vector (that sample is
        left out), closest first, among the samples you can see — or only ``dataset_identifier``'s, or only those
        whose metadata has the given values.

        >>> for hit in client.similar_samples("jane/clip", sample_uuid=uuid, k=5): print(hit.distance, hit.sample.name)
        """
        body: dict[str, Any] = {"k": k}
        if vector is not None:
            body["vector"] = _vector_list(vector)
        if sample_uuid is not None:
            body["sample_uuid"] = sample_uuid
        if dataset_identifier is not None:
            body["dataset"] = dataset_identifier
        if metadata:
            body["metadata"] = dict(metadata)
        return self._call(Call("POST", embedding_path(embedding_identifier, "similar-samples"), body=body,
                               idempotent=True, parse=_results))
