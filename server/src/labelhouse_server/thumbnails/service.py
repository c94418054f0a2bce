"""Thumbnails: at most ``SIZE`` pixels on the long side, JPEG, stored under ``thumbnails/`` in the object store
the first time a sample's thumbnail is asked for, and read from there ever after.

Only images in our own object store are thumbnailed (the server never fetches from other hosts); a sample whose
image lives elsewhere gets a redirect to that image. Pillow decodes JPEGs at a reduced scale (``draft``), so a
4000x3000 photo costs a fraction of a full decode."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from ..storage import ObjectStore
from ..storage.base import StoreError

SIZE = 320
QUALITY = 80


def store_key_of(store: ObjectStore, url: str) -> str | None:
    """The object key of ``url`` when it points into ``store``, else None."""
    try:
        marker = store.public_url("x")
    except StoreError:
        return None
    prefix = marker[:-1]
    if not url.startswith(prefix):
        return None
    key = url[len(prefix):].split("?", 1)[0]
    return key or None


def image_url(sample_attributes: Any) -> str | None:
    """The image a sample's thumbnail shows: its image, or the first frame of an image sequence."""
    if isinstance(sample_attributes, dict):
        image = sample_attributes.get("image")
        if isinstance(image, dict) and isinstance(image.get("url"), str):
            return image["url"]
        frames = sample_attributes.get("frames")
        if isinstance(frames, list) and frames and isinstance(frames[0], dict):
            return image_url(frames[0])
    return None


def thumbnail_key(source_key: str) -> str:
    return f"thumbnails/{hashlib.sha256(source_key.encode()).hexdigest()[:32]}-{SIZE}.jpg"


def render(data: Any) -> bytes:
    # Imported on first use: Pillow is ~2 MiB that a process which never makes a thumbnail does not need.
    from PIL import Image

    with Image.open(data) as img:
        img.draft("RGB", (SIZE, SIZE))
        img = img.convert("RGB")
        img.thumbnail((SIZE, SIZE))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=QUALITY, optimize=True)
        return out.getvalue()


def thumbnail(store: ObjectStore, source_key: str) -> bytes | None:
    """The cached thumbnail of ``source_key``, made and stored on first use; None when it is not an image."""
    key = thumbnail_key(source_key)
    try:
        return store.get(key)
    except StoreError:
        pass
    try:
        with store.open(source_key) as fh:
            data = render(fh)
    except (StoreError, OSError, ValueError):  # PIL.UnidentifiedImageError is an OSError
        return None
    store.put(key, iter([data]), "image/jpeg")
    return data
