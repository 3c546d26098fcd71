"""What an admin's ``daily`` verbs may ask of the daily engine, and nothing more.

``daily now|reveal|skip|resume`` act on one channel at once; everything else (schedules, status)
is plain store work in ``bot.daily.admin``. ``DailyControls`` is the interface admin verbs see;
``Controls`` carries it out with the poster and the revealer.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.daily.changes import Changes
from bot.daily.policy import DailyConfig
from bot.daily.poster import Poster
from bot.daily.revealer import Revealer
from bot.daily.schedule import Schedule
from bot.daily.schedule_rules import next_post_for
from bot.ports import Clock
from bot.store import channels as channel_store
from bot.store import rounds as round_store
from bot.store.channels import Channel
from bot.store.rounds import CLAIMED, OPEN, SKIPPED


class Outcome(StrEnum):
    """How an admin verb went."""

    DONE = "done"  # posted, revealed, or skipped and replaced
    PENDING = "pending"  # accepted; the post or reveal is retried automatically
    NOTHING_OPEN = "nothing open"  # no open round to reveal or skip
    ALREADY_OPEN = "already open"  # today's round is posted and still open
    ALREADY_DONE = "already done"  # today's round was posted and revealed


class DailyControls(Protocol):
    """The daily engine as admin verbs see it."""

    def changed(self) -> None:
        """A schedule changed: the next due moment may have moved."""

    async def post_now(self, channel: Channel) -> Outcome:
        """Post today's round now; it counts as today's, so the scheduled time does not post again."""

    async def reveal_now(self, channel: Channel) -> Outcome:
        """Reveal the channel's open round now."""

    async def skip(self, channel: Channel) -> Outcome:
        """Close the open round unscored and post a replacement question."""

    async def resume(self, channel: Channel) -> datetime:
        """Unpause a channel; returns its next post."""


class Controls:
    """``DailyControls`` carried out by the poster and the revealer."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        config: DailyConfig,
        *,
        poster: Poster,
        revealer: Revealer,
        changes: Changes,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.config = config
        self.poster = poster
        self.revealer = revealer
        self.changes = changes

    def changed(self) -> None:
        """A schedule changed: the next due moment may have moved."""
        self.changes.changed()

    async def post_now(self, channel: Channel) -> Outcome:
        """Post today's round now; it counts as today's, so the scheduled time does not post again."""
        now = self.clock.now()
        schedule = Schedule.from_channel(channel)
        day = schedule.local_date(now)
        async with self.engine.begin() as conn:
            round_id = await self.poster.claim_round(
                conn, channel, slot=day.isoformat(), day=day.isoformat(), scheduled_for=now, now=now
            )
            if round_id is None:
                latest = await round_store.latest_round(conn, channel.id)
                if latest is not None and latest.state in (OPEN, CLAIMED):
                    return Outcome.ALREADY_OPEN
                return Outcome.ALREADY_DONE
            if (
                channel.scheduled
                and channel.next_post_at is not None
                and schedule.local_date(channel.next_post_at) <= day
            ):
                await channel_store.update_channel(
                    conn, channel.id, next_post_at=schedule.next_post_after_day(day, now)
                )
        return Outcome.DONE if await self.poster.send_round(round_id) else Outcome.PENDING

    async def reveal_now(self, channel: Channel) -> Outcome:
        """Reveal the channel's open round now."""
        async with self.engine.begin() as conn:
            latest = await round_store.latest_round(conn, channel.id)
            if latest is None or latest.state != OPEN:
                return Outcome.NOTHING_OPEN
            await round_store.reveal_from(conn, latest.id, self.clock.now())
        return Outcome.DONE if await self.revealer.reveal_round(latest.id) else Outcome.PENDING

    async def skip(self, channel: Channel) -> Outcome:
        """Close the open round unscored and post a replacement question."""
        now = self.clock.now()
        async with self.engine.begin() as conn:
            latest = await round_store.latest_round(conn, channel.id)
            if latest is None or not await round_store.transition(
                conn, latest.id, OPEN, SKIPPED, revealed_at=now
            ):
                return Outcome.NOTHING_OPEN
            day = latest.local_date
            count = await round_store.slot_count(conn, channel.id, day)
            fresh = await channel_store.get_channel_by_pk(conn, channel.id)
            round_id = await self.poster.claim_round(
                conn, fresh, slot=f"{day}#{count + 1}", day=day, scheduled_for=now, now=now
            )
        await self.revealer.close_skipped(latest.id)
        if round_id is None or not await self.poster.send_round(round_id):
            return Outcome.PENDING
        return Outcome.DONE

    async def resume(self, channel: Channel) -> datetime:
        """Unpause a channel; returns its next post. A post that could not go out while paused is
        only worth sending within the catch-up window: older claimed posts are skipped."""
        now = self.clock.now()
        async with self.engine.begin() as conn:
            next_post = await next_post_for(conn, channel.id, Schedule.from_channel(channel), now)
            await channel_store.update_channel(
                conn,
                channel.id,
                paused=False,
                next_post_at=next_post,
                failures=0,
                failing_since=None,
                last_error=None,
            )
            await round_store.skip_stale_claims(conn, channel.id, now - self.config.catchup)
        return next_post
