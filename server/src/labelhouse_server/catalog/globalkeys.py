"""Global keys (§2.4): assign, clear and look up, each reporting per key. Keys are unique per organization among
live data rows (the ``uq_data_rows_org_id_global_key`` constraint); another organization's rows and keys answer
exactly like absent ones. Every operation is one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import DataRowInfo
from ..db.integrity import violated_constraint
from ..db.transaction import write_transaction
from ..errors import Conflict, Invalid
from ..labelbox import ids
from .datarows import IN_CHUNK, check_global_key, ids_for_global_keys, load_rows, set_side
from .orgs import OrgScope

MAX_KEYS = 100_000


def _check_count(items: list[Any]) -> None:
    if len(items) > MAX_KEYS:
        raise Invalid(f"At most {MAX_KEYS} global keys per request.")


def lookup(session: Session, scope: OrgScope, keys: list[Any]) -> dict[str, Any]:
    """Data row ids in input order (``""`` where a key failed), and the keys not found."""
    _check_count(keys)
    found = ids_for_global_keys(session, scope, [k for k in keys if isinstance(k, str)])
    fetched = [ids.encode("data_row", found[k]) if isinstance(k, str) and k in found else "" for k in keys]
    return {"fetchedDataRows": [{"id": x} for x in fetched],
            "notFoundGlobalKeys": [k for k in keys if not (isinstance(k, str) and k in found)],
            "accessDeniedGlobalKeys": []}


def assign(session: Session, scope: OrgScope, links: list[Any]) -> dict[str, Any]:
    """Give rows their keys. A key held by another row, a repeated key, an empty or malformed key, and a missing
    (or foreign) row are invalid assignments; the others are made (``unmodifiedAssignments``)."""
    _check_count(links)
    pairs = [(link.get("dataRowId"), link.get("globalKey")) if isinstance(link, dict) else (None, None)
             for link in links]
    try:
        with write_transaction(session):  # the rows and holders it reads decide what it writes
            invalid, done = _assignments(session, scope, pairs)
            for pk, key, _ in done:
                set_side(session, scope, pk, {"global_key": key})
    except IntegrityError as exc:  # the block rolled back: no key was assigned
        if violated_constraint(exc) == "uq_data_rows_org_id_global_key":
            raise Conflict("Global keys were being assigned concurrently; retry.") from None
        raise
    return {"sanitizedAssignments": [], "invalidGlobalKeyAssignments": invalid,
            "unmodifiedAssignments": [r for _, _, r in done], "accessDeniedAssignments": []}


def _assignments(session: Session, scope: OrgScope, pairs: list[tuple[Any, Any]]
                 ) -> tuple[list[dict[str, Any]], list[tuple[int, str, dict[str, Any]]]]:
    """(invalid assignments, (sample id, key, assignment) to make)."""
    rows = load_rows(session, scope, ids.decode_many("data_row", [p[0] for p in pairs]))
    holders = ids_for_global_keys(session, scope, [k for _, k in pairs if isinstance(k, str)])
    invalid, done = [], []
    claimed: set[str] = set()
    touched: set[int] = set()
    for row_id, key in pairs:
        pk = ids.decode("data_row", row_id)
        record = {"dataRowId": row_id, "globalKey": key}
        try:
            check_global_key(key)
        except Invalid:
            invalid.append(record)
            continue
        if (not isinstance(key, str) or pk is None or pk not in rows or pk in touched or key in claimed
                or holders.get(key, pk) != pk):
            invalid.append(record)
            continue
        claimed.add(key)
        touched.add(pk)
        done.append((pk, key, record))
    return invalid, done


def clear(session: Session, scope: OrgScope, keys: list[Any]) -> dict[str, Any]:
    _check_count(keys)
    with write_transaction(session):
        found = ids_for_global_keys(session, scope, [k for k in keys if isinstance(k, str)])
        sample_ids = sorted(set(found.values()))
        for start in range(0, len(sample_ids), IN_CHUNK):
            session.execute(update(DataRowInfo).where(DataRowInfo.sample_id.in_(sample_ids[start:start + IN_CHUNK]))
                            .values(global_key=None))
    return {"clearedGlobalKeys": [k for k in keys if isinstance(k, str) and k in found],
            "failedToClearGlobalKeys": [],
            "notFoundGlobalKeys": [k for k in keys if not (isinstance(k, str) and k in found)],
            "accessDeniedGlobalKeys": []}
