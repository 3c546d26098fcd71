"""Answers to daily rounds: one row per user per round (the schema's UNIQUE), replaced until reveal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import insert_ignore, upsert_replace
from bot.store.tables import answers, rounds, users


async def replace_answer(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """Store a free-text answer; a later one from the same user replaces it."""
    await upsert_replace(conn, answers, values, ("round_id", "user_pk"))


async def insert_locked_answer(conn: AsyncConnection, values: dict[str, Any]) -> bool:
    """Store a quiz pick unless the user already picked; True when this one was stored."""
    return await insert_ignore(conn, answers, values, ("round_id", "user_pk"))


async def get_answer(conn: AsyncConnection, round_id: int, user_pk: int) -> Row[Any] | None:
    """The user's answer to a round."""
    statement = select(answers).where(answers.c.round_id == round_id, answers.c.user_pk == user_pk)
    return (await conn.execute(statement)).first()


async def round_answers(conn: AsyncConnection, round_id: int) -> list[Row[Any]]:
    """Every answer of a round with the answerer's name, best first (score, then time)."""
    statement = (
        select(answers, users.c.display_name)
        .join(users, users.c.id == answers.c.user_pk)
        .where(answers.c.round_id == round_id)
        .order_by(answers.c.score.desc(), answers.c.answered_at)
    )
    return list((await conn.execute(statement)).all())


async def set_points(conn: AsyncConnection, answer_id: int, points: int) -> None:
    """Record the points an answer earned at the reveal."""
    await conn.execute(update(answers).where(answers.c.id == answer_id).values(points=points))


async def verdict_counts(conn: AsyncConnection, user_pk: int) -> list[tuple[str, int]]:
    """How many scored answers of a user fall under each verdict."""
    statement = (
        select(answers.c.verdict, func.count())
        .join(rounds, rounds.c.id == answers.c.round_id)
        .where(answers.c.user_pk == user_pk, rounds.c.scored.is_(True))
        .group_by(answers.c.verdict)
    )
    return [(str(v), int(n)) for v, n in (await conn.execute(statement)).all()]


async def scored_answers(conn: AsyncConnection, user_pk: int) -> list[Any]:
    """A user's scored answers with question ids (for accuracy by topic)."""
    statement = (
        select(rounds.c.question_id, answers.c.verdict)
        .join(rounds, rounds.c.id == answers.c.round_id)
        .where(answers.c.user_pk == user_pk, rounds.c.scored.is_(True))
    )
    return list((await conn.execute(statement)).all())
