"""``SegmentsClient``: the synchronous client. Same method names, parameters and defaults as the Segments.ai
SDK documents (checked by tests/sdk/test_signatures.py), plus iteration, bulk helpers and release tools."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from tqdm.auto import tqdm

from ._base import Call, SyncAPIClient
from .exceptions import ReleaseFailedError, RequestTimeoutError
from .models import File, Release, ReleaseStatus
from .pagination import iterate_pages
from .resources import AllResources
from .resources.assets import asset_call, read_file, upload_call

T = TypeVar("T")


class SegmentsClient(SyncAPIClient, AllResources):
    """A client for a labelhouse server (or anything speaking the Segments.ai API).

    :param api_key: your API key (``labelhouse apikey create``); default: ``LABELHOUSE_API_KEY`` or
        ``SEGMENTS_API_KEY`` from the environment.
    :param api_url: the server, e.g. ``http://localhost:8000/`` (a path prefix such as ``/api/`` is kept);
        default: ``LABELHOUSE_API_URL`` / ``SEGMENTS_API_URL`` or ``http://127.0.0.1:8000/``.
    :param timeout: seconds per request (or an ``httpx.Timeout``); None waits forever.
    :param max_retries: extra attempts on connection errors, 429 and 502/503/504 (see ``labelhouse._base``).
    :param enable_compression: gzip large request bodies (samples, labels).

    Construction sends no request. Use it as a context manager, or call :meth:`close`.

    >>> with SegmentsClient("YOUR_KEY", api_url="http://localhost:8000/") as client:
    ...     print(client.get_user().username)
    """

    # --- primitives the resource mixins use -------------------------------------------------------------
    def _iterate(self, make_call: Callable[[int, int], Call[list[T]]], per_page: int, page: int,
                 limit: int | None) -> Iterator[T]:
        return iterate_pages(self._call, make_call, per_page, page, limit)

    def _call_many(self, calls: Iterable[Call[list[Any]]], *, progress: bool, total: int, unit: str, desc: str,
                   combine: Callable[[list[Any]], Any] | None = None) -> Any:
        results: list[Any] = []
        with tqdm(total=total, unit=unit, desc=desc, disable=not progress) as bar:
            for call in calls:
                batch: list[Any] = self._call(call)
                results.extend(batch)
                bar.update(_batch_len(call))
        return combine(results) if combine else results

    def _wait_release(self, make_call: Callable[[], Call[Release]], timeout: float, poll_interval: float
                      ) -> Release:
        deadline = time.monotonic() + timeout
        while True:
            release = self._call(make_call())
            done = _release_done(release)
            if done is not None:
                return done
            if time.monotonic() >= deadline:
                raise RequestTimeoutError(f"Release {release.name!r} still PENDING after {timeout} s.")
            self._sleep(min(poll_interval, max(0.0, deadline - time.monotonic())))

    def _upload(self, file: IO[Any] | bytes | str | os.PathLike[str], filename: str) -> File:
        content, filename = read_file(file, filename)
        asset = self._call(asset_call(filename))
        self._call(upload_call(asset, content, filename))
        return asset

    def _upload_many(self, files: list[tuple[Any, str]], progress: bool) -> list[File]:
        with tqdm(total=len(files), unit="file", desc="Uploading", disable=not progress) as bar:
            assets = []
            for file, filename in files:
                assets.append(self._upload(file, filename))
                bar.update(1)
        return assets

    def _fetch(self, url: str) -> bytes:
        return self._call(self._download_call(url))

    def _load_release(self, release: Any, **options: Any) -> Any:
        from .release import ReleaseDataset

        return ReleaseDataset(release, fetch=self._fetch, **options)


def _batch_len(call: Call[Any]) -> int:
    body = call.body
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict) and isinstance(body.get("uuids"), list):
        return len(body["uuids"])
    return 1


def _release_done(release: Release) -> Release | None:
    if release.status == ReleaseStatus.SUCCEEDED:
        return release
    if release.status == ReleaseStatus.FAILED:
        info = f": {release.status_info}" if release.status_info else ""
        raise ReleaseFailedError(f"Release {release.name!r} failed{info}.")
    return None
