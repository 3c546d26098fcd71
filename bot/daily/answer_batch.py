"""Group commit for answers: submissions that arrive together are stored in one write transaction.

On SQLite the process has one connection, so answers queue for it, and each one holds it for a
pool checkout, a hop to aiosqlite's thread and the hop back, each waiting for a turn of a busy
event loop: under a burst of 1,000 modal submissions that capped storage at ~100-250 answers/s
(bench/burst.py), whatever the statements cost. ``AnswerBatcher`` lets the answers that arrived
while a transaction was running go together in the next one (no timer: a lone answer goes at
once), each still getting its own ``Submitted``.

Units in one batch run one after another inside the transaction, in arrival order, so each sees
the ones before it exactly as if they had committed first: a member's second answer in the same
batch edits the first, a second quiz pick is locked out. If the batch fails (a database error, a
unit that raises), it is rolled back and every unit of it is run again alone, so one bad answer
costs the others nothing and its own caller gets its own error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store import answers as answer_store
from bot.store import unit
from bot.store.answers import Graded, Submitted, Target

MAX_BATCH = 100  # bounds one transaction's time on the writer


@dataclass(frozen=True)
class _Pending:
    make: Callable[[], unit.Work[Any]]
    done: asyncio.Future[Any]


def _together(works: list[unit.Work[Any]]) -> unit.Work[list[Any]]:
    """One unit of work that runs ``works`` in order and returns their outcomes."""
    outcomes = []
    for work in works:
        try:
            call = next(work)
            while True:
                call = work.send((yield call))
        except StopIteration as done:
            outcomes.append(done.value)
    return outcomes


class AnswerBatcher:
    """Stores answers group-committed on ``engine``; one per process and engine."""

    def __init__(self, engine: AsyncEngine, *, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.batches = 0  # transactions tried, a failed batch counting once (for benchmarks and tests)
        self._queue: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(
        self, target: Target, user_id: str, display_name: str, graded: Graded | None, now: datetime
    ) -> Submitted:
        """``bot.store.answers.submit``, stored together with whatever arrives meanwhile."""
        return await self.run(lambda: answer_store.submit(target, user_id, display_name, graded, now))  # type: ignore[no-any-return]

    async def run(self, make: Callable[[], unit.Work[Any]]) -> Any:
        """Run the write unit ``make()`` in the next batch and return its outcome (or raise its
        error). ``make`` may be called twice: a unit of a failed batch is run again alone."""
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(make, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="dailyq:answer-batch")
        return await done

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            await self._store(batch)

    async def _store(self, batch: list[_Pending]) -> None:
        self.batches += 1
        if len(batch) > 1:
            try:
                outcomes = await unit.run(self.engine, _together([p.make() for p in batch]), write=True)
            except Exception:
                outcomes = None  # rolled back: each runs alone below, so each caller gets its own outcome
            if outcomes is not None:
                for pending, outcome in zip(batch, outcomes, strict=True):
                    _settle(pending.done, outcome)
                return
        for pending in batch:
            try:
                _settle(pending.done, await unit.run(self.engine, pending.make(), write=True))
            except Exception as exc:
                if not pending.done.done():
                    pending.done.set_exception(exc)


def _settle(done: asyncio.Future[Any], outcome: Any) -> None:
    """Hand ``outcome`` to a caller still waiting (one that was cancelled is not)."""
    if not done.done():
        done.set_result(outcome)
