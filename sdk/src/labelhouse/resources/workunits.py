from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from .._base import Call, dataset_path
from ..exceptions import ValidationError
from ..models import Workunit
from ._common import ClientPrimitives, list_of


def workunits_call(dataset_identifier: str, sort: str, direction: str, start: str | None, end: str | None,
                   per_page: int, page: int, include_session_time_metrics: bool) -> Call[list[Workunit]]:
    if direction not in ("asc", "desc"):
        raise ValidationError("direction must be 'asc' or 'desc'.", field="direction")
    params = {"per_page": per_page, "page": page, "sort": sort if direction == "asc" else f"-{sort}",
              "start": start, "end": end, "include_session_time_metrics": include_session_time_metrics or None}
    return Call("GET", dataset_path(dataset_identifier, "workunits"), params=params, parse=list_of(Workunit))


class WorkunitsMixin(ClientPrimitives):
    def get_workunits(
        self,
        dataset_identifier: str,
        sort: Literal["created_at"] = "created_at",
        direction: Literal["asc", "desc"] = "desc",
        start: str | None = None,
        end: str | None = None,
        per_page: int = 1000,
        page: int = 1,
        include_session_time_metrics: bool = False,
    ) -> list[Workunit]:
        """One page of workunits (who labeled/reviewed what and for how long); ``start``/``end`` are
        ``YYYY-MM-DDTHH:MM:SS``.

        >>> total = sum(w.time for w in client.get_workunits("jane/flowers", start="2024-01-01T00:00:00"))
        """
        return self._call(workunits_call(dataset_identifier, sort, direction, start, end, per_page, page,
                                         include_session_time_metrics))

    def iter_workunits(
        self,
        dataset_identifier: str,
        sort: Literal["created_at"] = "created_at",
        direction: Literal["asc", "desc"] = "desc",
        start: str | None = None,
        end: str | None = None,
        per_page: int = 1000,
        include_session_time_metrics: bool = False,
        limit: int | None = None,
    ) -> Iterator[Workunit]:
        """Every workunit in the range, page after page.

        >>> for w in client.iter_workunits("jane/flowers"): print(w.created_by, w.time)
        """
        workunits_call(dataset_identifier, sort, direction, start, end, per_page, 1, include_session_time_metrics)
        return self._iterate(lambda page, size: workunits_call(dataset_identifier, sort, direction, start, end,
                                                               size, page, include_session_time_metrics),
                             per_page, 1, limit)
