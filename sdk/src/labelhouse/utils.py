"""Helpers for segmentation bitmaps and files.

A segmentation bitmap is stored as an RGBA PNG whose pixels hold the instance id
``R + 256 * G + 65536 * B`` (alpha 255; id 0 is background), the Segments convention.
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = [
    "bitmap2file",
    "bitmap_to_png",
    "export_dataset",
    "fetch_url",
    "ids_to_rgb",
    "load_image",
    "load_image_from_url",
    "load_label_bitmap_from_url",
    "load_release",
    "png_to_bitmap",
]


def ids_to_rgb(ids: NDArray[np.integer]) -> NDArray[np.uint8]:
    """An (H, W) array of ids as (H, W, 3) RGB bytes (R = low byte)."""
    ids = np.asarray(ids, dtype=np.uint32)
    return np.stack([(ids >> s) & 0xFF for s in (0, 8, 16)], axis=-1).astype(np.uint8)


def bitmap_to_png(ids: NDArray[np.integer]) -> bytes:
    """Encode an (H, W) array of instance ids (< 2**24) as a Segments RGBA PNG.

    >>> client.upload_asset(bitmap_to_png(mask), "label.png")
    """
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f"expected a 2-D array of ids, got shape {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= 2**24):
        raise ValueError("instance ids must be in [0, 2**24)")
    rgba = np.concatenate([ids_to_rgb(ids), np.full(ids.shape + (1,), 255, np.uint8)], axis=-1)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


def png_to_bitmap(data: bytes | Image.Image) -> NDArray[np.uint32]:
    """Decode a Segments RGBA/RGB PNG (bytes or PIL image) into an (H, W) uint32 array of instance ids."""
    image = data if isinstance(data, Image.Image) else Image.open(io.BytesIO(data))
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint32)
    ids: NDArray[np.uint32] = rgb[..., 0] + (rgb[..., 1] << 8) + (rgb[..., 2] << 16)
    return ids


def load_image(data: bytes) -> Image.Image:
    """Open image bytes, applying the EXIF orientation."""
    from PIL import ImageOps

    image = Image.open(io.BytesIO(data))
    image.load()
    return ImageOps.exif_transpose(image) or image


# --- the names of ``segments.utils``, for scripts that switch imports ---------------------------------------
def bitmap2file(bitmap: NDArray[np.integer], is_segmentation_bitmap: bool = True) -> io.BytesIO:
    """A segmentation bitmap as an in-memory PNG file, ready for ``client.upload_asset(f, "label.png")``."""
    if not is_segmentation_bitmap:
        buf = io.BytesIO()
        Image.fromarray(np.asarray(bitmap)).save(buf, format="PNG")
    else:
        buf = io.BytesIO(bitmap_to_png(bitmap))
    buf.seek(0)
    buf.name = "label.png"
    return buf


def fetch_url(url: str) -> bytes:
    """GET a URL without credentials (public images, presigned release files)."""
    import httpx

    response = httpx.get(url, timeout=60, follow_redirects=True)
    response.raise_for_status()
    return response.content


def load_image_from_url(url: str, save_filename: str | None = None) -> Image.Image:
    """Download an image (no API key is sent); optionally save a copy."""
    data = fetch_url(url)
    if save_filename:
        with open(save_filename, "wb") as f:
            f.write(data)
    return load_image(data)


def load_label_bitmap_from_url(url: str, save_filename: str | None = None) -> NDArray[np.uint32]:
    """Download a segmentation bitmap PNG and decode it into instance ids."""
    data = fetch_url(url)
    if save_filename:
        with open(save_filename, "wb") as f:
            f.write(data)
    return png_to_bitmap(data)


def load_release(release: object) -> dict[str, object]:
    """The parsed release file of a Release (its ``attributes.url``) or of a path/URL."""
    from .release import ReleaseDataset

    return ReleaseDataset(release, load_images=False).release  # type: ignore[arg-type]


def export_dataset(dataset: object, export_folder: str = ".", export_format: str = "coco-panoptic",
                   id_increment: int = 0, **kwargs: object) -> object:
    """See :func:`labelhouse.export.export_dataset`."""
    from .export import export_dataset as export

    return export(dataset, export_folder, export_format, id_increment, **kwargs)  # type: ignore[arg-type]
