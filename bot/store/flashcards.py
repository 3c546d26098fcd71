"""Practice flashcards: a member's FSRS card per question (table ``cards``), every statement on it.

Not to be confused with ``bot.cards``, the view models a reply is made of. A flashcard holds the
FSRS scheduler's state as JSON (``fsrs.Card.to_json``); only ``bot.practice`` reads that JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import insert_ignore_many, upsert_replace
from bot.store.tables import cards


class Origin(StrEnum):
    """How a flashcard came about: rated in practice, or a missed or partial daily answer."""

    PRACTICE = "practice"
    MISSED = "missed"


@dataclass(frozen=True)
class Flashcard:
    """One member's practice card for one question, as stored."""

    user_pk: int
    question_id: str
    state: str  # FSRS card as JSON
    due: datetime
    reviews: int
    last_rating: str | None
    origin: Origin
    updated_at: datetime


@dataclass(frozen=True)
class FlashcardDue:
    """When one of a member's flashcards is due, and how it came about (what listings need)."""

    question_id: str
    due: datetime
    origin: Origin


def _flashcard(row: Any) -> Flashcard:
    return Flashcard(
        user_pk=int(row.user_pk),
        question_id=str(row.question_id),
        state=str(row.state),
        due=row.due,
        reviews=int(row.reviews),
        last_rating=row.last_rating,
        origin=Origin(row.origin),
        updated_at=row.updated_at,
    )


async def flashcards_of(
    conn: AsyncConnection, user_pk: int, origin: Origin | None = None
) -> list[FlashcardDue]:
    """A member's flashcards (only those of ``origin`` when given), due first, then by question."""
    # `question` reads every card of the member: three columns, not the FSRS state, keep it cheap
    statement = select(cards.c.question_id, cards.c.due, cards.c.origin).where(cards.c.user_pk == user_pk)
    if origin is not None:
        statement = statement.where(cards.c.origin == origin.value)
    rows = await conn.execute(statement.order_by(cards.c.due, cards.c.question_id))
    return [FlashcardDue(str(question_id), due, Origin(kind)) for question_id, due, kind in rows]


async def flashcard(conn: AsyncConnection, user_pk: int, question_id: str) -> Flashcard | None:
    """A member's flashcard for one question, if there is one."""
    statement = select(cards).where(cards.c.user_pk == user_pk, cards.c.question_id == question_id)
    row = (await conn.execute(statement)).first()
    return _flashcard(row) if row is not None else None


async def save_review(
    conn: AsyncConnection,
    user_pk: int,
    question_id: str,
    *,
    state: str,
    due: datetime,
    reviews: int,
    rating: str,
    now: datetime,
) -> None:
    """Store a card after a practice rating: new or overwritten, its origin kept if it had one."""
    await upsert_replace(
        conn,
        cards,
        {
            "user_pk": user_pk,
            "question_id": question_id,
            "state": state,
            "due": due,
            "reviews": reviews,
            "last_rating": rating,
            "updated_at": now,
        },
        ("user_pk", "question_id"),
    )


async def add_missed(
    conn: AsyncConnection,
    user_pks: Iterable[int],
    question_id: str,
    *,
    state: str,
    due: datetime,
    now: datetime,
) -> int:
    """Add a card for the question to each member who missed it at a reveal, in one statement.

    A member who has a card for the question already keeps it as it is. Returns how many
    cards were added.
    """
    members = list(dict.fromkeys(user_pks))
    if not members:
        return 0
    rows = [
        {
            "user_pk": user_pk,
            "question_id": question_id,
            "state": state,
            "due": due,
            "reviews": 0,
            "last_rating": None,
            "updated_at": now,
            "origin": Origin.MISSED.value,
        }
        for user_pk in members
    ]
    return await insert_ignore_many(conn, cards, rows, ("user_pk", "question_id"))


async def count_due(conn: AsyncConnection, user_pk: int, now: datetime) -> tuple[int, int]:
    """How many of a member's flashcards are due at ``now``, and how many there are in all."""
    due = func.count().filter(cards.c.due <= now)
    row = (await conn.execute(select(due, func.count()).where(cards.c.user_pk == user_pk))).one()
    return int(row[0]), int(row[1])
