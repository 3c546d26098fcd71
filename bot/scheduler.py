"""APScheduler glue: wakes the rounds logic at the next due moment, plus a periodic safety tick.

APScheduler (``AsyncIOScheduler``, in-memory job store) is only the timer. Nothing it holds needs
to survive a restart: the database says what is due, and the first run after start finds it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.ports import Clock
from bot.rounds import Rounds

log = logging.getLogger(__name__)

WAKE_JOB = "dailyq-wake"
TICK_JOB = "dailyq-tick"


class RoundsTimer:
    """Runs ``Rounds.run_due`` when something is due, re-armed after every run and change."""

    def __init__(self, rounds: Rounds, tick: timedelta, clock: Clock, time_scale: float = 1.0) -> None:
        self.rounds = rounds
        self.tick = tick
        self.clock = clock
        self.time_scale = time_scale
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self._rearm_pending = False

    async def start(self) -> None:
        """Start the timer and do whatever is already due (posts missed while down, reveals)."""
        self.scheduler.start()
        self.scheduler.add_job(
            self.run,
            IntervalTrigger(seconds=self.tick.total_seconds()),
            id=TICK_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        await self.run()

    def shutdown(self) -> None:
        """Stop the timer (does not wait for a running job)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def poke(self) -> None:
        """Schedules changed: re-arm the wake-up soon (called from the rounds logic).

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
        async with self._lock:
            try:
                await self.rounds.run_due()
            except Exception:
                log.exception("rounds run failed; the safety tick will retry")
        await self._rearm()

    async def _rearm(self) -> None:
        self._rearm_pending = False
        try:
            when = await self.rounds.next_wake()
        except Exception:
            log.exception("could not compute the next wake-up; the safety tick covers it")
            return
        if when is None or not self.scheduler.running:
            return
        # ``when`` is on the bot's clock; the scheduler waits in real time
        delay = max((when - self.clock.now()) / self.time_scale, timedelta(0))
        run_date = datetime.now(UTC) + delay
        self.scheduler.add_job(
            self.run,
            DateTrigger(run_date=run_date),
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )
