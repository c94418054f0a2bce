"""``db.group.WriteGroups`` on a real SQLite file: members of one group share its COMMIT and are answered after it;
a member failing before it writes changes nothing, one failing after its write sends the earlier members to run
again in their own transactions; a writer of the event loop's own thread that would wait for the write lock
makes the open group commit first instead of waiting for itself (``engine.WriteLock.yield_to``); another writer
holding the lock sends the group's caller elsewhere (``WriteSlotBusy``)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from types import SimpleNamespace

import pytest
from labelhouse_server.db.engine import WriteSlotBusy, make_engine
from labelhouse_server.db.group import WriteGroups
from labelhouse_server.db.migrate import upgrade
from labelhouse_server.db.sql import PlainWork, run
from labelhouse_server.db.transaction import write_transaction
from labelhouse_server.deps import run_plain_write

INSERT = "INSERT INTO accounts (username, is_organization, is_admin, created_at) VALUES (?, 0, 0, 'now')"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "labelhouse.sqlite3"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    yield engine, path
    engine.dispose()


def _committed(path) -> list[str]:
    with sqlite3.connect(path) as conn:  # another connection: sees committed rows only
        return sorted(r[0] for r in conn.execute("SELECT username FROM accounts"))


def _insert(name: str):
    """A unit of work inserting account ``name``; ``early-*`` fails before writing, ``late-*`` after."""

    def work(unit: PlainWork) -> str:
        if name.startswith("early"):
            raise ValueError(name)
        with write_transaction(unit):  # joins the group's transaction, as labels.service's does
            run(unit, INSERT, (name,))
            if name.startswith("late"):
                raise ValueError(name)
        return name

    return work


def _members(engine, groups, names, path):
    """``deps.run_plain_write`` for each of ``names`` at once: (results, rows committed as each was answered)."""
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(engine=engine, write_groups=groups)))

    async def main():
        seen = {}

        async def member(name):
            try:
                await run_plain_write(request, _insert(name))  # type: ignore[arg-type]
            except ValueError:
                seen[name] = ("failed", _committed(path))
            else:
                seen[name] = ("ok", _committed(path))

        await asyncio.gather(*(member(n) for n in names))
        return seen

    return asyncio.run(main())


def test_members_share_one_commit_and_one_failing_before_writing_changes_nothing(db):
    engine, path = db
    groups = WriteGroups(engine)
    seen = _members(engine, groups, ["a", "early-1", "b", "c"], path)
    assert seen["early-1"] == ("failed", [])  # answered at once, before the others' commit
    for name in ("a", "b", "c"):
        assert seen[name][0] == "ok" and name in seen[name][1]  # answered after its commit
    assert _committed(path) == ["a", "b", "c"]
    assert (groups.commits, groups.members) == (1, 3)


def test_a_member_failing_after_its_write_sends_the_earlier_ones_to_run_again(db):
    engine, path = db
    groups = WriteGroups(engine)
    seen = _members(engine, groups, ["a", "b", "late-1", "c"], path)
    assert seen["late-1"][0] == "failed"
    for name in ("a", "b", "c"):
        assert seen[name][0] == "ok" and name in seen[name][1]
    assert _committed(path) == ["a", "b", "c"]  # a and b again, in worker threads; c in a new group


def test_a_blocking_writer_of_the_same_thread_commits_the_group_first(db):
    engine, path = db
    groups = WriteGroups(engine, idle_turns=1000)  # would stay open for a long while

    async def main():
        member = asyncio.ensure_future(groups.run(_insert("a")))
        await asyncio.sleep(0)  # the member has joined; the group is open and holds the write lock
        assert not member.done() and _committed(path) == []
        conn = engine.raw_connection()
        try:
            conn.driver_connection.begin_write(False)  # same thread: no 30 s wait for itself
            conn.driver_connection.execute(INSERT, ("b",))
            conn.driver_connection.commit()
        finally:
            conn.close()
        assert await member == "a"

    asyncio.run(main())
    assert _committed(path) == ["a", "b"]


def test_another_writer_holding_the_lock_sends_the_caller_elsewhere(db):
    engine, path = db
    groups = WriteGroups(engine)
    conn = engine.raw_connection()
    taken = threading.Event()

    def hold():
        conn.driver_connection.begin_write(False)
        taken.set()

    thread = threading.Thread(target=hold)
    thread.start()
    thread.join()
    assert taken.is_set()
    try:
        with pytest.raises(WriteSlotBusy):
            asyncio.run(groups.run(_insert("a")))
    finally:
        conn.driver_connection.rollback()
        conn.close()
    assert asyncio.run(groups.run(_insert("a"))) == "a"
    assert _committed(path) == ["a"]


def test_groups_keep_one_connection_of_their_own(db):
    """One group after another runs on the same connection, detached from the pool: no pool checkout per group
    (a checkout and check-in cost ~5 % of a lone PUT), and ``close`` closes it."""
    from sqlalchemy import event

    engine, path = db
    groups = WriteGroups(engine)
    checkouts = []
    event.listen(engine, "checkout", lambda *_: checkouts.append(1))
    for name in ("a", "b", "c"):
        assert asyncio.run(groups.run(_insert(name))) == name
    assert len(checkouts) == 1  # the first group made the connection; the later ones reused it
    assert _committed(path) == ["a", "b", "c"]
    assert engine.pool.checkedout() == 0  # it holds no pool slot
    groups.close()
    assert groups._checkout is None


def test_another_process_holding_sqlites_lock_sends_the_caller_elsewhere_at_once(db):
    """The groups' connection has SQLite's busy handler off (``never_wait``): a write lock held by another
    process (here a plain connection, outside this process's lock) sends the PUT to a worker thread at once
    instead of blocking the event loop for the busy timeout; the next group runs on the same connection."""
    import time

    engine, path = db
    groups = WriteGroups(engine)
    assert asyncio.run(groups.run(_insert("a"))) == "a"  # the connection exists
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(WriteSlotBusy):
            asyncio.run(groups.run(_insert("b")))
        assert time.monotonic() - started < 1.0
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert asyncio.run(groups.run(_insert("c"))) == "c"
    assert _committed(path) == ["a", "c"]
    groups.close()
