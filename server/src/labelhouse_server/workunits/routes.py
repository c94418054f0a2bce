"""Workunit routes (Segments API row 38). Reviewers and above may see who did what."""

from __future__ import annotations

from fastapi import Query, Request

from ..datasets.deps import DatasetReview
from ..deps import DB
from ..http import route
from ..limits import check_page
from ..routing import Routes
from . import service
from .schemas import WorkunitPublic

router = Routes(tags=["workunits"])


def _int(value: str | None, default: int, high: int | None = None) -> int:
    try:
        number = max(int(value or ""), 1)
    except ValueError:
        return default
    return min(number, high) if high else number


@route(router, "/datasets/{owner}/{dataset}/workunits/", ["GET"], model=list[WorkunitPublic],
       errors=(400, 401, 403, 404),
       summary="List workunits (who labeled what, when)")
def get_workunits(
    request: Request, acc: DatasetReview, session: DB,
    per_page: str | None = Query("1000", description="Page size, 1-1000"),
    page: str | None = Query("1", description="1-based page"),
    sort: str | None = Query("-created_at", description="created_at (oldest first) or -created_at (newest first)"),
    start: str | None = Query(None, description="Only workunits at or after this time (ISO 8601)"),
    end: str | None = Query(None, description="Only workunits at or before this time (ISO 8601)"),
    include_session_time_metrics: str | None = Query(None, description="true: add session_time_metrics"),
) -> list[dict]:
    return service.list_workunits(
        session, acc.dataset.id,
        page=check_page(_int(page, 1), request.app.state.settings), per_page=_int(per_page, service.MAX_PER_PAGE, service.MAX_PER_PAGE),
        descending=(sort or "-created_at").strip() != "created_at",
        start=service.parse_bound(start), end=service.parse_bound(end),
        session_metrics=(include_session_time_metrics or "").lower() in ("1", "true", "yes"),
    )
