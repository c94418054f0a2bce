"""Listing pages rendered as JSON by SQLite (the embedded default): the page's samples, their usernames and their
label summaries, turned into the response's bytes by the database instead of Python objects.

``samples.query.list_samples`` shapes rows in Python (``schemas.sample_public``, ``labels.schemas.label_summary``)
and dumps them with orjson. For a page of 1,000 that is 1,000 driver tuples of 24 columns, a dict per sample and per
label, a username lookup, then orjson: ~10x the cost of reading the same rows (bench/RESULTS.md, issue 16). Here
one statement writes each sample's JSON text: strings quoted by ``json_quote``, the stored JSON documents
(``attributes``, ``metadata``, ``embedding``) spliced in as stored (what ``orjson.Fragment`` does on the Python
path), usernames joined. The only values left to Python are the floats (``priority``, the label's ``score``):
SQLite writes a REAL with 15 significant digits (``0.30000000000000004`` would become ``0.3``), so they come back
as numbers and orjson writes them exactly as the Python path does (all of a page's in one call). Each row is three
byte strings around them.

Same keys in the same order, same values, same types as the Python path (``tests/server/samples/
test_listing_rendered.py`` compares both on awkward values). Full labels (``include_full_label``) and PostgreSQL
keep the Python path.
"""

from __future__ import annotations

from itertools import chain

import orjson

from ..db.sql import Reader, run


def _quoted(column: str) -> str:
    """A text column as a JSON string (``null`` when NULL)."""
    return f"json_quote({column})"


def _username(alias: str) -> str:
    return f"json_quote({alias}.username)"


# One row per sample, in the order of the ids given (a JSON array walked by json_each, as ``query._page_rows``):
# head (up to ``"priority":``), priority, middle (up to the label's ``"score":``, or the end of the sample when
# no labelset is shown), and with a labelset score and tail (the rest). Every head starts with ``,``.
_SAMPLE_HEAD = (
    "',{\"uuid\":' || json_quote(s.uuid) || ',\"name\":' || json_quote(s.name)"
    " || ',\"attributes\":' || coalesce(s.attributes, 'null')"
    " || ',\"metadata\":' || CASE WHEN s.metadata IS NULL OR s.metadata = '' THEN '{}' ELSE s.metadata END"
    " || ',\"data_type\":' || ?"
    f" || ',\"created_at\":' || {_quoted('s.created_at')}"
    " || ',\"created_by\":' || json_quote(coalesce(cb.username, ''))"
    f" || ',\"updated_at\":' || {_quoted('s.updated_at')}"
    " || ',\"priority\":'"
)
_SAMPLE_MIDDLE = (
    f"',\"assigned_labeler\":' || {_username('al')} || ',\"assigned_reviewer\":' || {_username('ar')}"
    " || ',\"readme\":' || json_quote(coalesce(s.readme, '')) || ',\"dataset_full_name\":' || ?"
    " || CASE WHEN s.embedding IS NULL THEN '' ELSE ',\"embedding\":' || s.embedding END"
)
_SAMPLE_JOINS = (
    "FROM json_each(?) j JOIN samples s ON s.id = j.value "
    "LEFT JOIN accounts cb ON cb.id = s.created_by_id "
    "LEFT JOIN accounts al ON al.id = s.assigned_labeler_id "
    "LEFT JOIN accounts ar ON ar.id = s.assigned_reviewer_id "
)
# Without a labelset: no "label" key.
_PAGE = (f"SELECT CAST({_SAMPLE_HEAD} AS BLOB), s.priority, CAST({_SAMPLE_MIDDLE} || '}}' AS BLOB) "
         f"{_SAMPLE_JOINS}ORDER BY j.key")
# With a labelset: "label" is its summary (``labels.schemas.label_summary``) or null. Without a label the middle
# ends with ``"label":``, the score column is NULL (written ``null``) and the tail closes the sample.
_PAGE_SUMMARIES = (
    f"SELECT CAST({_SAMPLE_HEAD} AS BLOB), s.priority, CAST({_SAMPLE_MIDDLE} || CASE WHEN l.id IS NULL "
    "THEN ',\"label\":' ELSE ',\"label\":{\"label_status\":' || json_quote(l.label_status) || ',\"score\":' "
    "END AS BLOB), l.score, CASE WHEN l.id IS NULL THEN CAST('}' AS BLOB) ELSE CAST("
    f"',\"updated_at\":' || {_quoted('l.updated_at')} || ',\"created_by\":' || {_username('lc')}"
    f" || ',\"reviewed_by\":' || {_username('lr')} || '}}}}' AS BLOB) END "
    f"{_SAMPLE_JOINS}"
    "LEFT JOIN labels l ON l.sample_id = s.id AND l.labelset_id = ? "
    "LEFT JOIN accounts lc ON lc.id = l.created_by_id "
    "LEFT JOIN accounts lr ON lr.id = l.reviewed_by_id "
    "ORDER BY j.key"
)


def page_json(session: Reader, ids: list[int], labelset_id: int | None, dataset_full_name: str,
              data_type: str) -> bytes:
    """The JSON array of the samples ``ids`` (in that order), each with its label summary in ``labelset_id``
    when given: the bytes ``orjson.dumps`` writes of ``list_samples``'s Python shaping, up to number formatting
    of equal values (SQLite only)."""
    if not ids:
        return b"[]"
    data_type_json = orjson.dumps(data_type).decode()
    full_name_json = orjson.dumps(dataset_full_name).decode()
    id_list = "[" + ",".join(map(str, ids)) + "]"
    if labelset_id is None:
        rows = run(session, _PAGE, (data_type_json, full_name_json, id_list))
    else:
        rows = run(session, _PAGE_SUMMARIES, (data_type_json, full_name_json, id_list, labelset_id))
    if not rows:  # the samples were deleted between the two queries
        return b"[]"
    # The rows' parts in one flat list (no transposition), each float column replaced by the bytes orjson writes
    # for its values: the whole column in one orjson call, split at its commas (a number never contains one); two
    # calls a row cost ~1/4 of a page. One ``join`` of the parts, brackets included: joining first and bracketing
    # after (``b"[" + body[1:] + b"]"``) copied the ~570 KB page twice more, ~1 ms of a page (issue 16, session 8).
    width = len(rows[0])
    parts = list(chain.from_iterable(rows))
    parts[1::width] = orjson.dumps(parts[1::width])[1:-1].split(b",")
    if labelset_id is not None:
        parts[3::width] = orjson.dumps(parts[3::width])[1:-1].split(b",")
    parts[0] = b"[" + parts[0][1:]  # without the first sample's leading comma
    parts.append(b"]")
    return b"".join(parts)


__all__ = ["page_json"]
