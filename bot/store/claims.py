"""The poster's statements as unit-of-work queries (``bot.store.unit``): claim, lease, record.

A fan-out runs these thousands of times, so they are compiled once and run in batches on the
database's side; the poster's units (``bot.daily.claiming``) yield them. The rules are those of
``bot.store.rounds``: a claim is a round row the schema keeps unique, a send holds a lease, a
record is a conditional transition from ``claimed`` to ``open``.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.channels import Channel
from bot.store.dialect import insert_construct, skip_locked
from bot.store.rounds import CLAIMED, OPEN, NewRound, Round, RoundMode, RoundState
from bot.store.tables import channel_banks, channels, rounds
from bot.store.unit import Query, Row

_CHANNEL_COLUMNS = tuple(channels.c[f.name] for f in fields(Channel))
_ROUND_COLUMNS = tuple(rounds.c[f.name] for f in fields(Round))
CHANNEL_WIDTH = len(_CHANNEL_COLUMNS)
ROUND_WIDTH = len(_ROUND_COLUMNS)


def channel_of(values: Row) -> Channel:
    """The channel record of a row that starts with the channel's columns."""
    named = dict(zip((f.name for f in fields(Channel)), values[:CHANNEL_WIDTH], strict=True))
    named["mode"] = RoundMode(named["mode"])
    named["scheduled"] = bool(named["scheduled"])
    named["paused"] = bool(named["paused"])
    return Channel(**named)


def round_of(values: Row) -> Round:
    """The round record of a row that starts with the round's columns."""
    named = dict(zip((f.name for f in fields(Round)), values[:ROUND_WIDTH], strict=True))
    named["mode"] = RoundMode(named["mode"])
    named["state"] = RoundState(named["state"])
    named["late"] = bool(named["late"])
    named["scored"] = bool(named["scored"])
    return Round(**named)


def _due_channels(dialect: str) -> Any:
    statement = (
        select(*_CHANNEL_COLUMNS, channel_banks.c.names)
        .select_from(channels.outerjoin(channel_banks, channel_banks.c.channel_pk == channels.c.id))
        .where(
            channels.c.scheduled.is_(True),
            channels.c.paused.is_(False),
            channels.c.next_post_at <= bindparam("now"),
        )
        .order_by(channels.c.next_post_at)
        .limit(bindparam("limit"))
    )
    # on PostgreSQL, rows another process holds are skipped, so processes split the due channels
    return statement.with_for_update(of=channels, skip_locked=dialect == "postgresql")


# due channels, earliest first, locked for the unit; each with its chosen banks (JSON, or None)
DUE_CHANNELS = Query(_due_channels)
USED_QUESTIONS = Query(
    select(rounds.c.question_id).where(
        rounds.c.channel_pk == bindparam("channel_pk"), rounds.c.cycle == bindparam("cycle")
    )
)
_NEW_ROUND = tuple(f.name for f in fields(NewRound))
# the claim: no row (None) when the slot or the question in this cycle is taken already
INSERT_ROUND = Query(
    lambda dialect: insert_construct(dialect, rounds).on_conflict_do_nothing().returning(rounds.c.id),
    (*_NEW_ROUND, "state"),
)
SET_NEXT_POST = Query(
    update(channels).where(channels.c.id == bindparam("pk")).values(next_post_at=bindparam("next_post_at"))
)
SET_CYCLE = Query(update(channels).where(channels.c.id == bindparam("pk")).values(cycle=bindparam("cycle")))

_lease_free = or_(rounds.c.lease_until.is_(None), rounds.c.lease_until < bindparam("now"))
# claimed rounds not yet posted whose lease is free, in channels that are not paused
PENDING_SENDS = Query(
    select(rounds.c.id)
    .join(channels, channels.c.id == rounds.c.channel_pk)
    .where(rounds.c.state == str(CLAIMED), _lease_free, channels.c.paused.is_(False))
    .order_by(rounds.c.id)
    .limit(bindparam("limit"))
)
TAKE_LEASE = Query(
    update(rounds)
    .where(rounds.c.id == bindparam("round_id"), rounds.c.state == str(CLAIMED), _lease_free)
    .values(lease_until=bindparam("until"), post_attempts=rounds.c.post_attempts + 1)
    .returning(rounds.c.post_attempts)
)
ROUND_AND_CHANNEL = Query(
    select(*_ROUND_COLUMNS, *_CHANNEL_COLUMNS, channel_banks.c.names)
    .select_from(
        rounds.join(channels, channels.c.id == rounds.c.channel_pk).outerjoin(
            channel_banks, channel_banks.c.channel_pk == channels.c.id
        )
    )
    .where(rounds.c.id == bindparam("round_id"))
)
# a lease given back unused (the batch ran out of lease time before this send)
RELEASE_LEASE = Query(
    update(rounds)
    .where(
        rounds.c.id == bindparam("round_id"),
        rounds.c.state == str(CLAIMED),
        rounds.c.lease_until == bindparam("until"),
    )
    .values(lease_until=None, post_attempts=rounds.c.post_attempts - 1)
)
RECORD_POST = Query(
    update(rounds)
    .where(rounds.c.id == bindparam("round_id"), rounds.c.state == str(CLAIMED))
    .values(
        state=str(OPEN),
        message_id=bindparam("message_id"),
        thread_id=bindparam("thread_id"),
        posted_at=bindparam("posted_at"),
        lease_until=None,
    )
)
CLEAR_FAILURES = Query(
    update(channels)
    .where(channels.c.id == bindparam("pk"))
    .values(failures=0, failing_since=None, last_error=None)
)


async def lock_if_due(conn: AsyncConnection, channel_pk: int, now: datetime) -> bool:
    """Lock one channel for this transaction if its post is still due (scheduled, unpaused); on
    PostgreSQL a channel another process holds counts as not due."""
    statement = (
        select(channels.c.id)
        .where(
            channels.c.id == channel_pk,
            channels.c.scheduled.is_(True),
            channels.c.paused.is_(False),
            channels.c.next_post_at <= now,
        )
        .with_for_update(skip_locked=skip_locked(conn))
    )
    return (await conn.execute(statement)).first() is not None
