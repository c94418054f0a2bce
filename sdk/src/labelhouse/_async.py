"""``AsyncSegmentsClient``: the same surface as :class:`SegmentsClient`, awaitable.

Every method returns an awaitable (``await client.get_dataset(...)``); ``iter_*`` methods return async
iterators (``async for sample in client.iter_samples(...)``).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import IO, TYPE_CHECKING, Any, TypeVar

from tqdm.auto import tqdm

from ._base import AsyncAPIClient, Call
from .client import _batch_len, _release_done
from .exceptions import RequestTimeoutError
from .models import File, Release
from .pagination import aiterate_pages
from .resources.assets import asset_call, read_file, upload_call

if TYPE_CHECKING:
    # Type checkers see every method as a coroutine and ``iter_*`` as async iterators (the generated
    # ``_async_api``); at run time the methods are the sync client's resource mixins, whose primitives here
    # are coroutines and async generators.
    from ._async_api import AsyncResources as _Resources
else:
    from .resources import AllResources as _Resources

T = TypeVar("T")


class AsyncSegmentsClient(AsyncAPIClient, _Resources):
    """The asyncio client; parameters as :class:`labelhouse.SegmentsClient`.

    >>> async with AsyncSegmentsClient("YOUR_KEY", api_url="http://localhost:8000/") as client:
    ...     me = await client.get_user()
    ...     async for sample in client.iter_samples("jane/flowers"):
    ...         print(sample.name)
    """

    def _iterate(self, make_call: Callable[[int, int], Call[list[T]]], per_page: int, page: int,
                 limit: int | None) -> AsyncIterator[T]:
        return aiterate_pages(self._call, make_call, per_page, page, limit)

    async def _call_many(self, calls: Iterable[Call[list[Any]]], *, progress: bool, total: int, unit: str,
                         desc: str, combine: Callable[[list[Any]], Any] | None = None) -> Any:
        results: list[Any] = []
        with tqdm(total=total, unit=unit, desc=desc, disable=not progress) as bar:
            for call in calls:
                batch: list[Any] = await self._call(call)
                results.extend(batch)
                bar.update(_batch_len(call))
        return combine(results) if combine else results

    async def _wait_release(self, make_call: Callable[[], Call[Release]], timeout: float,
                            poll_interval: float) -> Release:
        deadline = time.monotonic() + timeout
        while True:
            release = await self._call(make_call())
            done = _release_done(release)
            if done is not None:
                return done
            if time.monotonic() >= deadline:
                raise RequestTimeoutError(f"Release {release.name!r} still PENDING after {timeout} s.")
            await self._sleep(min(poll_interval, max(0.0, deadline - time.monotonic())))

    async def _upload(self, file: IO[Any] | bytes | str | os.PathLike[str], filename: str
                      ) -> File:
        content, filename = read_file(file, filename)
        asset = await self._call(asset_call(filename))
        await self._call(upload_call(asset, content, filename))
        return asset

    async def _upload_many(self, files: list[tuple[Any, str]], progress: bool,
                           concurrency: int = 8) -> list[File]:
        limit = asyncio.Semaphore(concurrency)
        with tqdm(total=len(files), unit="file", desc="Uploading", disable=not progress) as bar:

            async def one(file: Any, filename: str) -> File:
                async with limit:
                    asset = await self._upload(file, filename)
                bar.update(1)
                return asset

            return list(await asyncio.gather(*(one(f, n) for f, n in files)))

    async def _fetch(self, url: str) -> bytes:
        return await self._call(self._download_call(url))

    async def _load_release(self, release: Any, **options: Any) -> Any:
        """Downloads happen in worker threads with a sync client of the same configuration."""
        from .client import SegmentsClient
        from .release import ReleaseDataset

        def load() -> Any:
            # The dataset downloads images lazily, so this client lives as long as the dataset does.
            sync = SegmentsClient(self.api_key, self.api_url, timeout=self.timeout, max_retries=self.max_retries)
            return ReleaseDataset(release, fetch=sync._fetch, **options)

        return await asyncio.to_thread(load)
