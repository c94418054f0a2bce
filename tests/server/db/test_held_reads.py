"""``db.sql.HeldReads``: the SQLite connection an app keeps for the event loop's session-less reads (the GET of a
sample). Each block is its own read transaction (a write committed by another connection between two blocks is
seen by the second), a block that finds the connection taken reads through the pool instead, and a held connection
holds no slot of the pool. Real SQLite (the held connection exists only there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from labelhouse_server.db.engine import make_engine
from labelhouse_server.db.sql import HeldReads, plain_reads, run
from labelhouse_server.db.transaction import WriteOutsideTransaction
from sqlalchemy import text
from support import fresh_database


def test_each_block_is_a_new_snapshot_and_a_taken_connection_falls_back_to_the_pool(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path, migrated=True) as url:
        engine = make_engine(url)
        held = HeldReads(engine)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (v INTEGER)"))
                conn.execute(text("INSERT INTO t VALUES (1)"))
            with plain_reads(engine, held) as reads:
                assert run(reads, "SELECT max(v) FROM t").scalar() == 1
                first = reads.checkout
                # taken: a nested block reads through the pool, on another connection
                with plain_reads(engine, held) as nested:
                    assert run(nested, "SELECT max(v) FROM t").scalar() == 1
                    assert nested.checkout is not first
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t VALUES (2)"))
                assert run(reads, "SELECT max(v) FROM t").scalar() == 1  # one snapshot for the whole block
            with plain_reads(engine, held) as reads:
                assert reads.checkout is first  # the held connection again ...
                assert run(reads, "SELECT max(v) FROM t").scalar() == 2  # ... in a new read transaction
            assert not first.connection.driver_connection.in_transaction
            with plain_reads(engine, held) as reads:
                run(reads, "SELECT 1")
                assert engine.pool.checkedout() == 0  # detached: holds no pool slot
                with pytest.raises(WriteOutsideTransaction):  # read-only, as on the pool's read path
                    run(reads, "INSERT INTO t VALUES (3)")
        finally:
            held.close()
            engine.dispose()
