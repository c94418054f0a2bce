"""Release diffs: what changed between two releases of a dataset.

A release file is the snapshot, but parsing two 1,000,000-sample files to compare them costs far more than the
10 s budget (hundreds of MB of JSON each). So the build job also writes a compact digest per sample and per
label (``release_sample_digests``, ``release_label_digests``: 16-byte blake2b of the canonical JSON, sorted keys)
before the release turns SUCCEEDED, and a diff is a comparison of two releases' digests in the database: joins on
the primary keys ``(release_id, sample_id[, labelset])``, so memory stays bounded whatever the release size.

What counts as a change (issue 15): a sample changed when its name, attributes or metadata differ (priority is
not in a release); a label changed when its status, attributes or score differ. An identical rewrite of a label
(same document, even with keys in another order) is not a change. Samples are the same sample when they have the
same id: a sample deleted and added again under its old name is removed + added.

A changed label's annotation ids come from the two attribute documents, kept in ``label_contents`` (shared with
label history, one copy per dataset and content).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy.orm import Session, sessionmaker

from ..datasets.permissions import DatasetAccess
from ..db.rows import RELEASE_CHANGE, RELEASE_LABEL, RELEASE_SAMPLE
from ..db.sql import run
from ..errors import Conflict, Invalid
from .service import get_release

BATCH = 5000
MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 1000
_SORTED = orjson.OPT_SORT_KEYS


def _digest(document: Any) -> bytes:
    return hashlib.blake2b(orjson.dumps(document, option=_SORTED), digest_size=16).digest()


def _doc(text: str | None, default: Any = None) -> Any:
    return default if text is None else orjson.loads(text)


def sample_digest(name: str, attributes: str | None, metadata: str | None) -> bytes:
    return _digest([name, _doc(attributes), _doc(metadata, {})])


def label_digest(status: str, score: float | None, attributes: str | None) -> bytes:
    return _digest([status, score, _doc(attributes)])


# --------------------------------------------------------------------------------------------- writing digests
# SQLite: a batch in one statement per table instead of one ``executemany`` row per sample or label (binding and
# stepping each row from Python cost ~2x the inserts themselves). The batch's rows are a JSON array walked by
# ``json_each`` (samples: ``[id, uuid, name]`` each; labels: their sample ids; documents: their text); the digests
# (16 bytes each, in the same order) one blob, cut by ``substr`` at the element's index (``j.key``). Nothing is
# read from the snapshot (it may be a file of its own: ``snapshot``).
_IN_BATCH = "json_each(?) j"
_DIGEST_AT = "substr(?, 16 * j.key + 1, 16)"
_PUT_SAMPLES_SQLITE = (
    "INSERT INTO release_sample_digests (release_id, sample_id, uuid, name, digest) "
    f"SELECT ?, j.value ->> 0, j.value ->> 1, j.value ->> 2, {_DIGEST_AT} FROM {_IN_BATCH}")
# One labelset at a time (its name is the row's ``labelset``): parameters release, name, digests, hashes, ids.
_PUT_LABELS_SQLITE = (
    "INSERT INTO release_label_digests (release_id, sample_id, labelset, digest, attributes_hash) "
    f"SELECT ?, j.value, ?, {_DIGEST_AT}, {_DIGEST_AT} FROM {_IN_BATCH}")
# The same labels' documents (``history.content_hash``: the key is blake2b of the stored text, 'null' for none);
# ``WHERE true``: SQLite's parser needs it before an upsert clause on INSERT ... SELECT.
_PUT_CONTENTS_SQLITE = (
    f"INSERT INTO label_contents (dataset_id, hash, attributes) SELECT ?, {_DIGEST_AT}, j.value FROM {_IN_BATCH} "
    "WHERE true ON CONFLICT DO NOTHING")

# PostgreSQL: a batch in one statement per table as well, its columns sent as arrays (binary parameters) and
# unnested, instead of ``executemany`` (one pipelined INSERT per sample and per label: at 100,000 samples the
# server's build spent a third of its time in the driver's pipeline and the database most of its build time
# parsing, binding and executing 2,000 single-row INSERTs per batch; bench/RESULTS.md, issue 16 session 8).
_PUT_SAMPLES_PG = (
    "INSERT INTO release_sample_digests (release_id, sample_id, uuid, name, digest) "
    "SELECT ?::integer, * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bytea[])")
_PUT_LABELS_PG = (
    "INSERT INTO release_label_digests (release_id, sample_id, labelset, digest, attributes_hash) "
    "SELECT ?::integer, u.sample_id, ?::text, u.digest, u.hash "
    "FROM unnest(?::bigint[], ?::bytea[], ?::bytea[]) AS u(sample_id, digest, hash)")
_PUT_CONTENTS_PG = (
    "INSERT INTO label_contents (dataset_id, hash, attributes) SELECT ?::integer, * "
    "FROM unnest(?::bytea[], ?::text[]) ON CONFLICT DO NOTHING")

_sample_fields = RELEASE_SAMPLE.getter("sample_id", "name", "attributes", "metadata")
_sample_keys = RELEASE_SAMPLE.getter("sample_id", "uuid", "name")
_label_fields = RELEASE_LABEL.getter("sample_id", "labelset_id", "label_status", "score", "attributes")


class _LabelsetBatch:
    """A batch's labels in one labelset: sample ids, digests and attribute keys in the same order; documents."""

    __slots__ = ("contents", "digests", "ids", "keys")

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.digests: list[bytes] = []
        self.keys: list[bytes] = []
        self.contents: dict[bytes, str] = {}


def clear_digests(session: Session, release_id: int) -> None:
    for table in ("release_label_digests", "release_sample_digests"):
        run(session, f"DELETE FROM {table} WHERE release_id = ?", (release_id,))


class DigestRecorder:
    """Digests of a release's snapshot, recorded batch by batch as the build reads it (one pass over the snapshot
    for the file and the digests), each batch in its own short write transaction, before the release turns
    SUCCEEDED. Rows of an earlier attempt are cleared first. The digests are computed before the write
    transaction begins (it holds SQLite's write lock only for the inserts).

    ``add(samples, labels)`` takes the build's rows as read: ``db.rows.RELEASE_SAMPLE`` and ``RELEASE_LABEL``."""

    def __init__(self, sessions: sessionmaker[Session], release_id: int, dataset_id: int,
                 labelsets: list[dict[str, Any]]) -> None:
        self.sessions = sessions
        self.release_id = release_id
        self.dataset_id = dataset_id
        self.names = {ls["id"]: ls["name"] for ls in labelsets}
        with sessions() as session:
            self.sqlite = session.get_bind().dialect.name == "sqlite"
            clear_digests(session, release_id)
            session.commit()

    def add(self, samples: list[tuple[Any, ...]], labels: list[tuple[Any, ...]]) -> None:
        # sample_digest and label_digest inlined (same bytes): this runs for every sample and label of a release,
        # so the loops are comprehensions over the rows unpacked by name (``_sample_fields``, ``_label_fields``).
        loads, dumps, blake2b, sort = orjson.loads, orjson.dumps, hashlib.blake2b, _SORTED
        names = self.names
        sample_digests = [blake2b(dumps([name, None if attrs is None else loads(attrs),
                                         {} if meta is None else loads(meta)], option=sort), digest_size=16).digest()
                          for _, name, attrs, meta in map(_sample_fields, samples)]
        by_labelset: dict[int, _LabelsetBatch] = {}
        batch = None
        batch_lsid = None
        for sid, lsid, status, score, attrs in map(_label_fields, labels):
            if lsid != batch_lsid:
                if lsid not in names:
                    continue  # a labelset created after the snapshot (not in the release file either)
                batch = by_labelset.get(lsid) or by_labelset.setdefault(lsid, _LabelsetBatch())
                batch_lsid = lsid
            assert batch is not None
            if attrs is None:
                text, doc = "null", None
            else:
                text, doc = attrs, loads(attrs)
            key = blake2b(text.encode(), digest_size=16).digest()  # history.content_hash
            batch.ids.append(sid)
            batch.digests.append(blake2b(dumps([status, score, doc], option=sort), digest_size=16).digest())
            batch.keys.append(key)
            batch.contents[key] = text
        with self.sessions() as session:
            if self.sqlite:
                self._write_sqlite(session, samples, sample_digests, by_labelset)
            else:
                self._write_pg(session, samples, sample_digests, by_labelset)
            session.commit()

    def _write_sqlite(self, session: Session, samples: list[tuple[Any, ...]], sample_digests: list[bytes],
                      by_labelset: dict[int, _LabelsetBatch]) -> None:
        rid = self.release_id
        if samples:
            run(session, _PUT_SAMPLES_SQLITE, (rid, b"".join(sample_digests), orjson.dumps(list(map(_sample_keys,
                                                                                                     samples)))))
        for lsid, batch in by_labelset.items():
            run(session, _PUT_LABELS_SQLITE, (rid, self.names[lsid], b"".join(batch.digests), b"".join(batch.keys),
                                              orjson.dumps(batch.ids)))
            run(session, _PUT_CONTENTS_SQLITE, (self.dataset_id, b"".join(batch.contents),
                                                orjson.dumps(list(batch.contents.values()))))

    def _write_pg(self, session: Session, samples: list[tuple[Any, ...]], sample_digests: list[bytes],
                  by_labelset: dict[int, _LabelsetBatch]) -> None:
        rid = self.release_id
        if samples:
            ids, uuids, names = (list(column) for column in zip(*map(_sample_keys, samples)))
            run(session, _PUT_SAMPLES_PG, (rid, ids, uuids, names, sample_digests), binary=True)
        for lsid, batch in by_labelset.items():
            run(session, _PUT_LABELS_PG, (rid, self.names[lsid], batch.ids, batch.digests, batch.keys), binary=True)
            run(session, _PUT_CONTENTS_PG, (self.dataset_id, list(batch.contents), list(batch.contents.values())),
                binary=True)


# ------------------------------------------------------------------------------------------------------ diffing
_HAS_DIGESTS = "SELECT 1 FROM release_sample_digests WHERE release_id = ? LIMIT 1"
_COUNT = "SELECT count(*) FROM {t} WHERE release_id = ?"
_MATCHED = ("SELECT count(*), COALESCE(sum(CASE WHEN a.digest <> b.digest THEN 1 ELSE 0 END), 0) FROM {t} a "
            "JOIN {t} b ON b.release_id = ? AND b.sample_id = a.sample_id{label_key} WHERE a.release_id = ?")
_SAMPLES, _LABELS = "release_sample_digests", "release_label_digests"
_LABEL_KEY = " AND b.labelset = a.labelset"


def _diffable(session: Session, acc: DatasetAccess, name: str) -> tuple[int, Any]:
    release = get_release(session, acc, name)
    if release.status != "SUCCEEDED":
        raise Conflict(f"Release '{name}' is {release.status}; only SUCCEEDED releases can be compared.",
                       field="release", status=release.status)
    if release.samples_count and run(session, _HAS_DIGESTS, (release.id,)).first() is None:
        raise Conflict(f"Release '{name}' was built before release diffs existed; create a new release to "
                       "compare it.", field="release", status=release.status)
    return release.id, release


def _counts(session: Session, table: str, a: int, b: int) -> dict[str, int]:
    count_a = run(session, _COUNT.format(t=table), (a,)).scalar()
    count_b = run(session, _COUNT.format(t=table), (b,)).scalar()
    key = _LABEL_KEY if table == _LABELS else ""
    matched, changed = run(session, _MATCHED.format(t=table, label_key=key), (b, a)).first()
    return {"added": count_b - matched, "removed": count_a - matched, "changed": int(changed)}


def diff_summary(session: Session, acc: DatasetAccess, from_name: str, to_name: str) -> dict[str, Any]:
    # A GET: the request session reads already (deps.request_session), one read transaction per request.
    a, _ = _diffable(session, acc, from_name)
    b, _ = _diffable(session, acc, to_name)
    return {"from": from_name, "to": to_name, "samples": _counts(session, _SAMPLES, a, b),
            "labels": _counts(session, _LABELS, a, b)}


# Every change (``RELEASE_CHANGE``: name, uuid, labelset or '', kind, change, from/to attributes keys), by sample
# name, then labelset ('' — the sample itself — first). Labels take their sample's name and uuid from the release
# that has them (the newer one when both do). The first branch has the attribute keys, so that their column type
# is bytea on PostgreSQL (a NULL there would make it text). Each branch: the release (``a``: from, ``b``: to) each
# of its placeholders takes, in order, and its SQL.
_LABEL_KEYS = {"from_key": "la.attributes_hash", "to_key": "lb.attributes_hash"}
_NO_KEYS = {"from_key": "NULL", "to_key": "NULL"}
_SAMPLE, _LABEL = {"labelset": "''", "kind": "'sample'", **_NO_KEYS}, {"kind": "'label'"}
_LABEL_CHANGED = RELEASE_CHANGE.sql("s", labelset="lb.labelset", change="'changed'", **_LABEL, **_LABEL_KEYS)
_SAMPLE_CHANGED = RELEASE_CHANGE.sql("b", change="'changed'", **_SAMPLE)
_SAMPLE_ADDED = RELEASE_CHANGE.sql("b", change="'added'", **_SAMPLE)
_SAMPLE_REMOVED = RELEASE_CHANGE.sql("a", change="'removed'", **_SAMPLE)
_LABEL_ADDED = RELEASE_CHANGE.sql("s", labelset="lb.labelset", change="'added'", **_LABEL, **_NO_KEYS)
_LABEL_REMOVED = RELEASE_CHANGE.sql("s", labelset="la.labelset", change="'removed'", **_LABEL, **_NO_KEYS)
_CHANGE_BRANCHES = [
    ("bba", (f"SELECT {_LABEL_CHANGED} FROM {_LABELS} la "
             f"JOIN {_LABELS} lb ON lb.release_id = ? AND lb.sample_id = la.sample_id AND lb.labelset = la.labelset "
             f"JOIN {_SAMPLES} s ON s.release_id = ? AND s.sample_id = lb.sample_id "
             "WHERE la.release_id = ? AND la.digest <> lb.digest")),
    ("ba", (f"SELECT {_SAMPLE_CHANGED} FROM {_SAMPLES} a "
            f"JOIN {_SAMPLES} b ON b.release_id = ? AND b.sample_id = a.sample_id "
            "WHERE a.release_id = ? AND a.digest <> b.digest")),
    ("ba", (f"SELECT {_SAMPLE_ADDED} FROM {_SAMPLES} b WHERE b.release_id = ? AND NOT EXISTS "
            f"(SELECT 1 FROM {_SAMPLES} a WHERE a.release_id = ? AND a.sample_id = b.sample_id)")),
    ("ab", (f"SELECT {_SAMPLE_REMOVED} FROM {_SAMPLES} a WHERE a.release_id = ? AND NOT EXISTS "
            f"(SELECT 1 FROM {_SAMPLES} b WHERE b.release_id = ? AND b.sample_id = a.sample_id)")),
    ("bba", (f"SELECT {_LABEL_ADDED} FROM {_LABELS} lb "
             f"JOIN {_SAMPLES} s ON s.release_id = ? AND s.sample_id = lb.sample_id "
             f"WHERE lb.release_id = ? AND NOT EXISTS (SELECT 1 FROM {_LABELS} la WHERE la.release_id = ? "
             "AND la.sample_id = lb.sample_id AND la.labelset = lb.labelset)")),
    ("aab", (f"SELECT {_LABEL_REMOVED} FROM {_LABELS} la "
             f"JOIN {_SAMPLES} s ON s.release_id = ? AND s.sample_id = la.sample_id "
             f"WHERE la.release_id = ? AND NOT EXISTS (SELECT 1 FROM {_LABELS} lb WHERE lb.release_id = ? "
             "AND lb.sample_id = la.sample_id AND lb.labelset = la.labelset)")),
]
_CHANGES = " UNION ALL ".join(sql for _, sql in _CHANGE_BRANCHES) + " ORDER BY 1, 2, 3 LIMIT ? OFFSET ?"
_CHANGES_RELEASES = "".join(releases for releases, _ in _CHANGE_BRANCHES)
_CONTENT = "SELECT attributes FROM label_contents WHERE dataset_id = ? AND hash = ?"


def _page_params(value: str | None, name: str, default: int, maximum: int | None) -> int:
    if value is None or value == "":
        return default
    number = int(value) if value.isdigit() else 0
    if number < 1 or (maximum is not None and number > maximum):
        bound = f" and at most {maximum}" if maximum is not None else ""
        raise Invalid(f"{name}: a whole number of at least 1{bound} is required.", field=name)
    return number


def parse_page(page: str | None, per_page: str | None) -> tuple[int, int]:
    return _page_params(page, "page", 1, None), _page_params(per_page, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)


def _annotations_by_id(document: Any) -> dict[Any, list[Any]]:
    """Annotations by id, from ``annotations`` and, for sequences, every frame's ``annotations``."""
    out: dict[Any, list[Any]] = {}
    if not isinstance(document, dict):
        return out
    lists: list[Iterable[Any]] = [document.get("annotations") or []]
    lists.extend((frame or {}).get("annotations") or [] for frame in document.get("frames") or []
                 if isinstance(frame, dict))
    for group in lists:
        for annotation in group:
            if isinstance(annotation, dict):
                out.setdefault(annotation.get("id"), []).append(annotation)
    return out


def annotation_changes(before: Any, after: Any) -> dict[str, list[Any]]:
    old, new = _annotations_by_id(before), _annotations_by_id(after)
    return {"added": [i for i in new if i not in old], "removed": [i for i in old if i not in new],
            "changed": [i for i in new if i in old and _digest(old[i]) != _digest(new[i])]}


def _document(session: Session, dataset_id: int, key: bytes) -> Any:
    attributes = run(session, _CONTENT, (dataset_id, key)).scalar()
    return None if attributes is None else orjson.loads(attributes)


def diff_changes(session: Session, acc: DatasetAccess, from_name: str, to_name: str, page: int,
                 per_page: int) -> list[dict[str, Any]]:
    # A GET: the request session reads already (deps.request_session), one read transaction per request.
    a, _ = _diffable(session, acc, from_name)
    b, _ = _diffable(session, acc, to_name)
    releases = {"a": a, "b": b}
    rows = run(session, _CHANGES, (*(releases[r] for r in _CHANGES_RELEASES), per_page, (page - 1) * per_page))
    dataset_id = acc.dataset.id
    out = []
    for change in map(RELEASE_CHANGE.make, rows):
        item: dict[str, Any] = {"kind": change.kind, "change": change.change, "sample_uuid": change.uuid}
        if change.kind == "label":
            item["labelset"] = change.labelset
            if change.change == "changed":
                item["annotations"] = annotation_changes(_document(session, dataset_id, change.from_key),
                                                         _document(session, dataset_id, change.to_key))
        out.append(item)
    return out
