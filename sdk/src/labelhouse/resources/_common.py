"""What every resource mixin relies on: the client primitives and model parsers.

Resource mixins describe calls; the client they are mixed into sends them. The sync client returns results,
the async client returns awaitables (its primitives are coroutines / async generators), so one description of
each method serves both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter

from .._base import Call

T = TypeVar("T")

def model(cls: type[T]) -> Callable[[Any], T]:
    return cls.model_validate  # type: ignore[attr-defined]


def list_of(cls: type[T]) -> Callable[[Any], list[T]]:
    adapter = TypeAdapter(list[cls])  # type: ignore[valid-type]
    return adapter.validate_python


def json_value(data: Any) -> Any:
    return data


if TYPE_CHECKING:

    class ClientPrimitives:
        def _call(self, call: Call[T]) -> T: ...

        def _iterate(self, make_call: Callable[[int, int], Call[list[T]]], per_page: int, page: int,
                     limit: int | None) -> Iterator[T]: ...

        def _call_many(self, calls: Iterable[Call[list[Any]]], *, progress: bool, total: int, unit: str, desc: str,
                       combine: Callable[[list[Any]], Any] | None = None) -> Any: ...

        def _wait_release(self, make_call: Callable[[], Call[Any]], timeout: float, poll_interval: float) -> Any: ...

        def _upload(self, file: Any, filename: str) -> Any: ...

        def _upload_many(self, files: list[tuple[Any, str]], progress: bool) -> Any: ...

        def _load_release(self, release: Any, **options: Any) -> Any: ...

else:

    class ClientPrimitives:
        pass
