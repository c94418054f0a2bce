"""Identifiers we generate: time-ordered random UUIDs (RFC 9562 version 7: a 48-bit millisecond timestamp, then
random bits), for every row keyed by a uuid we make (samples, data rows, workunits).

Version 7 rather than 4 so that new keys land at the right edge of their unique index: with random (v4) keys every
insert dirties a different index page of a large table, which made imports into a 1,000,000-sample dataset markedly
slower than into an empty one, and cost a label write one more page (WAL frame) of its workunit than its group's
neighbours (bench/RESULTS.md, issue 16 sessions 8 and 9). Two uuids made in the same millisecond are ordered by
their random bits, not by time: nothing reads order from them (``created_at`` is the time)."""

from __future__ import annotations

import os
import time

# The variant nibble (RFC 9562: binary 10xx) from any random hex digit.
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def new_uuids(count: int) -> list[str]:
    """``count`` version-7 uuids in their text form (one urandom call for all)."""
    stamp = f"{time.time_ns() // 1_000_000:012x}"
    head = f"{stamp[:8]}-{stamp[8:12]}-7"
    raw = os.urandom(15 * count).hex()
    out = []
    for i in range(0, 30 * count, 30):
        h = raw[i:i + 30]
        out.append(f"{head}{h[:3]}-{_VARIANT[h[3]]}{h[4:7]}-{h[7:19]}")
    return out


def new_uuid() -> str:
    """One version-7 uuid in its text form."""
    return new_uuids(1)[0]


__all__ = ["new_uuid", "new_uuids"]
