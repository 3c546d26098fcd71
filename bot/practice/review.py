"""The learning loop's practice side: ``review`` practises only cards from missed dailies.

The cards are made at the reveal (``bot.practice.missed``); ``question`` also offers them first when due.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import practice_question
from bot.cards import Reply, notice
from bot.commands import Review
from bot.context import Context
from bot.practice.missed import MISSED
from bot.practice.session import practice_card
from bot.runtime import Runtime
from bot.store.dialect import upsert_replace
from bot.store.open_dailies import open_daily_questions
from bot.store.tables import cards, practice

HELD_FOR_THE_DAILY = (
    "The questions you missed are open as a daily question in this workspace right now, so they "
    "wait until its reveal. `question` gives you another practice question meanwhile."
)
NOTHING_TO_REVIEW = (
    "Nothing to review: questions you miss in the daily round come back here the day after "
    "the reveal. `question` gives you a practice question meanwhile."
)


async def missed_question_ids(conn: AsyncConnection, user_pk: int) -> frozenset[str]:
    """The questions of a member's cards that came from missed dailies."""
    rows = await conn.execute(
        select(cards.c.question_id).where(cards.c.user_pk == user_pk, cards.c.origin == MISSED)
    )
    return frozenset(str(r.question_id) for r in rows)


async def review(rt: Runtime, ctx: Context, _cmd: Review) -> Reply:
    """Practise a card that came from a missed daily: the most overdue, else the next one due."""
    now = rt.clock.now()
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        rows = (
            await conn.execute(
                select(cards.c.question_id, cards.c.due)
                .where(cards.c.user_pk == user_pk, cards.c.origin == MISSED)
                .order_by(cards.c.due, cards.c.question_id)
            )
        ).all()
        held = await open_daily_questions(conn, ctx.platform, ctx.workspace_id)  # no peeking
        known = [
            (r, await practice_question(conn, rt.bank, user_pk, r.question_id))
            for r in rows
            if r.question_id not in held
        ]
        present = [(r, q) for r, q in known if q is not None]
        if not present:
            waiting = any(r.question_id in held for r in rows)
            return notice(HELD_FOR_THE_DAILY if waiting else NOTHING_TO_REVIEW)
        row, question = present[0]
        await upsert_replace(
            conn,
            practice,
            {"user_pk": user_pk, "question_id": question.id, "asked_at": now, "suggested": None},
            ("user_pk",),
        )
    card = practice_card(question)
    due_count = sum(1 for r, _ in present if r.due <= now)
    note = f"Review of a daily question you missed ({due_count} due, {len(present)} in all)."
    if row.due > now:
        note = f"Nothing is due yet; here is the next one ahead of time ({len(present)} in all)."
    return Reply((replace(card, notes=(note, *card.notes)),))
