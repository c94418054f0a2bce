"""SQLite write transactions that must not wait (``db.engine.NOWAIT``, used by ``deps.run_write`` to run short
writes on the event loop): they get the write slot when it is free and raise ``WriteSlotBusy`` at once when a
writer of this process or of another process holds it, leaving nothing locked behind."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from labelhouse_server.db.engine import NOWAIT, WriteSlotBusy, make_engine, make_sessionmaker, read_options
from labelhouse_server.db.migrate import upgrade
from labelhouse_server.errors import DatabaseBusy

INSERT = "INSERT INTO accounts (username, is_organization, is_admin, created_at) VALUES (?, 0, 0, 'now')"


@pytest.fixture
def sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'labelhouse.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine), tmp_path / "labelhouse.sqlite3"
    engine.dispose()


def test_free_slot_is_taken_and_released(sessions):
    factory, _ = sessions
    with factory() as s:
        s.connection(execution_options=NOWAIT).exec_driver_sql(INSERT, ("a",))
        s.commit()
    with factory() as s:  # the slot was given back: an ordinary writer gets it at once
        s.connection().exec_driver_sql(INSERT, ("b",))
        s.commit()
        assert s.connection().exec_driver_sql("SELECT count(*) FROM accounts").scalar() == 2


def test_busy_in_this_process(sessions):
    factory, _ = sessions
    holder = factory()
    holder.connection().exec_driver_sql(INSERT, ("held",))  # holds the write slot
    waiter = factory()
    with pytest.raises(WriteSlotBusy):  # (a waiting BEGIN would hang here: the holder commits only below)
        waiter.connection(execution_options=NOWAIT)
    waiter.rollback()
    holder.commit()
    holder.close()
    waiter.connection().exec_driver_sql(INSERT, ("after",))  # the same session writes normally afterwards
    waiter.commit()
    waiter.close()


def test_busy_in_another_process(sessions):
    factory, path = sessions
    script = (f"import sqlite3, sys\ndb = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
              "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.readline()\n"
              "db.execute('ROLLBACK')\n")
    other = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert other.stdout.readline().strip() == "locked"
        s = factory()
        # The other process lets go after 5 s: had SQLite's busy handler (30 s) been on for this BEGIN, the BEGIN
        # would have waited and then succeeded instead of raising.
        release = threading.Timer(5.0, lambda: (other.stdin.write("\n"), other.stdin.flush()))
        release.start()
        try:
            with pytest.raises(WriteSlotBusy):
                s.connection(execution_options=NOWAIT)
        finally:
            release.cancel()
        s.rollback()
        s.close()
    finally:
        if other.poll() is None:
            other.stdin.write("\n")
            other.stdin.flush()
        other.wait(10)
    with factory() as s:  # the busy timeout is back and nothing stayed locked
        conn = s.connection(execution_options=NOWAIT)
        assert conn.connection.dbapi_connection.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
        conn.exec_driver_sql(INSERT, ("c",))
        s.commit()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM accounts WHERE username = 'c'").fetchone()[0] == 1


def test_first_connection_waits_to_switch_to_wal(tmp_path):
    """Switching a new database to WAL needs SQLite's exclusive lock and fails at once, without the busy handler,
    while another process holds a lock (e.g. two processes starting on one new database): the switch is retried
    until the lock is gone."""
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()  # a rollback-journal database
    script = (f"import sqlite3, time\ndb = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
              "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(0.5); db.execute('ROLLBACK')\n")
    other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "locked"
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        engine.dispose()
    finally:
        other.wait(10)
    assert mode == "wal"


def _hold_write_lock(path):
    script = (f"import sqlite3, sys\ndb = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
              "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.readline()\n"
              "db.execute('ROLLBACK')\n")
    other = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    assert other.stdout.readline().strip() == "locked"
    return other


def test_a_write_past_the_lock_timeout_is_database_busy(tmp_path):
    """Issue 10 §1: a write that cannot get the lock within ``lock_timeout`` raises ``DatabaseBusy`` (answered
    503 with Retry-After) instead of a TimeoutError / OperationalError (500), whether the holder is another
    process (SQLite's busy handler) or this one (the in-process write lock); reads go on meanwhile."""
    path = tmp_path / "labelhouse.sqlite3"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}", lock_timeout=1.0)
    factory = make_sessionmaker(engine)
    try:
        other = _hold_write_lock(path)
        try:
            with factory() as s:  # a read neither takes nor waits for the lock (it would raise DatabaseBusy)
                reader = s.connection(execution_options=read_options(engine.dialect.name))
                assert reader.exec_driver_sql("SELECT count(*) FROM accounts").scalar() == 0
            with factory() as s:
                started = time.monotonic()
                with pytest.raises(DatabaseBusy):
                    s.connection().exec_driver_sql(INSERT, ("x",))
                assert time.monotonic() - started > 0.8  # it waited the lock timeout
        finally:
            other.stdin.write("\n")
            other.stdin.flush()
            other.wait(10)
        holder = factory()
        holder.connection().exec_driver_sql(INSERT, ("held",))  # this process's write lock
        try:
            with factory() as s:
                started = time.monotonic()
                with pytest.raises(DatabaseBusy):
                    s.connection().exec_driver_sql(INSERT, ("y",))
                assert time.monotonic() - started > 0.8  # it waited the lock timeout
        finally:
            holder.rollback()
            holder.close()
        with factory() as s:  # nothing stayed locked
            s.connection().exec_driver_sql(INSERT, ("z",))
            s.commit()
    finally:
        engine.dispose()
