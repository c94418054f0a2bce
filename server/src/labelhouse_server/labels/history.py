"""Label history: the one revision writer, and reading a label's revisions.

Every code path that creates, changes or deletes a label — the Segments routes (including the fast lane, whose
PUT runs ``labels.service.put_label``), restores, and any future writer such as the web app or a Labelbox import —
calls ``record_revision`` inside the transaction that changes the label, after the label row is written:

    record_revision(session, dataset_id=..., sample_id=..., labelset_id=..., action="updated",
                    label_status="LABELED", attributes=<the label's attributes JSON text>, score=None,
                    user_id=<account id>, created_at=now_iso())

Revision numbers run 1..n per (sample, labelset) without gaps: the next number is computed inside the INSERT, and
writers of one label are serialised by the label row itself (SQLite: one writer at a time; PostgreSQL: the label
upsert/update/delete locks the row until commit, so the next writer's INSERT sees the committed revision). A
writer that does not touch the label row first must lock it (``SELECT ... FOR UPDATE``) before calling this.

Storage: attribute documents go to ``label_contents`` once per dataset and content (blake2b-128 of the stored
text); a revision row is ~60 bytes plus its indexes. A status change or an identical rewrite adds no document.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy.orm import Session

from ..db.sql import Unit, run, run_many
from ..errors import Invalid, NotFound

ACTIONS = ("created", "updated", "deleted", "restored")
MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 100

_CONTENT = "INSERT INTO label_contents (dataset_id, hash, attributes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
_REVISION = (
    "INSERT INTO label_revisions (sample_id, labelset_id, dataset_id, revision, action, label_status, "
    "attributes_hash, score, created_by_id, created_at) "
    "SELECT ?, ?, ?, COALESCE(MAX(revision), 0) + 1, ?, ?, ?, ?, ?, ? FROM label_revisions "
    "WHERE sample_id = ? AND labelset_id = ? RETURNING revision"
)
# PostgreSQL: both in one statement (one round trip). The CTE's insert is not visible to the outer statement,
# which does not need it: the revision refers to the document by hash.
_BOTH_PG = f"WITH c AS ({_CONTENT}) {_REVISION}"


def content_hash(attributes: str) -> bytes:
    """The key of an attributes document in ``label_contents``."""
    return hashlib.blake2b(attributes.encode(), digest_size=16).digest()


def record_revision(session: Unit, *, dataset_id: int, sample_id: int, labelset_id: int, action: str,
                    label_status: str | None, attributes: str | None, score: float | None, user_id: int | None,
                    created_at: str) -> int:
    """Append the next revision of the label (``sample_id``, ``labelset_id``) in the session's transaction;
    returns its number. ``attributes`` is the label's stored JSON text (None, with ``label_status`` None, for a
    deletion)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown label revision action {action!r}")
    digest = None if attributes is None else content_hash(attributes)
    revision_params = (sample_id, labelset_id, dataset_id, action, label_status, digest, score, user_id, created_at,
                       sample_id, labelset_id)
    if digest is None:
        return run(session, _REVISION, revision_params).scalar()
    if session.connection().dialect.name == "postgresql":
        return run(session, _BOTH_PG, (dataset_id, digest, attributes, *revision_params)).scalar()
    run(session, _CONTENT, (dataset_id, digest, attributes))
    return run(session, _REVISION, revision_params).scalar()


def record_created(session: Session, dataset_id: int, labels: list[tuple[int, int, str, str | None, float | None,
                                                                         int | None, str]]) -> None:
    """Revision 1 ("created") of many labels that have no history yet — labels created in bulk, e.g. by a dataset
    clone: ``(sample_id, labelset_id, label_status, attributes text, score, user_id, created_at)`` each."""
    if not labels:
        return
    contents = {}
    revisions = []
    for sample_id, labelset_id, status, attributes, score, user_id, created_at in labels:
        text = attributes if attributes is not None else "null"
        digest = content_hash(text)
        contents[digest] = text
        revisions.append((sample_id, labelset_id, dataset_id, 1, "created", status, digest, score, user_id,
                          created_at))
    run_many(session, _CONTENT, [(dataset_id, d, t) for d, t in contents.items()])
    run_many(session, _BULK_REVISION, revisions)


_BULK_REVISION = (
    "INSERT INTO label_revisions (sample_id, labelset_id, dataset_id, revision, action, label_status, "
    "attributes_hash, score, created_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


# ---------------------------------------------------------------------------------------------------- reading
_LABELSET_ID = "SELECT id FROM labelsets WHERE dataset_id = ? AND name = ?"
_PAGE = (
    "SELECT r.revision, r.action, r.label_status, c.attributes, r.score, r.created_at, a.username "
    "FROM label_revisions r "
    "LEFT JOIN label_contents c ON c.dataset_id = r.dataset_id AND c.hash = r.attributes_hash "
    "LEFT JOIN accounts a ON a.id = r.created_by_id "
    "WHERE r.sample_id = ? AND r.labelset_id = ? ORDER BY r.revision DESC LIMIT ? OFFSET ?"
)
_ONE = (
    "SELECT r.action, r.label_status, c.attributes, r.score FROM label_revisions r "
    "LEFT JOIN label_contents c ON c.dataset_id = r.dataset_id AND c.hash = r.attributes_hash "
    "WHERE r.sample_id = ? AND r.labelset_id = ? AND r.revision = ?"
)
_ANY = "SELECT 1 FROM label_revisions WHERE sample_id = ? AND labelset_id = ? LIMIT 1"
LABEL_NOT_FOUND = "Label not found: this sample is unlabeled in this labelset."


def labelset_id(session: Session, dataset_id: int, name: str) -> int:
    found = run(session, _LABELSET_ID, (dataset_id, name)).scalar()
    if found is None:
        raise NotFound(f"Labelset not found: {name}.")
    return int(found)


def _positive(value: str | None, name: str, default: int, maximum: int | None = None) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1 or (maximum is not None and number > maximum):
        bound = f" and at most {maximum}" if maximum is not None else ""
        raise Invalid(f"{name}: a whole number of at least 1{bound} is required.", field=name)
    return number


def parse_page(page: str | None, per_page: str | None) -> tuple[int, int]:
    return (_positive(page, "page", 1),
            _positive(per_page, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE))


def history_page(session: Session, *, dataset_id: int, sample_id: int, labelset: str, page: int,
                 per_page: int) -> list[dict[str, Any]]:
    """One page of the label's revisions, newest first. 404 (like a missing label) when it has none."""
    ls_id = labelset_id(session, dataset_id, labelset)
    rows = run(session, _PAGE, (sample_id, ls_id, per_page, (page - 1) * per_page))
    if not rows and run(session, _ANY, (sample_id, ls_id)).first() is None:
        raise NotFound(LABEL_NOT_FOUND)
    return [{
        "revision": revision, "action": action, "label_status": status,
        "attributes": orjson.Fragment(attributes) if attributes is not None else None,
        "score": score, "created_at": created_at, "created_by": username or "",
    } for revision, action, status, attributes, score, created_at, username in rows]


def revision(session: Session, sample_id: int, ls_id: int, number: int) -> tuple[str, str | None, str | None,
                                                                                float | None]:
    """(action, label_status, attributes text, score) of one revision; 404 when there is no such revision."""
    row = run(session, _ONE, (sample_id, ls_id, number)).first()
    if row is None:
        raise NotFound(f"Revision not found: this label has no revision {number}.")
    return row
