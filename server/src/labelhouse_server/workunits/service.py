"""Recording workunits (inside the caller's transaction) and listing them with sort and time window."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access import SampleAccess
from ..db import Account, Workunit
from ..db.sql import Unit, run
from ..ids import new_uuid
from ..timeutil import now_iso

WT = Workunit.__table__
MAX_PER_PAGE = 1000


_INSERT = (
    "INSERT INTO workunits (uuid, dataset_id, sample_id, sample_uuid, sample_name, labelset, user_id, work_type, "
    "next_label_status, time, inactive_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)"
)


def record(session: Unit, sacc: SampleAccess, *, labelset: str, work_type: str, next_label_status: str | None,
           created_at: str | None = None) -> None:
    """Add one workunit row for the caller's work on ``sacc``'s sample; committed (or rolled back) together with
    the label change that caused it. Its uuid is time-ordered (``ids``): the PUTs of one write group share the
    uuid index's last page instead of dirtying one random page each."""
    run(session, _INSERT, (new_uuid(), sacc.dataset_id, sacc.sample_id, sacc.sample_uuid, sacc.sample_name,
                           labelset, sacc.user.id, work_type, next_label_status, created_at or now_iso()))


def parse_bound(value: str | None) -> str | None:
    """``start``/``end`` as sent by the SDK (``YYYY-MM-DDTHH:MM:SS``, any ISO form) -> our fixed-width text.
    Unparseable values are ignored."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def list_workunits(session: Session, dataset_id: int, *, page: int, per_page: int, descending: bool,
                   start: str | None, end: str | None, session_metrics: bool) -> list[dict[str, Any]]:
    q = (select(WT, Account.username).select_from(WT.outerjoin(Account, Account.id == WT.c.user_id))
         .where(WT.c.dataset_id == dataset_id))
    if start:
        q = q.where(WT.c.created_at >= start)
    if end:
        q = q.where(WT.c.created_at <= end)
    order = [WT.c.created_at.desc(), WT.c.id.desc()] if descending else [WT.c.created_at.asc(), WT.c.id.asc()]
    q = q.order_by(*order).offset((page - 1) * per_page).limit(per_page)
    out = []
    for r in session.execute(q):
        item: dict[str, Any] = {
            "uuid": r.uuid, "created_at": r.created_at, "created_by": r.username or "", "work_type": r.work_type,
            "time": r.time, "inactive_time": r.inactive_time, "sample_uuid": r.sample_uuid,
            "sample_name": r.sample_name, "labelset": r.labelset, "next_label_status": r.next_label_status,
            "label_rating": r.label_rating,
        }
        if session_metrics:
            item["session_time_metrics"] = {"time": r.time, "inactive_time": r.inactive_time}
        out.append(item)
    return out
