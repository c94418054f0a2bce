"""Vectors on the wire and on disk, and the distances every part of the search agrees on.

Stored as float32 little-endian bytes (``dims * 4`` bytes per sample). Distances, smaller is closer:
``cosine`` 1 - cos(a, b); ``euclidean`` |a - b|² (squared, as the index computes it; ranks like |a - b|);
``dot`` 1 - a·b. The index (usearch ``cos`` / ``l2sq`` / ``ip``) and the exact NumPy paths compute the same values,
so candidates from the index and from the not-yet-indexed rows merge by distance.
"""

from __future__ import annotations

from typing import Any

from ..errors import Invalid
from ..lazy import numpy as np

METRICS = ("cosine", "euclidean", "dot")
USEARCH_METRIC = {"cosine": "cos", "euclidean": "l2sq", "dot": "ip"}
MAX_DIMS = 4096
DTYPE = "<f4"  # float32, little-endian: what numpy is given as ``dtype=`` (a string: no numpy at import)
ITEMSIZE = 4  # bytes per DTYPE value


_NUMBER_TYPES = frozenset({int, float})


def check_vector(value: Any, dims: int, metric: str, field: str = "vector") -> np.ndarray:
    """A JSON list of ``dims`` finite numbers, as float32; 400 naming ``field`` otherwise."""
    if type(value) is not list:
        raise Invalid(f"{field}: a list of {dims} numbers is required.", field=field)
    if len(value) != dims:
        raise Invalid(f"{field}: this embedding has {dims} dimensions, got a vector of {len(value)}.", field=field)
    if not set(map(type, value)) <= _NUMBER_TYPES:  # no bools, strings, nulls (one C-level pass)
        raise Invalid(f"{field}: every component must be a number.", field=field)
    with np.errstate(over="ignore"):
        vector = np.asarray(value, dtype=DTYPE)
    if not np.isfinite(vector).all():
        raise Invalid(f"{field}: every component must be a finite number within 32-bit float range.", field=field)
    if metric == "cosine" and not vector.any():
        raise Invalid(f"{field}: an all-zero vector has no direction (cosine metric).", field=field)
    return vector


def check_rows(matrix: np.ndarray, metric: str) -> tuple[int, str] | None:
    """The first row of ``matrix`` that is not a valid vector, and why; None when all are (vectorised)."""
    finite = np.isfinite(matrix).all(axis=1)
    if not finite.all():
        return int(np.argmin(finite)), "every component must be a finite number."
    if metric == "cosine":
        nonzero = matrix.any(axis=1)
        if not nonzero.all():
            return int(np.argmin(nonzero)), "an all-zero vector has no direction (cosine metric)."
    return None


def pack(vector: np.ndarray) -> bytes:
    return vector.astype(DTYPE, copy=False).tobytes()


def unpack(blob: bytes, dims: int) -> np.ndarray:
    return np.frombuffer(blob, dtype=DTYPE, count=dims)


def unpack_many(blobs: list[bytes], dims: int) -> np.ndarray:
    if not blobs:
        return np.empty((0, dims), dtype=DTYPE)
    return np.frombuffer(b"".join(blobs), dtype=DTYPE).reshape(len(blobs), dims)


def distances(metric: str, query: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Distance from ``query`` to each row of ``matrix`` (float32 arithmetic, as the index's; float64 result)."""
    if len(matrix) == 0:
        return np.empty(0)
    q = query.astype(np.float32, copy=False)
    if metric == "cosine":
        norms = np.linalg.norm(matrix, axis=1) * np.float32(np.linalg.norm(q))
        norms[norms == 0] = 1.0
        return (1.0 - (matrix @ q) / norms).astype(np.float64)
    if metric == "euclidean":
        diff = matrix - q
        return np.einsum("ij,ij->i", diff, diff).astype(np.float64)
    return (1.0 - matrix @ q).astype(np.float64)


def nearest(metric: str, query: np.ndarray, matrix: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Row positions and distances of the ``count`` rows nearest to ``query``, closest first (exact)."""
    d = distances(metric, query, matrix)
    if len(d) > count:
        part = np.argpartition(d, count - 1)[:count]
    else:
        part = np.arange(len(d))
    order = part[np.lexsort((part, d[part]))]
    return order, d[order]
