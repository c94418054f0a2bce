"""``db.sql.HeldReads``: the SQLite connection an app keeps for the event loop's session-less reads (the GET of a
sample). Each statement is its own read (autocommit, as each statement of a PostgreSQL request session is): a
write committed by another connection is seen by the next statement, and no transaction stays open after a block.
A block that finds the connection taken reads through the pool instead, and the held connection holds no slot of
the pool. Real SQLite (the held connection exists only there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from labelhouse_server.db.engine import make_engine
from labelhouse_server.db.sql import HeldReads, plain_reads, run
from labelhouse_server.db.transaction import WriteOutsideTransaction
from sqlalchemy import text
from support import fresh_database


def test_statements_read_the_latest_commit_and_a_taken_connection_falls_back_to_the_pool(tmp_path: Path) -> None:
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
                with engine.begin() as conn:  # another connection commits (a key revoked, say)
                    conn.execute(text("INSERT INTO t VALUES (2)"))
                assert run(reads, "SELECT max(v) FROM t").scalar() == 2  # the next statement sees it
                assert engine.pool.checkedout() == 0  # detached: the held connection holds no pool slot
            assert first is not None
            driver = first.connection.driver_connection
            assert not driver.in_transaction
            with plain_reads(engine, held) as reads:
                assert run(reads, "SELECT max(v) FROM t").scalar() == 2
                assert reads.checkout is first  # the held connection again
                with pytest.raises(WriteOutsideTransaction):  # read-only, as on the pool's read path
                    run(reads, "INSERT INTO t VALUES (3)")
                driver.execute("BEGIN")  # whatever a block leaves open is rolled back when it ends
            assert not driver.in_transaction
            with engine.begin() as conn:  # and nothing held blocks a writer
                conn.execute(text("INSERT INTO t VALUES (4)"))
        finally:
            held.close()
            engine.dispose()
