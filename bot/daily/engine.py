"""Daily rounds: claiming due posts, sending them, and revealing them, exactly once.

The database is the source of truth. Every step is a conditional write that exactly one caller
wins (unique round rows, state transitions, leases), so the timer, the safety tick, a restarted
process or another process can all call ``run_due`` at the same moment without doubling anything.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.bank.catalog import draw_bank, round_question, ungraded_note
from bot.bank.model import Bank
from bot.cards import Card
from bot.daily.picker import left_in_cycle, pick_for_channel, pool_for, running_low
from bot.daily.posts import channel_ref, question_card
from bot.daily.reminder_fanout import ReminderFanout
from bot.daily.reveal import Revealer
from bot.daily.schedule import Schedule
from bot.logs import round_logged
from bot.ports import Clock, DeliveryError, MessageRef, Messenger, Metrics, NoMetrics
from bot.standings.champions import Champions, next_season_end
from bot.store import backlog as backlog_store
from bot.store import channels as channel_store
from bot.store import leases as lease_store
from bot.store import rounds as round_store
from bot.store.tables import rounds as rounds_table

if TYPE_CHECKING:
    from bot.grades.judging import RoundJudging

log = logging.getLogger(__name__)

BATCH = 5  # channels claimed per transaction (short: sends write meanwhile)
CLAIM_PAUSE_S = 0.002
MAX_BACKOFF = timedelta(minutes=15)
PAUSE_AFTER_FAILING = timedelta(days=1)
LATE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class RoundsConfig:
    """Timing rules of the rounds logic, and whether one elected process does all dispatching.

    ``elected``: only the process holding the database lease ``dispatcher`` posts and reveals
    (so one process's rate limiter sees every scheduled send); another takes over within
    ``dispatcher_ttl`` (three safety ticks) when it dies. Otherwise every process dispatches
    and row claims split the work.
    """

    catchup: timedelta = timedelta(hours=6)
    lease: timedelta = timedelta(seconds=30)
    retry_base: timedelta = timedelta(seconds=5)
    elected: bool = False
    dispatcher_ttl: timedelta = timedelta(seconds=90)
    worker_id: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    )


def backoff(attempt: int, base: timedelta) -> timedelta:
    """Delay before retry number ``attempt`` (exponential, capped at 15 minutes)."""
    return min(base * (1 << min(max(attempt - 1, 0), 16)), MAX_BACKOFF)


class Rounds:
    """Posts due questions and reveals due answers through a ``Messenger``."""

    def __init__(
        self,
        engine: AsyncEngine,
        bank: Bank,
        messenger: Messenger,
        clock: Clock,
        config: RoundsConfig,
        metrics: Metrics | None = None,
        judging: RoundJudging | None = None,
        reminders: ReminderFanout | None = None,
    ) -> None:
        self.reminders = reminders  # the learning loop's reminders, sent by whoever dispatches
        self.engine = engine
        self.metrics: Metrics = metrics or NoMetrics()
        self.bank = bank
        self.messenger = messenger
        self.clock = clock
        self.config = config
        self.judging = judging  # the optional judge, asked at the reveal before scoring
        self.revealer = Revealer(self)
        self.champions = Champions(self)
        # set by the timer: called when the next due moment may have moved
        self.on_change: Callable[[], None] | None = None

    def changed(self) -> None:
        """Tell the timer that the next due moment may have moved."""
        if self.on_change is not None:
            self.on_change()

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
        # Claims run beside the sends: a fan-out's sends mostly wait for the platform's rate
        # limit, and the claims fill that time, so the first post goes out after one batch of
        # claims instead of after all of them (1,000 channels: about 5 s sooner).
        claimed = asyncio.Event()
        claiming = asyncio.create_task(self._claim_all(now, claimed))
        try:
            await self._send_while(claiming, claimed)
        finally:
            await claiming
        await self.revealer.reveal_pending()
        await self.champions.post_due()

    async def _claim_all(self, now: datetime, claimed: asyncio.Event) -> None:
        """Claim every due channel, a batch per transaction; ``claimed`` is set after each."""
        try:
            while await self._claim_batch(now) == BATCH:
                claimed.set()
                # let the sender take the database connection between batches: on SQLite's
                # single connection the next claim would otherwise always win it
                await asyncio.sleep(CLAIM_PAUSE_S)
        finally:
            claimed.set()

    async def _send_while(self, claiming: asyncio.Task[None], claimed: asyncio.Event) -> None:
        """Send claimed rounds until claiming has ended and nothing claimed is left to send."""
        while True:
            finished = claiming.done()
            claimed.clear()
            if await self.send_pending() == 0:
                if finished:
                    return
                await claimed.wait()

    async def is_dispatcher(self, now: datetime) -> bool:
        """Take or renew the dispatcher lease; True while this process holds it."""
        async with self.engine.begin() as conn:
            return await lease_store.hold(
                conn, "dispatcher", self.config.worker_id, now, now + self.config.dispatcher_ttl
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

    # -- claiming ------------------------------------------------------------------------------

    async def _claim_batch(self, now: datetime) -> int:
        async with self.engine.begin() as conn:
            rows = await channel_store.claim_due_channels(conn, now, BATCH)
            for row in rows:
                await self._claim_channel(conn, row, now)
        return len(rows)

    async def _claim_channel(self, conn: AsyncConnection, row: Row[Any], now: datetime) -> None:
        schedule = Schedule.from_row(row)
        due_at: datetime = row.next_post_at
        day = schedule.local_date(due_at)
        if now - due_at > self.config.catchup:
            log.info(
                "channel %s: post of %s missed by %s (over the catch-up window); skipped",
                row.id,
                day,
                now - due_at,
            )
            await channel_store.update_channel(conn, row.id, next_post_at=schedule.next_post(now))
            return
        await self.claim_round(
            conn, row, slot=day.isoformat(), day=day.isoformat(), scheduled_for=due_at, now=now
        )
        await channel_store.update_channel(conn, row.id, next_post_at=schedule.next_post_after_day(day, now))

    async def claim_round(
        self,
        conn: AsyncConnection,
        channel: Row[Any],
        *,
        slot: str,
        day: str,
        scheduled_for: datetime,
        now: datetime,
    ) -> int | None:
        """Insert a claimed round for ``slot`` with a freshly picked question; None if taken."""
        schedule = Schedule.from_row(channel)
        bank = await draw_bank(conn, self.bank, channel)
        pool = pool_for(bank, schedule.topics, schedule.difficulty, schedule.mode)
        used = await round_store.used_questions(conn, channel.id, channel.cycle)
        pick = pick_for_channel(pool, used, channel.cycle, seed=f"{channel.id}:{slot}")
        if pick is None:
            log.warning("channel %s: no question matches its filters; nothing posted", channel.id)
            return None
        start = max(now, scheduled_for)
        round_id = await round_store.insert_round(
            conn,
            {
                "channel_pk": channel.id,
                "slot": slot,
                "local_date": day,
                "question_id": pick.question.id,
                "cycle": pick.cycle,
                "mode": schedule.mode,
                "seed": zlib.crc32(f"{channel.id}:{slot}".encode()) & 0x7FFFFFFF,
                "late": now - scheduled_for > LATE_AFTER,
                "scheduled_for": scheduled_for,
                "reveal_at": start + schedule.reveal_after,
            },
        )
        if round_id is not None and pick.cycle != channel.cycle:
            await channel_store.update_channel(conn, channel.id, cycle=pick.cycle)
        return round_id

    # -- sending -------------------------------------------------------------------------------

    async def send_pending(self) -> int:
        """Send every claimed round whose lease is free (new claims, and retries after a crash);
        returns how many were tried."""
        async with self.engine.connect() as conn:
            pending = await round_store.pending_sends(conn, self.clock.now(), limit=10_000)
        for row in pending:
            await self.send_round(int(row.id))
        return len(pending)

    @round_logged
    async def send_round(self, round_id: int) -> bool:
        """Post one claimed round; True when it is now open. Failures back off and retry later."""
        now = self.clock.now()
        async with self.engine.begin() as conn:
            attempt = await round_store.take_lease(
                conn,
                round_id,
                round_store.CLAIMED,
                now,
                now + self.config.lease,
                counter="post_attempts",
            )
            if attempt is None:
                return False
            round_row = await round_store.get_round(conn, round_id)
            assert round_row is not None
            channel = await channel_store.get_channel_by_pk(conn, round_row.channel_pk)
            notes = await self._post_notes(conn, channel, round_row)
        question = await round_question(self.engine, self.bank, channel.id, round_row.question_id)
        card = question_card(
            round_row,
            question,
            notes=(*notes, *ungraded_note(question, round_row.mode, judged=self.judging is not None)),
            timezone=channel.timezone,
        )
        try:
            ref = await self.messenger.post(
                channel_ref(channel), card, key=f"post-{round_id}", resend=attempt > 1
            )
        except Exception as exc:
            await self.record_failure(channel, round_id, attempt, exc)
            return False
        async with self.engine.begin() as conn:
            await round_store.transition(
                conn,
                round_id,
                round_store.CLAIMED,
                round_store.OPEN,
                message_id=ref.message_id,
                thread_id=ref.thread_id,
                posted_at=self.clock.now(),
                lease_until=None,
            )
            if channel.failures or channel.last_error is not None:
                await channel_store.update_channel(
                    conn, channel.id, failures=0, failing_since=None, last_error=None
                )
        log.info("round %s posted to channel %s (attempt %s)", round_id, channel.id, attempt)
        self.metrics.posted(channel.platform)
        self.changed()
        return True

    async def _post_notes(
        self, conn: AsyncConnection, channel: Row[Any], round_row: Row[Any]
    ) -> tuple[str, ...]:
        notes = []
        if round_row.late:
            notes.append("Posted late: the bot was offline at the scheduled time.")
        schedule = Schedule.from_row(channel)
        bank = await draw_bank(conn, self.bank, channel)
        pool = pool_for(bank, schedule.topics, schedule.difficulty, schedule.mode)
        used = await round_store.used_questions(conn, channel.id, round_row.cycle)
        left = left_in_cycle(pool, used)
        if pool and running_low(left, len(pool)):
            notes.append(f"Admins: {left} of {len(pool)} questions left before the bank starts over.")
        return tuple(notes)

    async def record_failure(self, channel: Row[Any], round_id: int, attempt: int, exc: Exception) -> None:
        """Back off a failed send; pause a channel that is gone or keeps failing for a day."""
        now = self.clock.now()
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        failing_since = channel.failing_since or now
        pause = permanent or now - failing_since >= PAUSE_AFTER_FAILING
        reason = f"{type(exc).__name__}: {exc}"[:500]
        log.warning(
            "round %s: send to channel %s failed (attempt %s, %s): %s",
            round_id,
            channel.id,
            attempt,
            "pausing channel" if pause else "will retry",
            reason,
        )
        async with self.engine.begin() as conn:
            await conn.execute(
                rounds_table.update()
                .where(rounds_table.c.id == round_id)
                .values(lease_until=now + backoff(attempt, self.config.retry_base))
            )
            await channel_store.update_channel(
                conn,
                channel.id,
                failures=channel.failures + 1,
                failing_since=failing_since,
                last_error=reason,
                paused=bool(channel.paused or pause),
            )
        if not pause:
            self.metrics.retried(channel.platform)
        self.changed()

    async def close_skipped(self, round_id: int) -> None:
        """Edit a skipped round's post so it no longer takes answers."""
        async with self.engine.connect() as conn:
            round_row = await round_store.get_round(conn, round_id)
            assert round_row is not None
            channel = await channel_store.get_channel_by_pk(conn, round_row.channel_pk)
        if round_row.message_id is None:
            return
        question = await round_question(self.engine, self.bank, channel.id, round_row.question_id)
        card = question_card(round_row, question, closed=True, notes=("Skipped by an admin: not scored.",))
        await self.deliver(MessageRef(channel_ref(channel), round_row.message_id, round_row.thread_id), card)

    async def deliver(self, ref: MessageRef, card: Card) -> None:
        """Edit a message; a failure to edit never blocks a reveal (logged)."""
        try:
            await self.messenger.edit(ref, card)
        except Exception as exc:
            log.warning("could not edit message %s: %s", ref.message_id, exc)
