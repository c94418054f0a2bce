"""The SQLite pool hands out the connection returned last (issue 16: each pooled connection keeps its own page
cache, so rotating through all of them filled every cache with the same pages)."""

from __future__ import annotations

from pathlib import Path

from labelhouse_server.db.engine import make_engine


def test_the_connection_returned_last_is_taken_first(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    try:
        held = [engine.raw_connection() for _ in range(3)]
        drivers = [c.driver_connection for c in held]
        for connection in held:  # returned in the order taken: the third goes back last
            connection.close()
        for _ in range(5):  # one client's sequential requests
            again = engine.raw_connection()
            assert again.driver_connection is drivers[2]
            again.close()
    finally:
        engine.dispose()
