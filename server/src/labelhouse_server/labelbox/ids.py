"""Labelbox-style public ids for our integer primary keys.

The SDK expects 25-character cuid-like ids: ``c`` + 24 lowercase alphanumerics (metadata schema ids are checked
by pydantic; others are pasted unescaped into document text, so they must never contain quotes or backslashes).
Ours are ``c`` + one kind letter + 23 base-36 digits of ``(pk * MULT + offset) mod 36**23`` — a bijection, so an
id decodes back to its table and primary key with no lookup table and no extra column on hot tables
(``samples``). The multiplication and the per-kind offset only spread keys over the id space so ids do not look
ordered or alike across kinds; ids are not secrets (every read is checked against the caller's organization).

Kind letters are registered here, one per table, so two kinds never share a letter.
"""

from __future__ import annotations

import hashlib

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_DIGITS = 23
_MOD = 36**_DIGITS
_MULT = 0x18A65DCAB790ECFC6A80605CEDC835  # coprime with 36
_INVERSE = pow(_MULT, -1, _MOD)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}

KINDS = {
    "dataset": "d",
    "data_row": "r",
    "user": "u",
    "organization": "o",
    "task": "t",
    "metadata_schema": "m",
    "metadata_option": "n",
    "attachment": "a",
    # helper lbxproj (ontologies, projects, batches) and later work register theirs here:
    "project": "p",
    "batch": "b",
    "ontology": "g",
    "feature_schema": "f",
    "schema_node": "s",
    "task_queue": "q",
    "label": "l",
    "model": "x",
    "model_run": "y",
    "embedding": "e",
    "model_run_data_row": "w",
    "model_config": "k",
    "project_model_config": "j",
    "catalog_slice": "z",
    "model_run_import": "v",
    "annotation_import": "i",
}
assert len(set(KINDS.values())) == len(KINDS)
# Per-kind offsets, so row 1 of two tables does not share its last 23 characters.
_OFFSET = {k: int.from_bytes(hashlib.sha256(k.encode()).digest(), "big") % _MOD for k in KINDS}


# Three base-36 digits at a time (exports encode several ids per row: this is on their hot path). The number
# (< 36**23) is first split into two halves below 36**12 (< 2**63), so the other divisions are on small ints.
# The 46,656 strings (2.7 MiB) are made by the first id encoded, not at import: a server that never answers the
# Labelbox API does not keep them (issue 16, idle memory). Two threads may both make the list; either is kept.
_TRIPLES: list[str] = []
_T1 = 46656  # 36**3
_T2 = _T1 * _T1


def _triples() -> list[str]:
    global _TRIPLES
    if not _TRIPLES:
        _TRIPLES = [a + b + c for a in ALPHABET for b in ALPHABET for c in ALPHABET]
    return _TRIPLES


def _render(kind: str, n: int) -> str:
    hi, lo = divmod(n, _T2 * _T2)
    h1, h0 = divmod(hi, _T2)
    l1, l0 = divmod(lo, _T2)
    t = _TRIPLES or _triples()
    digits = (t[h1 // _T1] + t[h1 % _T1] + t[h0 // _T1] + t[h0 % _T1]
              + t[l1 // _T1] + t[l1 % _T1] + t[l0 // _T1] + t[l0 % _T1])
    return "c" + KINDS[kind] + digits[24 - _DIGITS:]


def encode(kind: str, pk: int) -> str:
    """The public id of row ``pk`` of ``kind`` (a key of KINDS)."""
    return _render(kind, (pk * _MULT + _OFFSET[kind]) % _MOD)


def decode(kind: str, public_id: object) -> int | None:
    """The primary key behind ``public_id`` if it is a well-formed id of ``kind``, else None (callers answer that
    exactly like an absent object)."""
    if type(public_id) is not str or len(public_id) != 25 or public_id[0] != "c" or public_id[1] != KINDS[kind]:
        return None
    n = 0
    for ch in public_id[2:]:
        v = _VALUE.get(ch)
        if v is None:
            return None
        n = n * 36 + v
    pk = ((n - _OFFSET[kind]) * _INVERSE) % _MOD
    return pk if 0 < pk < 2**63 else None


def decode_many(kind: str, public_ids: list[object]) -> list[int]:
    """Primary keys of the well-formed ids among ``public_ids`` (malformed ones are simply absent)."""
    out = []
    for public_id in public_ids:
        pk = decode(kind, public_id)
        if pk is not None:
            out.append(pk)
    return out


def fixed(kind: str, name: str) -> str:
    """A stable id for a built-in object that has no row (reserved metadata schemas, roles): derived from its
    name. It decodes to a number far above any real primary key, so ``decode`` answers None for it."""
    n = int.from_bytes(hashlib.sha256(f"{kind}:{name}".encode()).digest(), "big") % _MOD
    while ((n - _OFFSET[kind]) * _INVERSE) % _MOD < 2**63:  # never a real key's id
        n = (n + 1) % _MOD
    return _render(kind, n)
