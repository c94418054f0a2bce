"""The object-store protocol and helpers shared by its implementations."""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, Union, runtime_checkable

# What ``put`` accepts: a path on disk, an open binary file, or an iterator of byte chunks (streamed, never
# joined in memory).
Source = Union[str, Path, BinaryIO, Iterable[bytes]]  # noqa: UP007 - a runtime alias on Python 3.10

# The presigned-POST form fields the official SDK requires, in its order (contract §5): exactly these eight.
AWS_FIELDS = ("acl", "Content-Type", "key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "policy",
              "x-amz-signature")

_EXTRA_TYPES = {
    ".pcd": "application/octet-stream", ".ply": "application/octet-stream", ".bin": "application/octet-stream",
    ".las": "application/octet-stream", ".laz": "application/octet-stream", ".npy": "application/octet-stream",
    ".json": "application/json", ".webp": "image/webp", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".png": "image/png", ".gif": "image/gif", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff",
}


class StoreError(Exception):
    """A storage operation failed (missing object, bad key, backend error)."""


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


def validate_key(key: str) -> str:
    """Keys are relative POSIX paths without ``..``/empty segments (they become file paths and URL paths)."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise StoreError(f"invalid object key {key!r}")
    norm = posixpath.normpath(key)
    if norm != key or any(part in ("", ".", "..") for part in key.split("/")):
        raise StoreError(f"invalid object key {key!r}")
    return key


def content_type_for(key: str) -> str:
    ext = posixpath.splitext(key)[1].lower()
    return _EXTRA_TYPES.get(ext) or mimetypes.guess_type(key)[0] or "application/octet-stream"


@runtime_checkable
class ObjectStore(Protocol):
    """Where uploaded assets and release files live. Every ``put`` is atomic: readers see the old object (or
    nothing) until the new one is complete, never a half-written object."""

    def put(self, key: str, source: Source, content_type: str | None = None) -> int:
        """Store ``source`` under ``key`` (streaming); returns the number of bytes stored."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the object (raises StoreError when absent)."""
        ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int | None:
        """Size in bytes, or None when the object does not exist."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; absent objects are fine."""
        ...

    def public_url(self, key: str) -> str:
        """URL from which anyone can GET the object, without credentials."""
        ...

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int = 3600) -> PresignedPost:
        """An S3-style browser POST form (the eight AWS_FIELDS) that lets an unauthenticated client upload one
        object under ``key``, at most ``max_bytes`` long."""
        ...


def iter_chunks(source: Source, chunk_size: int = 1024 * 1024) -> Iterable[bytes]:
    if isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            yield from iter(lambda: fh.read(chunk_size), b"")
    elif hasattr(source, "read"):
        yield from iter(lambda: source.read(chunk_size), b"")
    else:
        for chunk in source:
            if chunk:
                yield bytes(chunk)
