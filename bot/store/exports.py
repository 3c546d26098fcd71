"""What the exports read: a member's daily answers, a channel's rounds with their answers.

A member's flashcards come from ``bot.store.flashcards``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.grading import Verdict
from bot.store.tables import answers, channels, rounds, users


@dataclass(frozen=True)
class AnswerLine:
    """One daily answer of a member, with its round and channel."""

    round_id: int
    local_date: str
    question_id: str
    mode: str
    seed: int
    scored: bool
    channel_id: str
    text: str | None
    choice: int | None
    verdict: Verdict
    score: float
    points: int
    answered_at: datetime


@dataclass(frozen=True)
class RoundLine:
    """One round of a channel with one of its answers; the answer fields are None when nobody answered."""

    round_id: int
    local_date: str
    slot: str
    question_id: str
    mode: str
    seed: int
    state: str
    scored: bool
    posted_at: datetime | None
    revealed_at: datetime | None
    user_id: str | None
    display_name: str | None
    text: str | None
    choice: int | None
    verdict: Verdict | None
    score: float | None
    points: int | None
    answered_at: datetime | None


async def user_answers(conn: AsyncConnection, user_pk: int) -> list[AnswerLine]:
    """A member's daily answers with their rounds and channels, oldest first."""
    statement = (
        select(
            answers.c.text,
            answers.c.choice,
            answers.c.verdict,
            answers.c.score,
            answers.c.points,
            answers.c.answered_at,
            rounds.c.id.label("round_id"),
            rounds.c.local_date,
            rounds.c.question_id,
            rounds.c.mode,
            rounds.c.seed,
            rounds.c.scored,
            channels.c.channel_id,
        )
        .join(rounds, rounds.c.id == answers.c.round_id)
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .where(answers.c.user_pk == user_pk)
        .order_by(answers.c.answered_at, answers.c.id)
    )
    return [
        AnswerLine(
            round_id=int(row.round_id),
            local_date=str(row.local_date),
            question_id=str(row.question_id),
            mode=str(row.mode),
            seed=int(row.seed),
            scored=bool(row.scored),
            channel_id=str(row.channel_id),
            text=row.text,
            choice=row.choice,
            verdict=Verdict(row.verdict),
            score=float(row.score),
            points=int(row.points),
            answered_at=row.answered_at,
        )
        for row in await conn.execute(statement)
    ]


def _round_line(row: Any) -> RoundLine:
    return RoundLine(
        round_id=int(row.round_id),
        local_date=str(row.local_date),
        slot=str(row.slot),
        question_id=str(row.question_id),
        mode=str(row.mode),
        seed=int(row.seed),
        state=str(row.state),
        scored=bool(row.scored),
        posted_at=row.posted_at,
        revealed_at=row.revealed_at,
        user_id=row.user_id,
        display_name=row.display_name,
        text=row.text,
        choice=row.choice,
        verdict=Verdict(row.verdict) if row.verdict is not None else None,
        score=float(row.score) if row.score is not None else None,
        points=int(row.points) if row.points is not None else None,
        answered_at=row.answered_at,
    )


async def channel_rounds(conn: AsyncConnection, channel_pk: int) -> list[RoundLine]:
    """Every round of a channel, each with its answers (one line per answer; none: one line)."""
    statement = (
        select(
            rounds.c.id.label("round_id"),
            rounds.c.local_date,
            rounds.c.slot,
            rounds.c.question_id,
            rounds.c.mode,
            rounds.c.seed,
            rounds.c.state,
            rounds.c.scored,
            rounds.c.posted_at,
            rounds.c.revealed_at,
            users.c.user_id,
            users.c.display_name,
            answers.c.text,
            answers.c.choice,
            answers.c.verdict,
            answers.c.score,
            answers.c.points,
            answers.c.answered_at,
        )
        .select_from(rounds)
        .outerjoin(answers, answers.c.round_id == rounds.c.id)
        .outerjoin(users, users.c.id == answers.c.user_pk)
        .where(rounds.c.channel_pk == channel_pk)
        .order_by(rounds.c.id, answers.c.answered_at, answers.c.id)
    )
    return [_round_line(row) for row in await conn.execute(statement)]
