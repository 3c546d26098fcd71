"""Missed daily answers become practice cards, at the reveal, inside the scoring transaction.

Every missed or partial answer becomes a card for its author, rated "Again" and due at the start
of the next local day of the channel, unless the author already has a card for that question.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.grading import Verdict
from bot.store import flashcards as flashcard_store

COMES_BACK = "Missed or partial answers come back in your practice tomorrow (`question`, or `review`)."
COMES_BACK_VERDICTS = frozenset({Verdict.MISSED.value, Verdict.PARTIAL.value})


class ScoredAnswer(Protocol):
    """What the learning loop reads of a scored daily answer: whose it is and its verdict."""

    @property
    def user_pk(self) -> int: ...

    @property
    def verdict(self) -> str: ...


def comes_back(verdict: str) -> bool:
    """Whether an answer with this verdict turns into a practice card at the reveal."""
    return verdict in COMES_BACK_VERDICTS


def reveal_notes(answers: Iterable[ScoredAnswer]) -> tuple[str, ...]:
    """The reveal's line about the learning loop: shown when anyone missed, naming nobody."""
    return (COMES_BACK,) if any(comes_back(a.verdict) for a in answers) else ()


def next_local_day(moment: datetime, timezone: str) -> datetime:
    """Midnight starting the day after ``moment`` in ``timezone`` (so "tomorrow" is the user's)."""
    zone = ZoneInfo(timezone)
    tomorrow = moment.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0, 0), tzinfo=zone).astimezone(UTC)


def missed_card(now: datetime, due: datetime) -> FsrsCard:
    """A new FSRS card rated "Again" now, due at ``due`` instead of the 10-minute learning step."""
    # "Again" on a new card gives the same FSRS state under any learning steps (only ``due``
    # differs, and it is set to tomorrow), so the default scheduler does, not practice's own.
    card, _log = Scheduler(enable_fuzzing=False).review_card(
        FsrsCard(card_id=1, due=now), FsrsRating.Again, now
    )
    card.due = due
    return card


async def cards_from_missed(
    conn: AsyncConnection,
    question_id: str,
    answers: Iterable[ScoredAnswer],
    now: datetime,
    timezone: str,
) -> int:
    """Make a practice card for every missed or partial answer (run in the scoring transaction).

    A member who already has a card for the question keeps it as it is. Returns how many
    cards were made.
    """
    due = next_local_day(now, timezone)
    card = missed_card(now, due)  # the same new card for everyone: rated "Again" now, due tomorrow
    missed = [int(answer.user_pk) for answer in answers if comes_back(answer.verdict)]
    return await flashcard_store.add_missed(
        conn, missed, question_id, state=card.to_json(), due=card.due, now=now
    )
