"""APScheduler glue: wakes the dispatcher at the next due moment, plus a periodic safety tick.

APScheduler (``AsyncIOScheduler``, in-memory job store) is only the timer. Nothing it holds needs
to survive a restart: the database says what is due, and the first run after start finds it.

Its jobs only start a run as a task of ours and return at once, so APScheduler never holds a run
in flight: its shutdown cancels the jobs it holds, which used to interrupt a tick mid-way and log a
``CancelledError`` traceback. ``stop`` lets a run in flight finish for a grace period, then cancels
it; a cancelled run leaves its claimed rounds to their lease, to be taken over after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.daily.dispatch import Dispatcher
from bot.ports import Clock

log = logging.getLogger(__name__)

WAKE_JOB = "dailyq-wake"
TICK_JOB = "dailyq-tick"


class DispatchTimer:
    """Runs ``Dispatcher.run_due`` when something is due, re-armed after every run and change."""

    def __init__(
        self, dispatcher: Dispatcher, tick: timedelta, clock: Clock, time_scale: float = 1.0
    ) -> None:
        self.dispatcher = dispatcher
        self.tick = tick
        self.clock = clock
        self.time_scale = time_scale
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self._rearm_pending = False
        self._runs: set[asyncio.Task[None]] = set()
        self._queued = False  # a run is waiting for the lock: another would find nothing new

    def _spawn(self) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self.run())
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)
        return task

    async def _fire(self) -> None:
        """The APScheduler job: start a run of our own and return at once."""
        if not self._queued:
            self._spawn()

    async def start(self) -> None:
        """Start the timer and do whatever is already due (posts missed while down, reveals)."""
        self.scheduler.start()
        self.scheduler.add_job(
            self._fire,
            IntervalTrigger(seconds=self.tick.total_seconds()),
            id=TICK_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        # shielded: a stop during this first run cancels only the wait; ``stop`` handles the run
        await asyncio.shield(self._spawn())

    async def stop(self, grace: float = 2.0) -> None:
        """Stop the timer; a run in flight may finish within ``grace`` seconds, else it is cancelled."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._runs:
            await asyncio.wait(set(self._runs), timeout=grace)
        # a run cancelled in a ``finally`` that awaits more work needs another cancel to end
        for _ in range(10):
            if not self._runs:
                break
            for task in self._runs:
                task.cancel()
            await asyncio.wait(set(self._runs), timeout=0.5)

    def poke(self) -> None:
        """Schedules changed: re-arm the wake-up soon (called on every change the engine signals).

        While a run holds the lock there is nothing to do: the run re-arms when it ends, after
        every change made meanwhile (a fan-out of 1,000 posts would otherwise query the next
        due moment 1,000 times).
        """
        if self._rearm_pending or self._lock.locked() or not self.scheduler.running:
            return
        self._rearm_pending = True
        asyncio.get_running_loop().create_task(self._rearm())

    async def run(self) -> None:
        """Do what is due, then arm the wake-up for the next due moment."""
        self._queued = self._lock.locked()
        async with self._lock:
            self._queued = False
            try:
                await self.dispatcher.run_due()
            except Exception:
                log.exception("rounds run failed; the safety tick will retry")
        await self._rearm()

    async def _rearm(self) -> None:
        self._rearm_pending = False
        try:
            when = await self.dispatcher.next_wake()
        except Exception:
            log.exception("could not compute the next wake-up; the safety tick covers it")
            return
        if when is None or not self.scheduler.running:
            return
        # ``when`` is on the bot's clock; the scheduler waits in real time
        delay = max((when - self.clock.now()) / self.time_scale, timedelta(0))
        run_date = datetime.now(UTC) + delay
        self.scheduler.add_job(
            self._fire,
            DateTrigger(run_date=run_date),
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )
