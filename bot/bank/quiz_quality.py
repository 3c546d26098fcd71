"""Cue-resistance of quiz forms: how often a blind player, who never reads for meaning, would win.

A blind rule looks only at the four option texts (and the question) and picks the option(s) with
the extreme value. When k options tie, the rule wins 1/k of that question if the correct option is
among them (the expected value of a uniform pick among the tied). The rules: the longest option,
the shortest, the one with the fewest absolute words, the one sharing the most words with the
question. A rule's share over a bank must be at most ``MAX_RULE_SHARE`` (chance is 0.25).

Per question, an option longer than 1.5x the median length of the four, or shorter than 0.6x of
it, is flagged. This is the shared definition of ``/work/content/cues.py``, so a content author's
figures and ``dailyq bank check``'s agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.bank.model import Bank, Question

MAX_RULE_SHARE = 0.35
LONG_FACTOR = 1.5
SHORT_FACTOR = 0.6
ABSOLUTE = frozenset(
    {
        "always",
        "never",
        "only",
        "no",
        "none",
        "not",
        "all",
        "every",
        "cannot",
        "can't",
        "must",
        "completely",
        "entirely",
        "impossible",
        "guaranteed",
        "nothing",
        "any",
        "exactly",
        "solely",
        "purely",
        "nor",
        "without",
        "forever",
        "regardless",
    }
)
STOP = frozenset(
    {
        "the",
        "and",
        "for",
        "are",
        "with",
        "that",
        "this",
        "what",
        "how",
        "why",
        "does",
        "its",
        "from",
        "into",
        "you",
        "your",
        "can",
        "which",
        "when",
        "between",
        "their",
        "they",
        "them",
        "has",
        "have",
        "was",
        "were",
        "been",
        "use",
        "used",
        "using",
        "is",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "or",
        "by",
        "as",
        "it",
        "be",
        "do",
        "at",
        "if",
        "so",
        "than",
        "then",
    }
)
_WORD = re.compile(r"[a-z0-9']+")


class Rule(StrEnum):
    """A blind player's rule."""

    LONGEST = "longest"
    SHORTEST = "shortest"
    FEWEST_ABSOLUTE = "fewest_absolute"
    MOST_QUESTION_WORDS = "most_question_words"


RULE_TEXT = {
    Rule.LONGEST: "pick the longest option",
    Rule.SHORTEST: "pick the shortest option",
    Rule.FEWEST_ABSOLUTE: "pick the option with the fewest absolute words (always, never, only...)",
    Rule.MOST_QUESTION_WORDS: "pick the option sharing the most words with the question",
}


@dataclass(frozen=True)
class LengthFlag:
    """An option whose length is far from the others' in one question."""

    question_id: str
    option: str
    length: int
    median: float


@dataclass(frozen=True)
class CueReport:
    """Each rule's win share over the quizzable questions, and the per-question length flags."""

    questions: int
    shares: dict[Rule, float]
    flags: tuple[LengthFlag, ...]

    def too_high(self) -> list[Rule]:
        """The rules a blind player wins with in more than ``MAX_RULE_SHARE`` of the questions."""
        return [rule for rule, share in self.shares.items() if share > MAX_RULE_SHARE]


def words(text: str) -> list[str]:
    """Lower-case words (letters, digits, apostrophes)."""
    return _WORD.findall(text.lower())


def absolute_count(text: str) -> int:
    """How many absolute or negating words (``always``, ``never``, ``no``...) the text holds."""
    return sum(1 for word in words(text) if word in ABSOLUTE)


def overlap(text: str, question: str) -> int:
    """How many distinct content words of the question (3+ letters, no stop words) the text uses."""
    wanted = {word for word in words(question) if len(word) >= 3 and word not in STOP}
    return len({word for word in words(text) if word in wanted})


def rule_win(values: Sequence[float], correct_index: int, pick_max: bool) -> float:
    """A rule's win on one question: 1/k when the correct option is among the k tied extremes."""
    best = max(values) if pick_max else min(values)
    tied = [i for i, value in enumerate(values) if value == best]
    return 1 / len(tied) if correct_index in tied else 0.0


def _measures(question: str) -> dict[Rule, tuple[Callable[[str], float], bool]]:
    return {
        Rule.LONGEST: (len, True),
        Rule.SHORTEST: (len, False),
        Rule.FEWEST_ABSOLUTE: (absolute_count, False),
        Rule.MOST_QUESTION_WORDS: (lambda text: overlap(text, question), True),
    }


def question_wins(question: str, options: Sequence[str], correct_index: int = 0) -> dict[Rule, float]:
    """Each rule's win on one question's options."""
    return {
        rule: rule_win([measure(option) for option in options], correct_index, pick_max)
        for rule, (measure, pick_max) in _measures(question).items()
    }


def length_flags(question: Question) -> list[LengthFlag]:
    """Options more than 1.5x or less than 0.6x the median length of the four."""
    if question.quiz is None:
        return []
    lengths = [len(option) for option in question.quiz.options]
    middle = sorted(lengths)[1:3]
    median = sum(middle) / 2
    return [
        LengthFlag(question.id, option, length, median)
        for option, length in zip(question.quiz.options, lengths, strict=True)
        if length > LONG_FACTOR * median or length < SHORT_FACTOR * median
    ]


def cue_report(questions: Sequence[Question]) -> CueReport:
    """The blind rules' shares and the length flags over the questions that have a quiz form."""
    quizzable = [q for q in questions if q.quiz is not None]
    totals = dict.fromkeys(Rule, 0.0)
    flags: list[LengthFlag] = []
    for question in quizzable:
        assert question.quiz is not None
        for rule, win in question_wins(question.question, question.quiz.options).items():
            totals[rule] += win
        flags += length_flags(question)
    count = max(len(quizzable), 1)
    return CueReport(len(quizzable), {rule: total / count for rule, total in totals.items()}, tuple(flags))


def bank_cue_report(bank: Bank) -> CueReport:
    """``cue_report`` over a whole bank."""
    return cue_report(bank.questions)
