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

from sqlalchemy.orm import Session

from ..datasets.permissions import DatasetAccess
from ..db.rows import QUEUE_CANDIDATE
from ..db.sql import in_list, run
from ..db.transaction import write_transaction
from ..errors import NotFound
from ..samples.service import find_labelset
from ..timeutil import now_iso

RESERVATION_MINUTES = 30
CANDIDATES = 25

# Every placeholder of a bucket is the caller's account id.
_LABEL_BUCKET = """
CASE
  WHEN l.label_status = 'LABELING_IN_PROGRESS' AND l.updated_by_id = ? THEN 1
  WHEN l.label_status = 'REJECTED' AND l.created_by_id = ? THEN 2
  WHEN s.assigned_labeler_id = ? AND COALESCE(l.label_status, 'UNLABELED') IN ('UNLABELED', 'PRELABELED') THEN 3
  WHEN s.assigned_labeler_id IS NULL AND COALESCE(l.label_status, 'UNLABELED') IN ('UNLABELED', 'PRELABELED') THEN 4
END"""

_REVIEW_BUCKET = """
CASE
  WHEN l.label_status = 'REVIEWING_IN_PROGRESS' AND l.updated_by_id = ? THEN 1
  WHEN l.label_status = 'LABELED' AND s.assigned_reviewer_id = ? THEN 2
  WHEN l.label_status = 'LABELED' AND s.assigned_reviewer_id IS NULL THEN 3
END"""


def _candidates_sql(bucket: str, n_excluded: int) -> str:
    """Parameters: the bucket's, labelset, queue, dataset, now, caller, the bucket's again, the excluded uuids."""
    excluded = f" AND s.uuid NOT IN ({in_list(n_excluded)})" if n_excluded else ""
    return f"""
SELECT {QUEUE_CANDIDATE.sql("s", bucket=f"{bucket} AS bucket")}
FROM samples s
LEFT JOIN labels l ON l.sample_id = s.id AND l.labelset_id = ?
LEFT JOIN queue_reservations r ON r.sample_id = s.id AND r.queue = ?
WHERE s.dataset_id = ?
  AND (r.sample_id IS NULL OR r.expires_at < ? OR r.account_id = ?)
  AND {bucket} IS NOT NULL{excluded}
ORDER BY bucket, s.priority DESC, s.name, s.id
LIMIT {CANDIDATES}"""


# Parameters: sample, queue, caller, until, now, caller.
_RESERVE = """
INSERT INTO queue_reservations (sample_id, queue, account_id, expires_at) VALUES (?, ?, ?, ?)
ON CONFLICT (sample_id, queue) DO UPDATE SET account_id = excluded.account_id, expires_at = excluded.expires_at
WHERE queue_reservations.expires_at < ? OR queue_reservations.account_id = ?"""
# One reservation per user and dataset at a time: the samples they left go back to the queue. Parameters: caller,
# queue, the sample just reserved, dataset.
_RELEASE_OTHERS = ("DELETE FROM queue_reservations WHERE account_id = ? AND queue = ? AND sample_id <> ? "
                   "AND sample_id IN (SELECT id FROM samples WHERE dataset_id = ?)")


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
    bucket = _LABEL_BUCKET if mode == "label" else _REVIEW_BUCKET
    in_bucket = (me,) * bucket.count("?")
    params = (*in_bucket, labelset.id, mode, acc.dataset.id, now, me, *in_bucket, *exclude)
    candidates = run(session, _candidates_sql(bucket, len(exclude)), params)
    if not candidates:
        return None, None
    # The reservation is conditional (free, expired or already ours): a candidate taken since it was read is skipped.
    with write_transaction(session):
        for candidate in map(QUEUE_CANDIDATE.make, candidates):
            if run(session, _RESERVE, (candidate.id, mode, me, until, now, me)).rowcount == 1:
                run(session, _RELEASE_OTHERS, (me, mode, candidate.id, acc.dataset.id))
                return candidate.uuid, until
    return None, None
