"""The rows the exports read: a member's cards and answers, a channel's rounds and answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import answers, cards, channels, rounds, users


async def user_cards(conn: AsyncConnection, user_pk: int) -> list[Any]:
    """A member's practice cards, due first."""
    statement = (
        select(cards.c.question_id, cards.c.due, cards.c.origin, cards.c.reviews)
        .where(cards.c.user_pk == user_pk)
        .order_by(cards.c.due, cards.c.question_id)
    )
    return list((await conn.execute(statement)).all())


async def user_answers(conn: AsyncConnection, user_pk: int) -> list[Any]:
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
    return list((await conn.execute(statement)).all())


async def channel_rounds(conn: AsyncConnection, channel_pk: int) -> list[Any]:
    """Every round of a channel, each with its answers (one row per answer; none: one row)."""
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
    return list((await conn.execute(statement)).all())
