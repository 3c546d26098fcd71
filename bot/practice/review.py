"""The learning loop's practice side: ``review`` practises only cards from missed dailies.

The cards are made at the reveal (``bot.practice.missed``); ``question`` also offers them first when due.
"""

from __future__ import annotations

from dataclasses import replace

from bot.bank.catalog import practice_question
from bot.cards import Reply, notice
from bot.commands import Review
from bot.context import Context
from bot.practice.session import practice_card
from bot.runtime import Runtime
from bot.store.flashcards import Origin, flashcards_of
from bot.store.open_dailies import open_daily_questions
from bot.store.open_practice import set_open_practice

HELD_FOR_THE_DAILY = (
    "The questions you missed are open as a daily question in this workspace right now, so they "
    "wait until its reveal. `question` gives you another practice question meanwhile."
)
NOTHING_TO_REVIEW = (
    "Nothing to review: questions you miss in the daily round come back here the day after "
    "the reveal. `question` gives you a practice question meanwhile."
)


async def review(rt: Runtime, ctx: Context, _cmd: Review) -> Reply:
    """Practise a card that came from a missed daily: the most overdue, else the next one due."""
    now = rt.clock.now()
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        missed = await flashcards_of(conn, user_pk, Origin.MISSED)
        held = await open_daily_questions(conn, ctx.platform, ctx.workspace_id)  # no peeking
        known = [
            (f, await practice_question(conn, rt.bank, user_pk, f.question_id))
            for f in missed
            if f.question_id not in held
        ]
        present = [(f, q) for f, q in known if q is not None]
        if not present:
            waiting = any(f.question_id in held for f in missed)
            return notice(HELD_FOR_THE_DAILY if waiting else NOTHING_TO_REVIEW)
        chosen, question = present[0]
        await set_open_practice(conn, user_pk, question.id, now)
    card = practice_card(question)
    due_count = sum(1 for f, _ in present if f.due <= now)
    note = f"Review of a daily question you missed ({due_count} due, {len(present)} in all)."
    if chosen.due > now:
        note = f"Nothing is due yet; here is the next one ahead of time ({len(present)} in all)."
    return Reply((replace(card, notes=(note, *card.notes)),))
