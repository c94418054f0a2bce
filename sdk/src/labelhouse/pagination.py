"""Iteration over every page of a paginated list (datasets, samples, workunits), so nobody writes page loops.

The server answers a bare JSON array per page. Iteration stops at the first page shorter than the page size,
at an empty page, or when the server says the page is past the end (404 ``Invalid page.``). Page sizes above the
server's cap (1000) are lowered to it, so a short page really means the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Generic, TypeVar

from ._base import Call
from .exceptions import NotFoundError, ValidationError

T = TypeVar("T")

MAX_PAGE_SIZE = 1000


class _Pages(Generic[T]):
    """The paging state shared by the sync and the async iterator: which call is next, what to yield."""

    def __init__(self, make_call: Callable[[int, int], Call[list[T]]], per_page: int, page: int,
                 limit: int | None) -> None:
        if per_page < 1:
            raise ValidationError("per_page must be >= 1.", field="per_page")
        if page < 1:
            raise ValidationError("page must be >= 1.", field="page")
        if limit is not None and limit < 0:
            raise ValidationError("limit must be >= 0.", field="limit")
        self.make_call = make_call
        self.size = min(per_page, MAX_PAGE_SIZE)
        self.page = page
        self.first_page = page
        self.remaining = limit
        self.done = limit == 0

    def next_call(self) -> Call[list[T]] | None:
        return None if self.done else self.make_call(self.page, self.size)

    def take(self, items: list[T]) -> list[T]:
        """The items of the page just fetched that are to be yielded; advances to the next page."""
        self.done = len(items) < self.size
        if self.remaining is not None:
            items = items[:self.remaining]
            self.remaining -= len(items)
            self.done = self.done or self.remaining == 0
        self.page += 1
        return items

    def past_end(self, error: NotFoundError) -> bool:
        """DRF-style servers answer 404 "Invalid page." for a page after the last one."""
        return self.page > self.first_page and "invalid page" in error.message.lower()


def iterate_pages(send: Callable[[Call[list[T]]], list[T]], make_call: Callable[[int, int], Call[list[T]]],
                  per_page: int, page: int = 1, limit: int | None = None) -> Iterator[T]:
    """Yield the items of page ``page``, ``page + 1`` ... until the end (or ``limit`` items)."""
    pages = _Pages(make_call, per_page, page, limit)
    while (call := pages.next_call()) is not None:
        try:
            items = send(call)
        except NotFoundError as error:
            if pages.past_end(error):
                return
            raise
        yield from pages.take(items)


async def aiterate_pages(send: Callable[[Call[list[T]]], Awaitable[list[T]]],
                         make_call: Callable[[int, int], Call[list[T]]], per_page: int, page: int = 1,
                         limit: int | None = None) -> AsyncIterator[T]:
    """The async twin of :func:`iterate_pages`."""
    pages = _Pages(make_call, per_page, page, limit)
    while (call := pages.next_call()) is not None:
        try:
            items = await send(call)
        except NotFoundError as error:
            if pages.past_end(error):
                return
            raise
        for item in pages.take(items):
            yield item


__all__ = ["MAX_PAGE_SIZE", "aiterate_pages", "iterate_pages"]
