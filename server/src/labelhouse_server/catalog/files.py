"""Files uploaded through the GraphQL ``uploadFile`` mutation: stored in the object store (local folder or S3, as
Segments assets are) under an unguessable key, served to anyone holding the URL (the SDK fetches them without
auth), and read back by the server when a manifest or chunk URL is handed over (``upsertDataRows``)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import Invalid, NotFound, PayloadTooLarge
from ..storage import ObjectStore
from ..storage.base import StoreError, content_type_for

PREFIX = "lb-files"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_filename(filename: str | None) -> str:
    """The SDK names chunk uploads ``application/json``: flatten to one safe path segment."""
    name = _UNSAFE.sub("_", (filename or "").strip()).strip("._")[:200]
    return name or "file"


def store_upload(store: ObjectStore, source: BinaryIO, filename: str | None, content_type: str | None,
                 max_bytes: int) -> tuple[str, str]:
    """Store one upload; returns (url, filename as stored)."""
    name = safe_filename(filename)
    key = f"{PREFIX}/{secrets.token_urlsafe(24).replace('-', 'x').replace('_', 'y')}/{name}"
    size = store.put(key, _limited(source, max_bytes), content_type or content_type_for(name))
    if size > max_bytes:  # pragma: no cover - _limited raises first
        store.delete(key)
        raise PayloadTooLarge(f"File exceeds {max_bytes} bytes.")
    return store.public_url(key), name


def _limited(source: BinaryIO, max_bytes: int, chunk: int = 1024 * 1024) -> Iterator[bytes]:
    total = 0
    while True:
        data = source.read(chunk)
        if not data:
            return
        total += len(data)
        if total > max_bytes:
            raise PayloadTooLarge(f"File exceeds {max_bytes} bytes.")
        yield data


def key_for_url(store: ObjectStore, url: str) -> str | None:
    """The object key behind one of our own upload URLs, or None for any other URL (we never fetch foreign
    URLs on a client's behalf)."""
    marker = store.public_url(f"{PREFIX}/x/y")[: -len("x/y")]
    if not isinstance(url, str) or not url.startswith(marker):
        return None
    key = PREFIX + "/" + url[len(marker):].split("?", 1)[0]
    return key


def read_upload(store: ObjectStore, url: str, max_bytes: int) -> bytes:
    key = key_for_url(store, url)
    if key is None:
        raise Invalid(f"'{url}' is not a file uploaded to this server (use the uploadFile mutation).")
    try:
        size = store.size(key)
        if size is None:
            raise NotFound(f"Uploaded file not found: {url}")
        if size > max_bytes:
            raise PayloadTooLarge(f"File exceeds {max_bytes} bytes.")
        return store.get(key)
    except StoreError:
        raise NotFound(f"Uploaded file not found: {url}") from None
