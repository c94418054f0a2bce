"""Iteration over every page of a paginated list (datasets, samples, workunits), so nobody writes page loops.

The server answers a bare JSON array per page. Iteration stops at the first page shorter than the page size,
at an empty page, or when the server says the page is past the end (404 ``Invalid page.``). Page sizes above the
server's cap (1000) are lowered to it, so a short page really means the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

from ._base import Call
from .exceptions import NotFoundError, ValidationError

T = TypeVar("T")

MAX_PAGE_SIZE = 1000


def _check(per_page: int, page: int, limit: int | None) -> int:
    if per_page < 1:
        raise ValidationError("per_page must be >= 1.", field="per_page")
    if page < 1:
        raise ValidationError("page must be >= 1.", field="page")
    if limit is not None and limit < 0:
        raise ValidationError("limit must be >= 0.", field="limit")
    return min(per_page, MAX_PAGE_SIZE)


def iterate_pages(send: Callable[[Call[list[T]]], list[T]], make_call: Callable[[int, int], Call[list[T]]],
                  per_page: int, page: int = 1, limit: int | None = None) -> Iterator[T]:
    """Yield the items of page ``page``, ``page + 1`` ... until the end (or ``limit`` items)."""
    size = _check(per_page, page, limit)
    yielded = 0
    while limit is None or yielded < limit:
        try:
            items = send(make_call(page, size))
        except NotFoundError as e:
            if page > 1 and e.status == 404 and "invalid page" in e.message.lower():
                return
            raise
        for item in items:
            yield item
            yielded += 1
            if limit is not None and yielded >= limit:
                return
        if len(items) < size:
            return
        page += 1


async def aiterate_pages(send: Callable[[Call[list[T]]], Awaitable[list[T]]],
                         make_call: Callable[[int, int], Call[list[T]]], per_page: int, page: int = 1,
                         limit: int | None = None) -> AsyncIterator[T]:
    """The async twin of :func:`iterate_pages`."""
    size = _check(per_page, page, limit)
    yielded = 0
    while limit is None or yielded < limit:
        try:
            items = await send(make_call(page, size))
        except NotFoundError as e:
            if page > 1 and e.status == 404 and "invalid page" in e.message.lower():
                return
            raise
        for item in items:
            yield item
            yielded += 1
            if limit is not None and yielded >= limit:
                return
        if len(items) < size:
            return
        page += 1


__all__ = ["MAX_PAGE_SIZE", "aiterate_pages", "iterate_pages"]

