"""Timestamps are stored as fixed-width ISO-8601 UTC strings (``2024-05-01T12:00:00.000000Z``).

Fixed width makes them sort correctly as text on every database, and they go on the wire unchanged.
"""

from datetime import datetime, timezone


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
