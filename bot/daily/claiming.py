"""The poster's units of work: claim a batch of due channels, lease a batch of sends, record posts.

Each is one ``bot.store.unit`` unit (one hop to SQLite's thread, one transaction), doing for a
whole batch what ``Poster.claim_round`` and the lease, read and record of one send do, by the same
rules. Questions come from the bundled bank in memory; a channel that draws from workspace banks
needs their stored questions, so its claim and its post notes are left to the poster's
SQLAlchemy path (``custom`` below).
"""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import dataclass
from datetime import datetime

from bot.bank.catalog import DEFAULT
from bot.bank.model import Bank, Question
from bot.daily.picker import left_in_cycle, pick_for_channel, pool_for, running_low
from bot.daily.policy import LATE_AFTER, DailyConfig, missed
from bot.daily.schedule import Schedule
from bot.ports import MessageRef
from bot.store import claims as q
from bot.store.channels import Channel
from bot.store.rounds import CLAIMED, Round, RoundMode
from bot.store.unit import Work

log = logging.getLogger(__name__)

LATE_NOTE = "Posted late: the bot was offline at the scheduled time."


class Pools:
    """The bundled bank's pool per filter (topics, difficulty, mode), computed once each."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self._pools: dict[tuple[tuple[str, ...], str | None, str], list[Question]] = {}

    def of(self, schedule: Schedule) -> list[Question]:
        """The questions a channel with ``schedule`` draws from the bundled bank."""
        key = (schedule.topics, schedule.difficulty, schedule.mode)
        found = self._pools.get(key)
        if found is None:
            found = self._pools[key] = pool_for(
                self.bank, schedule.topics, schedule.difficulty, schedule.mode
            )
        return found


def bundled_only(names: str | None) -> bool:
    """Whether a channel's chosen banks (``channel_banks.names``) are the bundled bank alone."""
    return names is None or tuple(json.loads(names)) == DEFAULT


@dataclass(frozen=True)
class Claimed:
    """What a claim unit did: how many due channels it took, and those it left to the poster
    because they draw from workspace banks (still due, untouched)."""

    taken: int
    custom: tuple[Channel, ...]


def claim_due(now: datetime, limit: int, pools: Pools, config: DailyConfig) -> Work[Claimed]:
    """Claim up to ``limit`` due channels: each gets its round claimed (or its missed post skipped)
    and its next post moved, as ``Poster._claim_channel`` does one."""
    rows = (yield q.DUE_CHANNELS(now=now, limit=limit)).rows
    custom = []
    for row in rows:
        channel = q.channel_of(row)
        if not bundled_only(row[q.CHANNEL_WIDTH]):
            custom.append(channel)
            continue
        schedule = Schedule.from_channel(channel)
        due_at = channel.next_post_at
        assert due_at is not None  # claimed because it is due
        day = schedule.local_date(due_at)
        if missed(due_at, now, config):
            log.info(
                "channel %s: post of %s missed by %s (over the catch-up window); skipped",
                channel.id,
                day,
                now - due_at,
            )
            yield q.SET_NEXT_POST(pk=channel.id, next_post_at=schedule.next_post(now))
            continue
        yield from _claim_round(channel, schedule, day.isoformat(), due_at, now, pools)
        yield q.SET_NEXT_POST(pk=channel.id, next_post_at=schedule.next_post_after_day(day, now))
    return Claimed(len(rows), tuple(custom))


def _claim_round(
    channel: Channel, schedule: Schedule, slot: str, scheduled_for: datetime, now: datetime, pools: Pools
) -> Work[None]:
    pool = pools.of(schedule)
    used = {r[0] for r in (yield q.USED_QUESTIONS(channel_pk=channel.id, cycle=channel.cycle)).rows}
    pick = pick_for_channel(pool, used, channel.cycle, seed=f"{channel.id}:{slot}")
    if pick is None:
        log.warning("channel %s: no question matches its filters; nothing posted", channel.id)
        return
    inserted = yield q.INSERT_ROUND(
        channel_pk=channel.id,
        slot=slot,
        local_date=slot,
        question_id=pick.question.id,
        cycle=pick.cycle,
        mode=str(RoundMode(schedule.mode)),
        seed=zlib.crc32(f"{channel.id}:{slot}".encode()) & 0x7FFFFFFF,
        late=now - scheduled_for > LATE_AFTER,
        scheduled_for=scheduled_for,
        reveal_at=max(now, scheduled_for) + schedule.reveal_after,
        state=str(CLAIMED),
    )
    if inserted.rows and pick.cycle != channel.cycle:
        yield q.SET_CYCLE(pk=channel.id, cycle=pick.cycle)


@dataclass(frozen=True)
class Leased:
    """A claimed round this process now holds the lease on, ready to send.

    ``notes`` are the post's notes (late, bank running low); None when the channel draws from
    workspace banks, whose pool the poster reads itself."""

    round: Round
    channel: Channel
    attempt: int
    until: datetime
    notes: tuple[str, ...] | None


def lease_pending(now: datetime, until: datetime, limit: int, pools: Pools) -> Work[list[Leased]]:
    """Take the lease on up to ``limit`` pending sends (new claims, and retries after a crash);
    a round another caller took meanwhile is left out."""
    ids = [r[0] for r in (yield q.PENDING_SENDS(now=now, limit=limit)).rows]
    leased = []
    for round_id in ids:
        found = yield from lease_one(round_id, now, until, pools)
        if found is not None:
            leased.append(found)
    return leased


def lease_one(round_id: int, now: datetime, until: datetime, pools: Pools) -> Work[Leased | None]:
    """Take the lease on one claimed round; None if it is not claimed or someone holds it."""
    won = (yield q.TAKE_LEASE(round_id=round_id, now=now, until=until)).first()
    if won is None:
        return None
    row = (yield q.ROUND_AND_CHANNEL(round_id=round_id)).rows[0]
    round_ = q.round_of(row)
    channel = q.channel_of(row[q.ROUND_WIDTH :])
    notes: tuple[str, ...] | None = None
    if bundled_only(row[q.ROUND_WIDTH + q.CHANNEL_WIDTH]):
        pool = pools.of(Schedule.from_channel(channel))
        used = {r[0] for r in (yield q.USED_QUESTIONS(channel_pk=channel.id, cycle=round_.cycle)).rows}
        notes = post_notes(round_, pool, used)
    return Leased(round_, channel, int(won[0]), until, notes)


def post_notes(round_: Round, pool: list[Question], used: set[str]) -> tuple[str, ...]:
    """A post's notes: late, and (for admins) the pool running low before questions repeat."""
    notes = [LATE_NOTE] if round_.late else []
    left = left_in_cycle(pool, used)
    if pool and running_low(left, len(pool)):
        notes.append(f"Admins: {left} of {len(pool)} questions left before the bank starts over.")
    return tuple(notes)


@dataclass(frozen=True)
class Posted:
    """A sent post, to record: the round opens with its message."""

    leased: Leased
    ref: MessageRef
    posted_at: datetime


def record(posted: list[Posted], unsent: list[Leased]) -> Work[None]:
    """Open every posted round with its message (clearing its channel's failures), and give back
    the leases of rounds left unsent, in one transaction."""
    for post in posted:
        yield q.RECORD_POST(
            round_id=post.leased.round.id,
            message_id=post.ref.message_id,
            thread_id=post.ref.thread_id,
            posted_at=post.posted_at,
        )
        channel = post.leased.channel
        if channel.failures or channel.last_error is not None:
            yield q.CLEAR_FAILURES(pk=channel.id)
    for leased in unsent:
        yield q.RELEASE_LEASE(round_id=leased.round.id, until=leased.until)
