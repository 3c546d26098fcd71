"""The practice question a member has open (table ``practice``): at most one per member.

``question`` and ``review`` open one, ``try`` keeps it open with the rating it suggests, and a
rating closes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import upsert_replace
from bot.store.tables import practice


@dataclass(frozen=True)
class OpenPractice:
    """The question a member is practising, since when, and the rating a typed answer suggested."""

    user_pk: int
    question_id: str
    asked_at: datetime
    suggested: str | None


async def open_practice(conn: AsyncConnection, user_pk: int) -> OpenPractice | None:
    """The member's open practice question, if any."""
    row = (await conn.execute(select(practice).where(practice.c.user_pk == user_pk))).first()
    if row is None:
        return None
    return OpenPractice(int(row.user_pk), str(row.question_id), row.asked_at, row.suggested)


async def set_open_practice(
    conn: AsyncConnection, user_pk: int, question_id: str, now: datetime, suggested: str | None = None
) -> None:
    """Open ``question_id`` for the member (replacing whatever was open)."""
    await upsert_replace(
        conn,
        practice,
        {"user_pk": user_pk, "question_id": question_id, "asked_at": now, "suggested": suggested},
        ("user_pk",),
    )


async def close_practice(conn: AsyncConnection, user_pk: int) -> None:
    """Close the member's open practice question (after a rating)."""
    await conn.execute(delete(practice).where(practice.c.user_pk == user_pk))
