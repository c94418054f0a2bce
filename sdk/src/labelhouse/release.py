"""Load a release file and iterate over its samples with images, labels and decoded segmentation bitmaps.

A release file is JSON: ``{"name", "dataset": {"name", "owner", "task_type", "task_attributes", "labelsets",
"samples": [{"uuid", "name", "metadata", "attributes", "labels": {<labelset>: {"label_status", "attributes"}
| null}}]}}``. :class:`ReleaseDataset` accepts a :class:`~labelhouse.models.Release`, a path or URL of such a
file, or the parsed dict. Images and bitmaps are downloaded on first use and cached in memory (and on disk when
``cache_dir`` is given); :meth:`ReleaseDataset.preload` fetches everything in parallel with a progress bar.

>>> dataset = client.load_release(client.wait_for_release("jane/flowers", "v1"))
>>> for sample in dataset:
...     print(sample["name"], sample["segmentation_bitmap"].max())
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from tqdm.auto import tqdm

from .models import Release, TaskAttributeCategory
from .utils import fetch_url, load_image, png_to_bitmap

__all__ = ["SEGMENTATION_TASK_TYPES", "VECTOR_TASK_TYPES", "ReleaseDataset"]

SEGMENTATION_TASK_TYPES = ("segmentation-bitmap", "segmentation-bitmap-highres")
VECTOR_TASK_TYPES = ("vector", "bboxes", "keypoints")


class ReleaseDataset:
    """The samples of one labelset of a release; ``dataset[i]`` is a dict with ``uuid``, ``name``,
    ``file_name``, ``metadata``, ``attributes`` (sample), ``label`` (raw label or None), ``label_status``,
    ``annotations``, ``image`` (PIL image or None), ``segmentation_bitmap`` (uint32 array of instance ids, for
    segmentation datasets) and ``width``/``height``."""

    def __init__(
        self,
        release: Release | dict[str, Any] | str | os.PathLike[str],
        labelset: str = "ground-truth",
        filter_by: str | list[str] | None = None,
        filter_by_metadata: dict[str, Any] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        load_images: bool = True,
        progress: bool = False,
        fetch: Callable[[str], bytes] | None = None,
    ) -> None:
        self._fetch_remote = fetch or fetch_url
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.load_images = load_images
        self.labelset = labelset
        self.release = self._read_release(release)
        dataset = self.release["dataset"]
        names = [ls["name"] if isinstance(ls, dict) else str(ls) for ls in dataset.get("labelsets") or []]
        if names and labelset not in names:
            raise ValueError(f"Labelset {labelset!r} is not in this release; it has: {', '.join(names)}.")
        statuses = None
        if filter_by is not None:
            statuses = {s.upper() for s in ([filter_by] if isinstance(filter_by, str) else filter_by)}
        self.samples: list[dict[str, Any]] = [
            s for s in dataset.get("samples") or []
            if (statuses is None or self._status(s) in statuses)
            and all((s.get("metadata") or {}).get(k) == v for k, v in (filter_by_metadata or {}).items())
        ]
        self._cache: dict[str, bytes] = {}
        self._lock = threading.Lock()
        if progress:
            self.preload(progress=True)

    # --- release metadata --------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.release.get("name", ""))

    @property
    def dataset_name(self) -> str:
        return str(self.release["dataset"]["name"])

    @property
    def owner(self) -> str:
        owner = self.release["dataset"].get("owner", "")
        return str(owner.get("username", "") if isinstance(owner, dict) else owner)

    @property
    def dataset_identifier(self) -> str:
        return f"{self.owner}/{self.dataset_name}"

    @property
    def task_type(self) -> str:
        return str(self.release["dataset"].get("task_type", ""))

    @property
    def task_attributes(self) -> dict[str, Any]:
        return dict(self.release["dataset"].get("task_attributes") or {})

    @property
    def categories(self) -> list[TaskAttributeCategory]:
        return [TaskAttributeCategory.model_validate(c) for c in self.task_attributes.get("categories") or []]

    def __len__(self) -> int:
        return len(self.samples)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"ReleaseDataset({self.dataset_identifier!r}, release={self.name!r}, samples={len(self)})"

    # --- samples -----------------------------------------------------------------------------------------
    def __getitem__(self, index: int) -> dict[str, Any]:
        raw = self.samples[index]
        label = self._label(raw)
        attributes = raw.get("attributes") or {}
        label_attributes = (label or {}).get("attributes") or {}
        image_url = (attributes.get("image") or {}).get("url") if isinstance(attributes, dict) else None
        image = self._image(image_url) if self.load_images and image_url else None
        bitmap = None
        if self.task_type in SEGMENTATION_TASK_TYPES and label_attributes.get("segmentation_bitmap"):
            url = label_attributes["segmentation_bitmap"].get("url")
            bitmap = png_to_bitmap(self._get(url)) if url else None
        width, height = _size(image, bitmap, attributes)
        name = str(raw.get("name", raw.get("uuid", index)))
        return {
            "uuid": raw.get("uuid"),
            "name": name,
            "file_name": _file_name(name, image_url),
            "metadata": raw.get("metadata") or {},
            "attributes": attributes,
            "label": label,
            "label_status": self._status(raw),
            "annotations": label_attributes.get("annotations") if label else None,
            "image": image,
            "segmentation_bitmap": bitmap,
            "width": width,
            "height": height,
        }

    def preload(self, progress: bool = True, workers: int = 8) -> None:
        """Download every image and bitmap now, in parallel, with a progress bar."""
        urls: list[str] = []
        for raw in self.samples:
            attributes = raw.get("attributes") or {}
            if self.load_images and isinstance(attributes, dict) and (attributes.get("image") or {}).get("url"):
                urls.append(attributes["image"]["url"])
            bitmap = ((self._label(raw) or {}).get("attributes") or {}).get("segmentation_bitmap") or {}
            if self.task_type in SEGMENTATION_TASK_TYPES and bitmap.get("url"):
                urls.append(bitmap["url"])
        with ThreadPoolExecutor(max_workers=workers) as pool, \
                tqdm(total=len(urls), unit="file", desc="Downloading", disable=not progress) as bar:
            for _ in pool.map(self._get, urls):
                bar.update(1)

    # --- internals ---------------------------------------------------------------------------------------
    def _label(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        labels = raw.get("labels") or {}
        label = labels.get(self.labelset)
        return label if isinstance(label, dict) else None

    def _status(self, raw: dict[str, Any]) -> str:
        label = self._label(raw)
        return str(label.get("label_status") or "UNLABELED") if label else "UNLABELED"

    def _image(self, url: str) -> Image.Image | None:
        if urlparse(url).scheme in ("s3", "gs"):
            return None
        return load_image(self._get(url))

    def _get(self, url: str) -> bytes:
        with self._lock:
            if url in self._cache:
                return self._cache[url]
        disk = None
        if self.cache_dir is not None:
            disk = self.cache_dir / hashlib.sha256(url.encode()).hexdigest()[:32]
            if disk.exists():
                data = disk.read_bytes()
                with self._lock:
                    self._cache[url] = data
                return data
        data = self._read(url)
        if disk is not None:
            disk.parent.mkdir(parents=True, exist_ok=True)
            disk.write_bytes(data)
        with self._lock:
            self._cache[url] = data
        return data

    def _read(self, location: str) -> bytes:
        parsed = urlparse(location)
        if parsed.scheme in ("http", "https"):
            return self._fetch_remote(location)
        if parsed.scheme == "file":
            return Path(unquote(parsed.path)).read_bytes()
        return Path(location).read_bytes()

    def _read_release(self, release: Release | dict[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
        if isinstance(release, dict):
            data = release
        else:
            if isinstance(release, Release):
                if not release.attributes.url:
                    raise ValueError(f"Release {release.name!r} has no file yet (status {release.status}); "
                                     "use client.wait_for_release first.")
                location = release.attributes.url
            else:
                location = os.fspath(release)
            data = json.loads(self._read(location))
        if not isinstance(data, dict) or not isinstance(data.get("dataset"), dict):
            raise ValueError(  # noqa: TRY004 (bad file content, not a bad argument type)
"Not a release file: expected a JSON object with a 'dataset' object.")
        return data


def _size(image: Image.Image | None, bitmap: NDArray[np.uint32] | None, attributes: Any) -> tuple[int, int]:
    if image is not None:
        return image.size
    if bitmap is not None:
        return int(bitmap.shape[1]), int(bitmap.shape[0])
    img = attributes.get("image") if isinstance(attributes, dict) else None
    if isinstance(img, dict) and img.get("width") and img.get("height"):
        return int(img["width"]), int(img["height"])
    return 0, 0


def _file_name(name: str, url: str | None) -> str:
    """The sample name, with the extension of its image URL when the name has none."""
    if url and not os.path.splitext(name)[1]:
        ext = os.path.splitext(urlparse(url).path)[1]
        return name + ext
    return name


class SegmentsDataset(ReleaseDataset):
    """The parameters of ``segments.SegmentsDataset``, for scripts that switch imports: ``segments_dir`` is the
    download cache (``SEGMENTS_DIR`` overrides the default) and ``preload`` downloads everything up front.
    Cloud-storage clients are not needed: ``s3://``/``gs://`` images load as None, as in the original."""

    def __init__(
        self,
        release_file: Release | dict[str, Any] | str | os.PathLike[str],
        labelset: str = "ground-truth",
        filter_by: str | list[str] | None = None,
        filter_by_metadata: dict[str, Any] | None = None,
        segments_dir: str | None = "segments",
        preload: bool = True,
        s3_client: Any = None,
        gcp_client: Any = None,
        load_images: bool = True,
    ) -> None:
        if segments_dir == "segments":
            segments_dir = os.environ.get("SEGMENTS_DIR", segments_dir)
        super().__init__(release_file, labelset, filter_by, filter_by_metadata, cache_dir=segments_dir,
                         load_images=load_images, progress=preload)
