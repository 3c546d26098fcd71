"""Rounds: claimed before anything is sent; every later transition is a conditional update.

States: ``claimed`` (row inserted, post not confirmed) -> ``open`` (posted, taking answers) ->
``revealing`` (reveal claimed) -> ``revealed``. ``skipped`` closes a round without scoring.
A lease (``lease_until``) marks who is working on a claimed or revealing round; when it expires
(the worker died), anyone may take the work over, reusing the same idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import rounds


class RoundState(StrEnum):
    """Where a round is in its life (see the module docstring)."""

    CLAIMED = "claimed"
    OPEN = "open"
    REVEALING = "revealing"
    REVEALED = "revealed"
    SKIPPED = "skipped"


class RoundMode(StrEnum):
    """How a round is answered: free text, or a pick of one of four options."""

    OPEN = "open"
    QUIZ = "quiz"


# the states by their short names, as the answer path compares them
CLAIMED = RoundState.CLAIMED
OPEN = RoundState.OPEN
REVEALING = RoundState.REVEALING
REVEALED = RoundState.REVEALED
SKIPPED = RoundState.SKIPPED


@dataclass(frozen=True)
class Round:
    """One daily round of a channel: its question, state, timing and post."""

    id: int
    channel_pk: int
    slot: str  # the local date; "<date>#<n>" for a replacement after a skip
    local_date: str
    question_id: str
    cycle: int
    mode: RoundMode
    seed: int
    state: RoundState
    late: bool
    scheduled_for: datetime
    reveal_at: datetime
    post_attempts: int
    reply_attempts: int
    lease_until: datetime | None
    message_id: str | None
    thread_id: str | None
    posted_at: datetime | None
    revealed_at: datetime | None
    scored: bool
    seq: int | None

    @classmethod
    def from_row(cls, row: Any) -> Round:
        """The record of a ``rounds`` row (extra columns of a join are ignored)."""
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        values["mode"] = RoundMode(values["mode"])
        values["state"] = RoundState(values["state"])
        values["late"] = bool(values["late"])
        values["scored"] = bool(values["scored"])
        return cls(**values)


@dataclass(frozen=True)
class RoundInChannel(Round):
    """A round plus what the answer path needs of its channel."""

    channel_platform: str
    channel_workspace: str
    channel_timezone: str


@dataclass(frozen=True)
class NewRound:
    """A round about to be claimed for a channel's slot."""

    channel_pk: int
    slot: str
    local_date: str
    question_id: str
    cycle: int
    mode: RoundMode
    seed: int
    late: bool
    scheduled_for: datetime
    reveal_at: datetime


def _round(row: Any) -> Round | None:
    return None if row is None else Round.from_row(row)


async def insert_round(conn: AsyncConnection, new: NewRound) -> int | None:
    """Claim a round; None when the slot (or the question in this cycle) is already taken."""
    values = {f.name: getattr(new, f.name) for f in fields(new)}
    values["mode"] = str(new.mode)
    try:
        async with conn.begin_nested():
            result = await conn.execute(rounds.insert().values(state=str(CLAIMED), **values))
    except IntegrityError:
        return None
    key = result.inserted_primary_key
    return int(key[0]) if key else None


async def get_round(conn: AsyncConnection, round_id: int) -> Round | None:
    """One round by id."""
    return _round((await conn.execute(select(rounds).where(rounds.c.id == round_id))).first())


async def latest_round(conn: AsyncConnection, channel_pk: int) -> Round | None:
    """The channel's most recent round."""
    statement = select(rounds).where(rounds.c.channel_pk == channel_pk).order_by(rounds.c.id.desc()).limit(1)
    return _round((await conn.execute(statement)).first())


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
    state: RoundState,
    now: datetime,
    until: datetime,
    *,
    counter: str,
) -> int | None:
    """Take the work on a round in ``state`` if nobody holds it; returns the attempt number."""
    result = await conn.execute(
        update(rounds)
        .where(rounds.c.id == round_id, rounds.c.state == str(state), _lease_free(now))
        .values(lease_until=until, **{counter: rounds.c[counter] + 1})
        .returning(rounds.c[counter])
    )
    row = result.first()
    return int(row[0]) if row is not None else None


async def claim_reveal(conn: AsyncConnection, round_id: int, now: datetime, until: datetime) -> int | None:
    """Claim the reveal of an open round past its reveal time, or take over a reveal whose
    worker died; returns the attempt number, None if someone else has it."""
    result = await conn.execute(
        update(rounds)
        .where(rounds.c.id == round_id, rounds.c.state == str(OPEN), rounds.c.reveal_at <= now)
        .values(state=str(REVEALING), lease_until=until, reply_attempts=rounds.c.reply_attempts + 1)
        .returning(rounds.c.reply_attempts)
    )
    row = result.first()
    if row is not None:
        return int(row[0])
    return await take_lease(conn, round_id, REVEALING, now, until, counter="reply_attempts")


async def transition(
    conn: AsyncConnection, round_id: int, from_state: RoundState, to_state: RoundState, **values: Any
) -> bool:
    """Move a round from one state to another; exactly one caller wins."""
    result = await conn.execute(
        update(rounds)
        .where(rounds.c.id == round_id, rounds.c.state == str(from_state))
        .values(state=str(to_state), **values)
    )
    return bool(result.rowcount)


async def retry_after(conn: AsyncConnection, round_id: int, until: datetime) -> None:
    """Leave a round alone until ``until`` (a failed send backs off)."""
    await conn.execute(update(rounds).where(rounds.c.id == round_id).values(lease_until=until))


async def reveal_from(conn: AsyncConnection, round_id: int, moment: datetime) -> None:
    """Move a round's reveal time (an admin's ``daily reveal``: now)."""
    await conn.execute(update(rounds).where(rounds.c.id == round_id).values(reveal_at=moment))


async def claim_scoring(conn: AsyncConnection, round_id: int) -> bool:
    """Mark a round scored; True for the one caller that does it (scoring happens once)."""
    won = await conn.execute(
        update(rounds).where(rounds.c.id == round_id, rounds.c.scored.is_(False)).values(scored=True)
    )
    return bool(won.rowcount)


async def set_seq(conn: AsyncConnection, round_id: int, seq: int) -> None:
    """Record a round's place in its channel's sequence of reveals (streaks count in it)."""
    await conn.execute(update(rounds).where(rounds.c.id == round_id).values(seq=seq))


async def skip_stale_claims(conn: AsyncConnection, channel_pk: int, before: datetime) -> None:
    """Skip the channel's claimed, never posted rounds scheduled before ``before``."""
    await conn.execute(
        update(rounds)
        .where(
            rounds.c.channel_pk == channel_pk,
            rounds.c.state == str(CLAIMED),
            rounds.c.scheduled_for < before,
        )
        .values(state=str(SKIPPED))
    )


async def pending_reveals(conn: AsyncConnection, now: datetime, limit: int) -> list[int]:
    """Ids of open rounds past their reveal time, and of reveals whose worker died."""
    statement = (
        select(rounds.c.id)
        .where(
            or_(
                and_(rounds.c.state == str(OPEN), rounds.c.reveal_at <= now),
                and_(rounds.c.state == str(REVEALING), _lease_free(now)),
            )
        )
        .order_by(rounds.c.reveal_at)
        .limit(limit)
    )
    return [int(i) for i in (await conn.execute(statement)).scalars()]


async def next_round_due(conn: AsyncConnection) -> datetime | None:
    """The earliest moment a round needs work: a reveal time or an expiring lease."""
    reveal = (
        await conn.execute(select(func.min(rounds.c.reveal_at)).where(rounds.c.state == str(OPEN)))
    ).scalar()
    lease = (
        await conn.execute(
            select(func.min(rounds.c.lease_until)).where(rounds.c.state.in_([str(CLAIMED), str(REVEALING)]))
        )
    ).scalar()
    moments: list[datetime] = [m for m in (reveal, lease) if m is not None]
    return min(moments) if moments else None
