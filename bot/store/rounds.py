"""Rounds: claimed before anything is sent; every later transition is a conditional update.

States: ``claimed`` (row inserted, post not confirmed) -> ``open`` (posted, taking answers) ->
``revealing`` (reveal claimed) -> ``revealed``. ``skipped`` closes a round without scoring.
A lease (``lease_until``) marks who is working on a claimed or revealing round; when it expires
(the worker died), anyone may take the work over, reusing the same idempotency key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import channels, rounds

CLAIMED, OPEN, REVEALING, REVEALED, SKIPPED = "claimed", "open", "revealing", "revealed", "skipped"


async def insert_round(conn: AsyncConnection, values: dict[str, Any]) -> int | None:
    """Claim a round; None when the slot (or the question in this cycle) is already taken."""
    try:
        async with conn.begin_nested():
            result = await conn.execute(rounds.insert().values(state=CLAIMED, **values))
    except IntegrityError:
        return None
    key = result.inserted_primary_key
    return int(key[0]) if key else None


async def get_round(conn: AsyncConnection, round_id: int) -> Row[Any] | None:
    """One round by id."""
    return (await conn.execute(select(rounds).where(rounds.c.id == round_id))).first()


async def get_round_with_channel(conn: AsyncConnection, round_id: int) -> Row[Any] | None:
    """One round by id plus its channel's ``channel_platform``, ``channel_workspace`` and
    ``channel_timezone``, in one query (answers look both up on every submission)."""
    statement = (
        select(
            rounds,
            channels.c.platform.label("channel_platform"),
            channels.c.workspace_id.label("channel_workspace"),
            channels.c.timezone.label("channel_timezone"),
        )
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .where(rounds.c.id == round_id)
    )
    return (await conn.execute(statement)).first()


async def latest_round(conn: AsyncConnection, channel_pk: int) -> Row[Any] | None:
    """The channel's most recent round."""
    statement = select(rounds).where(rounds.c.channel_pk == channel_pk).order_by(rounds.c.id.desc()).limit(1)
    return (await conn.execute(statement)).first()


async def slot_count(conn: AsyncConnection, channel_pk: int, local_date: str) -> int:
    """How many rounds the channel has for a local date (scheduled plus replacements)."""
    statement = select(func.count()).where(
        rounds.c.channel_pk == channel_pk, rounds.c.local_date == local_date
    )
    return int((await conn.execute(statement)).scalar_one())


async def used_questions(conn: AsyncConnection, channel_pk: int, cycle: int) -> set[str]:
    """Question ids already asked in the channel's current cycle."""
    statement = select(rounds.c.question_id).where(rounds.c.channel_pk == channel_pk, rounds.c.cycle == cycle)
    return set((await conn.execute(statement)).scalars())


def _lease_free(now: datetime) -> Any:
    return or_(rounds.c.lease_until.is_(None), rounds.c.lease_until < now)


async def take_lease(
    conn: AsyncConnection,
    round_id: int,
    state: str,
    now: datetime,
    until: datetime,
    *,
    counter: str,
) -> int | None:
    """Take the work on a round in ``state`` if nobody holds it; returns the attempt number."""
    result = await conn.execute(
        update(rounds)
        .where(rounds.c.id == round_id, rounds.c.state == state, _lease_free(now))
        .values(lease_until=until, **{counter: rounds.c[counter] + 1})
        .returning(rounds.c[counter])
    )
    row = result.first()
    return int(row[0]) if row is not None else None


async def transition(
    conn: AsyncConnection, round_id: int, from_state: str, to_state: str, **values: Any
) -> bool:
    """Move a round from one state to another; exactly one caller wins."""
    result = await conn.execute(
        update(rounds)
        .where(rounds.c.id == round_id, rounds.c.state == from_state)
        .values(state=to_state, **values)
    )
    return bool(result.rowcount)


async def lock_open_round(conn: AsyncConnection, round_id: int) -> bool:
    """Hold the round row for this transaction if it is open; False when it is not open.

    The no-op update takes the row lock on PostgreSQL (and the write lock on SQLite), so a
    concurrent reveal claim waits for this answer to commit and then scores it.
    """
    result = await conn.execute(
        update(rounds).where(rounds.c.id == round_id, rounds.c.state == OPEN).values(state=OPEN)
    )
    return bool(result.rowcount)


async def pending_sends(conn: AsyncConnection, now: datetime, limit: int) -> list[Row[Any]]:
    """Claimed rounds not yet posted whose lease is free (new claims and crashed sends), in
    channels that are not paused: a channel paused after its platform refused access gets no
    more attempts until an admin resumes it."""
    statement = (
        select(rounds.c.id)
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .where(rounds.c.state == CLAIMED, _lease_free(now), channels.c.paused.is_(False))
        .order_by(rounds.c.id)
        .limit(limit)
    )
    return list((await conn.execute(statement)).all())


async def pending_reveals(conn: AsyncConnection, now: datetime, limit: int) -> list[Row[Any]]:
    """Open rounds past their reveal time, and reveals whose worker died."""
    statement = (
        select(rounds.c.id)
        .where(
            or_(
                and_(rounds.c.state == OPEN, rounds.c.reveal_at <= now),
                and_(rounds.c.state == REVEALING, _lease_free(now)),
            )
        )
        .order_by(rounds.c.reveal_at)
        .limit(limit)
    )
    return list((await conn.execute(statement)).all())


async def next_round_due(conn: AsyncConnection) -> datetime | None:
    """The earliest moment a round needs work: a reveal time or an expiring lease."""
    reveal = (await conn.execute(select(func.min(rounds.c.reveal_at)).where(rounds.c.state == OPEN))).scalar()
    lease = (
        await conn.execute(
            select(func.min(rounds.c.lease_until)).where(rounds.c.state.in_([CLAIMED, REVEALING]))
        )
    ).scalar()
    moments: list[datetime] = [m for m in (reveal, lease) if m is not None]
    return min(moments) if moments else None
