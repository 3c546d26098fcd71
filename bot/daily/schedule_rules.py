"""The rules a schedule change must keep, and the sentences that say where a channel goes next.

A reveal comes strictly before the next post (so a round is never open when the next one
posts); after today's round the next post is on a later day; every confirmation or refusal of
``daily`` ends with where the channel's daily question goes next.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.daily.posts import format_local
from bot.daily.schedule import MAX_REVEAL, MIN_REVEAL, Schedule
from bot.store import rounds as round_store
from bot.store.channels import Channel
from bot.text.timeparse import format_days, format_duration


def reveal_problem(schedule: Schedule) -> str:
    """Why the schedule's reveal is not accepted (empty when it is): it must fall in 1m..7d and
    strictly before the next post, so a round is never open when the next one is posted."""
    if not MIN_REVEAL <= schedule.reveal_after <= MAX_REVEAL:
        return (
            f"The reveal delay must be from {format_duration(MIN_REVEAL)} to {format_duration(MAX_REVEAL)} "
            "(for example reveal 4h). Nothing was changed."
        )
    gap = schedule.shortest_gap()
    if schedule.reveal_after >= gap:
        return (
            f"reveal {format_duration(schedule.reveal_after)} would still be open when the next "
            f"question posts ({format_days(schedule.days)} at {schedule.post_time:%H:%M} "
            f"{schedule.timezone}, as little as {format_duration(gap)} apart): use a reveal shorter "
            f"than {format_duration(gap)}, for example reveal 4h. Nothing was changed."
        )
    return ""


async def next_post_for(
    conn: AsyncConnection, channel_pk: int, schedule: Schedule, now: datetime
) -> datetime:
    """The schedule's next post; after today's round (local date) it is on a later day."""
    today = schedule.local_date(now)
    if await round_store.slot_count(conn, channel_pk, today.isoformat()):
        return schedule.next_post_after_day(today, now)
    return schedule.next_post(now)


def next_step(channel: Channel) -> str:
    """Where the channel's daily question goes next, as one sentence that leads somewhere."""
    if not channel.scheduled:
        return "The daily question is off here; `daily set HH:MM` starts it again with the same settings."
    if channel.paused:
        return "The daily question is paused; `daily resume` starts it again."
    if channel.next_post_at is None:
        return "`daily status` shows the schedule."
    return f"Next question: {format_local(channel.next_post_at, channel.timezone)}."
