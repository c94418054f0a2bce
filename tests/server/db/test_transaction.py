"""``db.transaction.write_transaction`` on a request session (reads by default, ``db.engine.read_engine``), on a
real database in both lanes: reads never take SQLite's write lock; the block commits once, joins an enclosing one,
rolls back when it raises; a write outside it fails instead of taking the lock behind the service's back;
sessions of the plain engine (CLI, jobs) keep their own transaction, which the block commits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from labelhouse_server.db import Account
from labelhouse_server.db.engine import make_engine, make_sessionmaker, read_engine
from labelhouse_server.db.migrate import upgrade
from labelhouse_server.db.sql import run
from labelhouse_server.db.transaction import (
    READS,
    WriteOutsideTransaction,
    committed_writes,
    end_read,
    guard_writes,
    in_write_transaction,
    write_transaction,
)
from sqlalchemy import update
from sqlalchemy.orm import Session
from support import backends, fresh_database, unique

INSERT = "INSERT INTO accounts (username, is_organization, is_admin, created_at) VALUES (?, ?, ?, 'now')"
COUNT = "SELECT count(*) FROM accounts WHERE username LIKE ?"


@pytest.fixture(params=backends())
def engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with fresh_database(request.param, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url, lock_timeout=2.0)
        yield engine
        engine.dispose()


def _request_session(engine: Any) -> Session:
    factory = make_sessionmaker(read_engine(engine))
    guard_writes(factory)
    session = factory()
    session.info[READS] = True
    return session


def _count(engine: Any, prefix: str) -> int:
    with make_sessionmaker(read_engine(engine))() as s:
        return int(run(s, COUNT, (prefix + "%",)).first()[0])


def test_reads_do_not_take_the_write_lock(engines: Any) -> None:
    """A write transaction of another session is open; a request session reads at once, and its own write waits
    for the lock only inside ``write_transaction``."""
    name = unique("rd")
    holder = make_sessionmaker(engines)()
    run(holder, INSERT, (name + "-held", False, False))  # holds the write lock (SQLite) / a row lock
    reader = _request_session(engines)
    try:
        assert int(run(reader, COUNT, (name + "%",)).first()[0]) == 0  # never waits: the holder's row is unseen
        done = threading.Event()

        def write() -> None:
            with write_transaction(reader):
                run(reader, INSERT, (name + "-after", False, False))
            done.set()

        t = threading.Thread(target=write)
        t.start()
        if engines.dialect.name == "sqlite":
            assert not done.wait(0.5)  # waits for the holder's lock inside the block
        holder.commit()
        t.join(10)
        assert done.is_set()
        assert _count(engines, name) == 2
    finally:
        holder.close()
        reader.close()


def test_commits_once_joins_and_rolls_back(engines: Any) -> None:
    name = unique("tx")
    with _request_session(engines) as session:
        with write_transaction(session):
            run(session, INSERT, (name + "-a", False, False))
            with write_transaction(session):  # joins: no commit of its own
                run(session, INSERT, (name + "-b", False, False))
                assert in_write_transaction(session)
            assert _count(engines, name) == 0  # not committed yet
        assert not in_write_transaction(session)
        assert _count(engines, name) == 2
        with pytest.raises(RuntimeError), write_transaction(session):
            run(session, INSERT, (name + "-c", False, False))
            raise RuntimeError("boom")
        assert _count(engines, name) == 2  # the failed block wrote nothing
        with write_transaction(session):  # the lock was given back: the next block goes through
            run(session, INSERT, (name + "-d", False, False))
        assert _count(engines, name) == 3


def test_orm_changes_belong_inside_the_block(engines: Any) -> None:
    name = unique("orm")
    with _request_session(engines) as session:
        session.add(Account(username=name, is_organization=False, is_admin=False, created_at="now"))
        with pytest.raises(WriteOutsideTransaction, match="inside the block"):
            end_read(session)
        session.expunge_all()
        with write_transaction(session):
            session.add(Account(username=name, is_organization=False, is_admin=False, created_at="now"))
        assert _count(engines, name) == 1


def test_a_write_outside_the_block_fails(engines: Any) -> None:
    """A request session refuses writes outside ``write_transaction`` (on PostgreSQL it would commit at once, on
    SQLite take the write lock behind the service's back): prebuilt SQL, Core DML and ORM flushes alike."""
    name = unique("out")
    with _request_session(engines) as session:
        with pytest.raises(WriteOutsideTransaction):
            run(session, INSERT, (name, False, False))
        with pytest.raises(WriteOutsideTransaction):
            session.execute(update(Account).where(Account.username == name).values(email="x"))
        session.add(Account(username=name, is_organization=False, is_admin=False, created_at="now"))
        with pytest.raises(WriteOutsideTransaction):
            session.flush()
        session.expunge_all()
        with write_transaction(session):  # the same session writes inside the block
            run(session, INSERT, (name, False, False))
        run(session, COUNT, (name,))  # and reads again afterwards
    assert _count(engines, name) == 1


def test_plain_sessions_keep_their_transaction(engines: Any) -> None:
    """A job's or the CLI's session writes by default: the block joins what it already wrote and commits both."""
    name = unique("job")
    with make_sessionmaker(engines)() as session:
        run(session, INSERT, (name + "-before", False, False))
        with write_transaction(session):
            run(session, INSERT, (name + "-inside", False, False))
        assert _count(engines, name) == 2


def test_committed_writes_tells_whether_the_session_changed_something(engines: Any) -> None:
    """What the Labelbox endpoint asks before it answers "busy" as retryable: has this request committed?"""
    session = _request_session(engines)
    name = unique("cw")
    try:
        assert not committed_writes(session)
        with pytest.raises(RuntimeError), write_transaction(session):
            run(session, INSERT, (name + "-a", False, False))
            raise RuntimeError("rolled back")
        assert not committed_writes(session)  # a rolled-back block changed nothing
        with write_transaction(session):
            with write_transaction(session):  # a nested block joins: the outer one commits
                run(session, INSERT, (name + "-b", False, False))
            assert not committed_writes(session)
        assert committed_writes(session)
        assert _count(engines, name) == 1
    finally:
        session.close()
