"""What ``daily set`` tells an admin about quiz mode: questions skipped for lack of a quiz form.

Quiz mode draws only questions with a quiz form (``picker.pool_for``); an imported bank may have
none. These texts say how many the channel's filters lose, or why nothing is left to ask.
"""

from __future__ import annotations

from bot.bank.model import Bank
from bot.cards import Notice
from bot.daily.schedule import Schedule


def quiz_counts(bank: Bank, schedule: Schedule) -> tuple[int, int]:
    """(questions the filters match, how many of them have no quiz form)."""
    matching = bank.filtered(schedule.topics, schedule.difficulty)
    return len(matching), sum(1 for q in matching if not q.quizzable)


def skipped_notices(bank: Bank, schedule: Schedule) -> tuple[Notice, ...]:
    """A notice when quiz mode skips some of the filtered questions; none otherwise."""
    if schedule.mode != "quiz":
        return ()
    matching, skipped = quiz_counts(bank, schedule)
    if not skipped or skipped == matching:
        return ()
    return (
        Notice(
            f"Quiz mode skips {skipped} of the {matching} questions these filters match: they have "
            "no quiz form (a short answer and three wrong options). They can still be asked in open mode.",
            title="Some questions are skipped",
        ),
    )


def empty_pool_message(bank: Bank, schedule: Schedule) -> str:
    """Why a schedule's filters leave nothing to ask, and what to change."""
    matching, skipped = quiz_counts(bank, schedule)
    if schedule.mode == "quiz" and matching and skipped == matching:
        return (
            f"None of the {matching} questions these filters match has a quiz form (a short answer and "
            "three wrong options), so quiz mode has nothing to ask: use `mode open`, or other topics "
            "or difficulty."
        )
    return "No question matches these filters: choose other topics or difficulty."
