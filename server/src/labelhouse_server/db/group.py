"""Group commit on SQLite: concurrent writes of the event loop share one write transaction and one COMMIT.

``deps.run_plain_write`` (the fast lane's label PUT, issue 16) runs each unit of work on the event loop inside the
write transaction of the group open at that moment and answers it only after the group's COMMIT. Concurrent PUTs (several connections) so share the BEGIN IMMEDIATE, the COMMIT and the WAL frames of
the pages they have in common (index tails of revisions and workunits), and the checkpoints those frames bring.

- A member that fails (400, 401, 403, 404, a conflict, any error) is answered at once, and nothing of it is
  committed. Validation, access and conflicts fail before the first write, so there is nothing to undo and the
  others are untouched. A member that fails after writing (an I/O error, a bug: the connection's
  ``total_changes`` moved) cannot be undone alone without a SAVEPOINT per member, which cost 7-13 % of a PUT's CPU
  (bench/RESULTS.md, issue 16 session 8): the group is rolled back instead, and its earlier members are sent to
  run again, each in its own transaction, with ``engine.WriteSlotBusy`` (``deps.run_plain_write`` then re-runs
  the unit of work from the start in a worker thread, as when the write slot is taken). Their answers still
  follow the commit of their own writes.
- Durability is unchanged: a member is answered after the COMMIT that holds its writes (``synchronous=NORMAL`` in
  WAL, as before). A COMMIT that fails fails every member of its group; nothing of theirs was written.
- Each member's reads (the key, the sample's access) run inside the write transaction: they see every write
  committed before it, so a key revoked by any process before the member runs is refused, as before.
- The group commits once the event loop has turned ``idle_turns`` times without a new member (a PUT whose bytes
  came in meanwhile reaches its handler within that many turns), or when it has ``max_members``.
- Groups run on a connection of their own, kept from one group to the next (made by the engine's pool and
  detached from it, with SQLite's busy handler off for good: the BEGIN never waits for another process).
- The group holds this process's write lock from BEGIN to COMMIT, across those turns. Other writers queue on it as
  before (on the event loop they do not wait: ``WriteSlotBusy``, then a worker thread); a write of the event loop's
  own thread that would wait for it commits the group first (``engine.WriteLock.yield_to``).

One ``WriteGroups`` per app, used from its event loop only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine

from .engine import WriteSlotBusy
from .sql import PlainWork, _Checkout, detached_checkout
from .transaction import begin_group, end_group

T = TypeVar("T")

IDLE_TURNS = 3
MAX_MEMBERS = 32


class _Group:
    __slots__ = ("driver", "idle", "joined", "unit", "waiters")

    def __init__(self, unit: PlainWork) -> None:
        self.unit = unit
        self.driver: Any = unit.driver()
        self.waiters: list[asyncio.Future[None]] = []
        self.joined = 0  # members since the last turn
        self.idle = 0  # turns without a new member


class WriteGroups:
    """The open write group of an app's event loop, if any (see the module docstring). ``commits`` and
    ``members`` count the groups committed and their members (tests and benchmarks read them)."""

    def __init__(self, engine: Engine, *, idle_turns: int = IDLE_TURNS, max_members: int = MAX_MEMBERS) -> None:
        self._engine = engine
        self._idle_turns = idle_turns
        self._max_members = max_members
        self._open: _Group | None = None
        # The groups' own connection, kept from one group to the next (``db.sql.detached_checkout``): a pool
        # checkout and check-in per group, and the busy-handler PRAGMAs around each nowait BEGIN, cost ~5 % of a
        # lone PUT (bench/RESULTS.md, issue 16 session 9). Made on first use; dropped after any failure.
        self._checkout: _Checkout | None = None
        self.commits = 0
        self.members = 0

    async def run(self, work: Callable[[PlainWork], T]) -> T:
        """``work(unit)`` in the open group (one is begun when none is), answered after the group's COMMIT.
        ``engine.WriteSlotBusy``, nothing of ``work`` committed, to be run again elsewhere: no group was open and
        another writer holds the write lock, or the group was rolled back for a later member (module docstring)."""
        group = self._open or self._begin()
        changes = group.driver.total_changes
        try:
            result = work(group.unit)
        except BaseException:
            if group.driver.total_changes != changes or not group.driver.in_transaction:
                self._commit(group, failed=WriteSlotBusy())  # see the module docstring
            raise
        done = asyncio.get_running_loop().create_future()
        group.waiters.append(done)
        group.joined += 1
        if len(group.waiters) >= self._max_members:
            self._commit(group)
        await done
        return result

    def _begin(self) -> _Group:
        unit = PlainWork(self._engine)
        if self._checkout is None:
            checkout = detached_checkout(self._engine)
            try:
                checkout.connection.driver_connection.never_wait()
            except BaseException:
                checkout.connection.close()
                raise
            self._checkout = checkout
        unit.checkout = self._checkout
        try:
            begin_group(unit)
        except WriteSlotBusy:
            raise  # nothing begun; the connection stays usable
        except BaseException:
            self._drop()
            raise
        group = self._open = _Group(unit)
        group.driver.write_lock.yield_to = lambda: self._commit(group)
        asyncio.get_running_loop().call_soon(self._turn, group)
        return group

    def _turn(self, group: _Group) -> None:
        if group is not self._open:
            return  # committed meanwhile (full, or yielded to another writer of this thread)
        if group.joined:
            group.joined, group.idle = 0, 0
        else:
            group.idle += 1
        if group.idle >= self._idle_turns:
            self._commit(group)
        else:
            asyncio.get_running_loop().call_soon(self._turn, group)

    def _commit(self, group: _Group, failed: BaseException | None = None) -> None:
        """COMMIT the group (ROLLBACK when ``failed``) and answer its members."""
        if group is not self._open:
            return
        self._open = None
        group.driver.write_lock.yield_to = None
        error = failed
        try:
            end_group(group.unit, commit=failed is None)
        except BaseException as exc:  # noqa: BLE001 -- answered to every member below, not swallowed
            error = exc
            self._drop()  # a connection whose COMMIT or ROLLBACK failed is not used again
        if error is None:
            self.commits += 1
            self.members += len(group.waiters)
        for done in group.waiters:
            if not done.done():  # a member whose request was cancelled (client gone) is not waited for
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)

    def _drop(self) -> None:
        checkout, self._checkout = self._checkout, None
        if checkout is not None:
            with contextlib.suppress(Exception):  # a broken connection; a new one is made for the next group
                checkout.connection.close()

    def close(self) -> None:
        """Close the groups' connection (the app's lifespan ends). An open group is rolled back first: its
        members are answered ``WriteSlotBusy`` and run again elsewhere, as for a failed group."""
        if self._open is not None:
            self._commit(self._open, failed=WriteSlotBusy())
        self._drop()
