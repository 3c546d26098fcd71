"""Choosing questions: the next one for a channel (no repeats within a cycle) and quiz options."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.bank.model import Bank, Question

LOW_BANK_SHARE = 0.10  # warn admins when fewer than this share of the pool is left


@dataclass(frozen=True)
class Pick:
    """The chosen question and the cycle it belongs to (a new cycle once the pool is used up)."""

    question: Question
    cycle: int


def pool_for(bank: Bank, topics: Sequence[str], difficulty: str | None, mode: str) -> list[Question]:
    """The questions a channel draws from: its filters, and only quizzable ones in quiz mode."""
    pool = bank.filtered(topics, difficulty)
    if mode == "quiz":
        pool = [q for q in pool if q.quizzable]
    return pool


def pick_for_channel(pool: Sequence[Question], used: Collection[str], cycle: int, seed: str) -> Pick | None:
    """A question not used in ``cycle``; starts the next cycle when the pool is used up.

    Returns None only when the pool is empty (filters match nothing).
    """
    if not pool:
        return None
    fresh = [q for q in pool if q.id not in used]
    if not fresh:
        cycle, fresh = cycle + 1, list(pool)
    question = random.Random(seed).choice(fresh)
    return Pick(question, cycle)


def left_in_cycle(pool: Sequence[Question], used: Collection[str]) -> int:
    """How many questions of the pool the current cycle has not asked yet."""
    return sum(1 for q in pool if q.id not in used)


def running_low(left: int, pool_size: int) -> bool:
    """Fewer than 10% of the pool are left before questions start repeating."""
    return left < LOW_BANK_SHARE * pool_size


def _quiz_order(count: int, seed: int) -> list[int]:
    """The round's option order: index ``i`` of the shown list holds option ``order[i]``."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def quiz_options(question: Question, seed: int) -> tuple[tuple[str, ...], int]:
    """The short correct option and its three wrong ones shuffled with the round's seed, and the
    correct index. A question without a quiz form (gone from the bank) has its answer as only option.
    """
    options = question.quiz.options if question.quiz is not None else (question.answer,)
    order = _quiz_order(len(options), seed)
    return tuple(options[i] for i in order), order.index(0)


def quiz_reasons(question: Question, seed: int) -> tuple[str, ...]:
    """Why each shown option is wrong, in the round's order ("" for the correct one)."""
    if question.quiz is None:
        return ("",)
    reasons = ("", *(w.why for w in question.quiz.wrong))
    return tuple(reasons[i] for i in _quiz_order(len(reasons), seed))
