"""Posting daily rounds: claim the due channels, pick and claim their rounds, send, record the post.

The database is the source of truth. Every step is a conditional write that exactly one caller
wins (unique round rows, state transitions, leases), so the timer, the safety tick, a restarted
process or another process can all post at the same moment without doubling anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.bank.catalog import draw_bank, round_question, ungraded_note
from bot.bank.model import Bank
from bot.daily.changes import Changes
from bot.daily.claiming import Leased, Pools, Posted, claim_due, lease_one, lease_pending, record
from bot.daily.claiming import post_notes as notes_for
from bot.daily.failures import Failures
from bot.daily.picker import pick_for_channel, pool_for
from bot.daily.policy import LATE_AFTER, DailyConfig, missed
from bot.daily.posts import question_card
from bot.daily.schedule import Schedule
from bot.logs import bind, round_logged
from bot.ports import Clock, Messenger, Metrics
from bot.store import channels as channel_store
from bot.store import claims as claim_store
from bot.store import rounds as round_store
from bot.store import unit
from bot.store.channels import Channel
from bot.store.rounds import NewRound, Round, RoundMode

log = logging.getLogger(__name__)

BATCH = 50  # channels claimed per unit of work (one hop to the database; sends write meanwhile)
SEND_BATCH = 50  # sends leased per unit of work
RECORD_EVERY_S = 0.05  # posts sent are recorded at least this often (a paced platform: a few at a time)
CLAIM_PAUSE_S = 0.002


class Poster:
    """Claims due rounds and posts them through a ``Messenger``; failed sends back off."""

    def __init__(
        self,
        engine: AsyncEngine,
        bank: Bank,
        messenger: Messenger,
        clock: Clock,
        config: DailyConfig,
        *,
        metrics: Metrics,
        failures: Failures,
        changes: Changes,
        judged: bool = False,
    ) -> None:
        self.engine = engine
        self.bank = bank
        self.messenger = messenger
        self.clock = clock
        self.config = config
        self.metrics = metrics
        self.failures = failures
        self.changes = changes
        self.judged = judged  # a judge grades at the reveal: no "ungraded" note on the post
        self.pools = Pools(bank)

    async def post_due(self, now: datetime) -> None:
        """Claim every channel whose post is due and send what is claimed (and left from before).

        Claims run beside the sends: a fan-out's sends mostly wait for the platform's rate
        limit, and the claims fill that time, so the first post goes out after one batch of
        claims instead of after all of them (1,000 channels: about 5 s sooner).
        """
        claimed = asyncio.Event()
        claiming = asyncio.create_task(self._claim_all(now, claimed))
        try:
            await self._send_while(claiming, claimed)
        finally:
            await claiming

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

    async def _claim_batch(self, now: datetime) -> int:
        claimed = await unit.run(self.engine, claim_due(now, BATCH, self.pools, self.config), write=True)
        for channel in claimed.custom:  # workspace banks: their questions are read through SQLAlchemy
            async with self.engine.begin() as conn:
                if await claim_store.lock_if_due(conn, channel.id, now):
                    fresh = await channel_store.get_channel_by_pk(conn, channel.id)  # as locked
                    await self._claim_channel(conn, fresh, now)
        return claimed.taken

    async def _claim_channel(self, conn: AsyncConnection, channel: Channel, now: datetime) -> None:
        schedule = Schedule.from_channel(channel)
        due_at = channel.next_post_at
        assert due_at is not None  # claimed because it is due
        day = schedule.local_date(due_at)
        if missed(due_at, now, self.config):
            log.info(
                "channel %s: post of %s missed by %s (over the catch-up window); skipped",
                channel.id,
                day,
                now - due_at,
            )
            await channel_store.update_channel(conn, channel.id, next_post_at=schedule.next_post(now))
            return
        await self.claim_round(
            conn, channel, slot=day.isoformat(), day=day.isoformat(), scheduled_for=due_at, now=now
        )
        await channel_store.update_channel(
            conn, channel.id, next_post_at=schedule.next_post_after_day(day, now)
        )

    async def claim_round(
        self,
        conn: AsyncConnection,
        channel: Channel,
        *,
        slot: str,
        day: str,
        scheduled_for: datetime,
        now: datetime,
    ) -> int | None:
        """Insert a claimed round for ``slot`` with a freshly picked question; None if taken."""
        schedule = Schedule.from_channel(channel)
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
            NewRound(
                channel_pk=channel.id,
                slot=slot,
                local_date=day,
                question_id=pick.question.id,
                cycle=pick.cycle,
                mode=RoundMode(schedule.mode),
                seed=zlib.crc32(f"{channel.id}:{slot}".encode()) & 0x7FFFFFFF,
                late=now - scheduled_for > LATE_AFTER,
                scheduled_for=scheduled_for,
                reveal_at=start + schedule.reveal_after,
            ),
        )
        if round_id is not None and pick.cycle != channel.cycle:
            await channel_store.update_channel(conn, channel.id, cycle=pick.cycle)
        return round_id

    async def send_pending(self) -> int:
        """Send every claimed round whose lease is free (new claims, and retries after a crash);
        returns how many were tried. Leases are taken and posts recorded a batch per unit of work."""
        tried = 0
        while True:
            now = self.clock.now()
            work = lease_pending(now, now + self.config.lease, SEND_BATCH, self.pools)
            leased = await unit.run(self.engine, work, write=True)
            if not leased:
                return tried
            tried += await self._send_batch(leased, now)

    async def _send_batch(self, leased: list[Leased], leased_at: datetime) -> int:
        """Send leased rounds in order, recording the posts every ``RECORD_EVERY_S``; rounds left
        when half the lease is gone are given back (their lease must outlast their send)."""
        posted: list[Posted] = []
        flushed = time.monotonic()
        for i, lease in enumerate(leased):
            if self.clock.now() >= leased_at + self.config.lease / 2:
                await self._record(posted, leased[i:])
                return i
            post = await self._send_leased(lease.round.id, lease)
            if post is not None:
                posted.append(post)
            if posted and time.monotonic() - flushed >= RECORD_EVERY_S:
                await self._record(posted, [])
                posted, flushed = [], time.monotonic()
        await self._record(posted, [])
        return len(leased)

    async def _record(self, posted: list[Posted], unsent: list[Leased]) -> None:
        if not posted and not unsent:
            return
        await unit.run(self.engine, record(posted, unsent), write=True)
        for post in posted:
            channel, round_id = post.leased.channel, post.leased.round.id
            with bind(round=round_id):
                log.info(
                    "round %s posted to channel %s (attempt %s)", round_id, channel.id, post.leased.attempt
                )
            self.metrics.posted(channel.platform)
        if posted:
            self.changes.changed()

    @round_logged
    async def send_round(self, round_id: int) -> bool:
        """Post one claimed round; True when it is now open. Failures back off and retry later."""
        now = self.clock.now()
        work = lease_one(round_id, now, now + self.config.lease, self.pools)
        lease = await unit.run(self.engine, work, write=True)
        if lease is None:
            return False
        post = await self._send_leased(round_id, lease)
        if post is None:
            return False
        await self._record([post], [])
        return True

    @round_logged
    async def _send_leased(self, round_id: int, lease: Leased) -> Posted | None:
        """Send one leased round; the post to record, or None when the send failed (backed off)."""
        round_, channel = lease.round, lease.channel
        notes = lease.notes
        if notes is None:  # workspace banks
            async with self.engine.connect() as conn:
                notes = await self._post_notes(conn, channel, round_)
        question = await round_question(self.engine, self.bank, channel.id, round_.question_id)
        card = question_card(
            round_,
            question,
            notes=(*notes, *ungraded_note(question, round_.mode, judged=self.judged)),
            timezone=channel.timezone,
        )
        try:
            ref = await self.messenger.post(
                channel.ref, card, key=f"post-{round_id}", resend=lease.attempt > 1
            )
        except Exception as exc:
            await self.failures.record(channel, round_id, lease.attempt, exc)
            return None
        return Posted(lease, ref, self.clock.now())

    async def _post_notes(self, conn: AsyncConnection, channel: Channel, round_: Round) -> tuple[str, ...]:
        schedule = Schedule.from_channel(channel)
        bank = await draw_bank(conn, self.bank, channel)
        pool = pool_for(bank, schedule.topics, schedule.difficulty, schedule.mode)
        used = await round_store.used_questions(conn, channel.id, round_.cycle)
        return notes_for(round_, pool, used)
