"""The daily dispatcher: on every run, the poster, the revealer, the champion poster, the reminders.

It holds no state of its own beyond whom it runs: the database says what is due, so the timer,
the safety tick, a restarted process or another process can all call ``run_due`` at the same
moment without doubling anything (each step is a claim that exactly one caller wins).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.daily.changes import Changes
from bot.daily.policy import DailyConfig
from bot.daily.poster import Poster
from bot.daily.reminder_fanout import ReminderFanout
from bot.daily.revealer import Revealer
from bot.ports import Clock
from bot.standings.champions import Champions, next_season_end
from bot.store import backlog as backlog_store
from bot.store import channels as channel_store
from bot.store import leases as lease_store
from bot.store import rounds as round_store

DISPATCHER_LEASE = "dispatcher"


class Dispatcher:
    """Runs whatever is due, and says when that will next be."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        config: DailyConfig,
        *,
        poster: Poster,
        revealer: Revealer,
        champions: Champions,
        changes: Changes,
        reminders: ReminderFanout | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.config = config
        self.poster = poster
        self.revealer = revealer
        self.champions = champions
        self.changes = changes
        self.reminders = reminders  # the learning loop's reminders, sent by whoever dispatches

    def changed(self) -> None:
        """Tell the timer that the next due moment may have moved."""
        self.changes.changed()

    async def backlog(self, late: timedelta = timedelta(minutes=1)) -> tuple[int, int]:
        """Posts and reveals whose moment has come and are not done yet, and how many of those
        are more than ``late`` past it (a metric: a growing overdue count means trouble)."""
        async with self.engine.connect() as conn:
            return await backlog_store.backlog(conn, self.clock.now(), late)

    async def run_due(self) -> None:
        """Do everything that is due now: claim posts, send claimed posts, reveal answers, remind."""
        now = self.clock.now()
        if self.config.elected and not await self.is_dispatcher(now):
            return
        await self._posts_and_reveals(now)
        if self.reminders is not None:
            # between batches of reminders, posts and reveals that came due go out first
            await self.reminders.run_due(between=lambda: self._posts_and_reveals(self.clock.now()))

    async def _posts_and_reveals(self, now: datetime) -> None:
        await self.poster.post_due(now)
        await self.revealer.reveal_due()
        await self.champions.post_due()

    async def is_dispatcher(self, now: datetime) -> bool:
        """Take or renew the dispatcher lease; True while this process holds it."""
        async with self.engine.begin() as conn:
            return await lease_store.hold(
                conn, DISPATCHER_LEASE, self.config.worker_id, now, now + self.config.dispatcher_ttl
            )

    async def next_wake(self) -> datetime | None:
        """The next moment ``run_due`` has something to do."""
        async with self.engine.connect() as conn:
            moments = [
                await channel_store.next_post_due(conn),
                await round_store.next_round_due(conn),
                await next_season_end(conn, self.clock.now()),
            ]
        if self.reminders is not None:
            moments.append(await self.reminders.next_due())
        present = [m for m in moments if m is not None]
        return min(present) if present else None
