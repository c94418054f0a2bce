"""Picking and reserving the next sample of a queue.

Label queue, in this order: the user's own LABELING_IN_PROGRESS samples; REJECTED samples they labeled; samples
assigned to them that are still to label; unassigned UNLABELED/PRELABELED samples. Review queue: the user's own
REVIEWING_IN_PROGRESS samples, then LABELED samples assigned to them or to no reviewer. Within a bucket: higher
priority first, then name.

A sample handed out is reserved for ``RESERVATION_MINUTES``. The reservation is one conditional upsert
(``INSERT ... ON CONFLICT (sample_id, queue) DO UPDATE ... WHERE`` the old one expired or is the user's own), so two
users asking at the same moment can never both win the same sample, on SQLite and on PostgreSQL alike; the loser
moves on to the next candidate."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, cast

from sqlalchemy import CursorResult, text
from sqlalchemy.orm import Session

from ..datasets.permissions import DatasetAccess
from ..db.transaction import write_transaction
from ..errors import NotFound
from ..samples.service import find_labelset
from ..timeutil import now_iso

RESERVATION_MINUTES = 30
CANDIDATES = 25

_LABEL_BUCKET = """
CASE
  WHEN l.label_status = 'LABELING_IN_PROGRESS' AND l.updated_by_id = :me THEN 1
  WHEN l.label_status = 'REJECTED' AND l.created_by_id = :me THEN 2
  WHEN s.assigned_labeler_id = :me AND COALESCE(l.label_status, 'UNLABELED') IN ('UNLABELED', 'PRELABELED') THEN 3
  WHEN s.assigned_labeler_id IS NULL AND COALESCE(l.label_status, 'UNLABELED') IN ('UNLABELED', 'PRELABELED') THEN 4
END"""

_REVIEW_BUCKET = """
CASE
  WHEN l.label_status = 'REVIEWING_IN_PROGRESS' AND l.updated_by_id = :me THEN 1
  WHEN l.label_status = 'LABELED' AND s.assigned_reviewer_id = :me THEN 2
  WHEN l.label_status = 'LABELED' AND s.assigned_reviewer_id IS NULL THEN 3
END"""


def _candidates_sql(bucket: str, n_excluded: int) -> str:
    excluded = (" AND s.uuid NOT IN (" + ", ".join(f":x{i}" for i in range(n_excluded)) + ")") if n_excluded else ""
    return f"""
SELECT s.id, s.uuid, {bucket} AS bucket
FROM samples s
LEFT JOIN labels l ON l.sample_id = s.id AND l.labelset_id = :labelset
LEFT JOIN queue_reservations r ON r.sample_id = s.id AND r.queue = :queue
WHERE s.dataset_id = :dataset
  AND (r.sample_id IS NULL OR r.expires_at < :now OR r.account_id = :me)
  AND {bucket} IS NOT NULL{excluded}
ORDER BY bucket, s.priority DESC, s.name, s.id
LIMIT {CANDIDATES}"""


_RESERVE = """
INSERT INTO queue_reservations (sample_id, queue, account_id, expires_at) VALUES (:sample, :queue, :me, :until)
ON CONFLICT (sample_id, queue) DO UPDATE SET account_id = excluded.account_id, expires_at = excluded.expires_at
WHERE queue_reservations.expires_at < :now OR queue_reservations.account_id = :me"""


def next_sample(session: Session, acc: DatasetAccess, mode: str, labelset_name: str,
                exclude: list[str]) -> tuple[str | None, str | None]:
    """(sample uuid, reserved until) of the next sample for ``acc.user``, reserved; (None, None) when none."""
    acc.require("label" if mode == "label" else "review")
    labelset = find_labelset(session, acc.dataset.id, labelset_name)
    if labelset is None:
        raise NotFound(f"Labelset '{labelset_name}' not found.", field="labelset")
    now = now_iso()
    until = (datetime.now(timezone.utc) + timedelta(minutes=RESERVATION_MINUTES)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    me = acc.user.id
    params = {"me": me, "labelset": labelset.id, "dataset": acc.dataset.id, "now": now, "queue": mode,
              **{f"x{i}": u for i, u in enumerate(exclude)}}
    sql = text(_candidates_sql(_LABEL_BUCKET if mode == "label" else _REVIEW_BUCKET, len(exclude)))
    candidates = session.execute(sql, params).all()
    if not candidates:
        return None, None
    # The reservation is conditional (free, expired or already ours): a candidate taken since it was read is skipped.
    with write_transaction(session):
        for sample_id, sample_uuid, _bucket in candidates:
            params_ = {"sample": sample_id, "queue": mode, "me": me, "until": until, "now": now}
            won = cast(CursorResult[Any], session.execute(text(_RESERVE), params_))
            if won.rowcount == 1:
                # One reservation per user and dataset at a time: the samples they left go back to the queue.
                session.execute(text(
                    "DELETE FROM queue_reservations WHERE account_id = :me AND queue = :queue "
                    "AND sample_id <> :sample AND sample_id IN (SELECT id FROM samples WHERE dataset_id = :dataset)"),
                    {"me": me, "queue": mode, "sample": sample_id, "dataset": acc.dataset.id})
                return sample_uuid, until
    return None, None
