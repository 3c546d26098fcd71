"""Near-duplicate questions: is a new question a rephrasing of one already in the bank?

Two questions are near duplicates when they are filed under the same topic (compared case- and
punctuation-blind) and their texts are alike: both are normalised as grading normalises answers, the
words that only phrase a question ("what is", "explain", "how does ... differ") are dropped, the rest
is reduced to word stems (snowball), and the similarity is the mean of rapidfuzz's token-set and
token-sort ratios. Token-set alone scores 100 whenever one question's words are a subset of the
other's ("What is a neural network?" inside "What is a convolutional neural network?"); token-sort
alone punishes a rephrasing that adds context. Their mean rewards shared words and penalises
unshared ones. ``DUPLICATE_AT`` was chosen on tests/data/rephrased_questions.json (see README).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz import fuzz

from bot.bank.grading import normalize

DUPLICATE_AT = 64.0
SHOWN = 3

# Words that phrase a question rather than say what it is about.
_QUESTION_WORDS_TEXT = """
a an and are as be between by can define describe difference differ different does do each exactly
explain exist for from how in into is it its main mean means of on or other own play role s the
their there this to use used what whats when where which why with work works would you your we words
"""
QUESTION_WORDS = frozenset(_QUESTION_WORDS_TEXT.split())

_PAREN = re.compile(r"[()]")


@dataclass(frozen=True)
class Candidate:
    """A question something may duplicate: its id, topic and text."""

    question_id: str
    topic: str
    text: str


@dataclass(frozen=True)
class NearDuplicate:
    """An existing question a new one resembles, with the similarity (0-100)."""

    question_id: str
    text: str
    score: float


def _alike(first: str, second: str) -> float:
    # score_cutoff would skip work, but the mean needs both ratios in full.
    return (fuzz.token_set_ratio(first, second) + fuzz.token_sort_ratio(first, second)) / 2


def _topic_key(topic: str) -> str:
    return normalize(topic)


class DuplicateIndex:
    """Existing questions prepared once, so a whole imported bank is checked quickly."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._by_topic: dict[str, list[tuple[Candidate, str]]] = {}
        for candidate in candidates:
            entry = (candidate, self.prepare(candidate.text))
            self._by_topic.setdefault(_topic_key(candidate.topic), []).append(entry)

    def prepare(self, text: str) -> str:
        """The comparable form of a question: normalised, question words dropped, stemmed."""
        words = normalize(_PAREN.sub(" ", text)).split()
        kept = [word for word in words if word not in QUESTION_WORDS] or words
        return " ".join(self._stemmer.stemWords(kept))

    def similarity(self, first: str, second: str) -> float:
        """How alike two question texts are, 0-100 (topics aside)."""
        return _alike(self.prepare(first), self.prepare(second))

    def find(self, text: str, topic: str, *, exclude: str = "") -> tuple[NearDuplicate, ...]:
        """Near duplicates of one question (most alike first, at most ``SHOWN``)."""
        return self.find_many([(text, topic)], exclude=(exclude,))[0]

    def find_many(
        self, questions: Sequence[tuple[str, str]], *, exclude: Sequence[str] = ()
    ) -> list[tuple[NearDuplicate, ...]]:
        """Near duplicates of each (text, topic), in order; ``exclude[i]`` is an id never reported."""
        results: list[tuple[NearDuplicate, ...]] = [() for _ in questions]
        groups: dict[str, list[int]] = {}
        for index, (_, topic) in enumerate(questions):
            groups.setdefault(_topic_key(topic), []).append(index)
        for key, indexes in groups.items():
            pool = self._by_topic.get(key, [])
            if not pool:
                continue
            for index in indexes:
                query = self.prepare(questions[index][0])
                skip = exclude[index] if index < len(exclude) else ""
                found = [
                    NearDuplicate(candidate.question_id, candidate.text, round(score, 1))
                    for candidate, prepared in pool
                    if candidate.question_id != skip and (score := _alike(query, prepared)) >= DUPLICATE_AT
                ]
                found.sort(key=lambda near: -near.score)
                results[index] = tuple(found[:SHOWN])
        return results

    def add(self, candidate: Candidate) -> None:
        """Index one more question (an import checks later questions against earlier ones)."""
        entry = (candidate, self.prepare(candidate.text))
        self._by_topic.setdefault(_topic_key(candidate.topic), []).append(entry)


def describe(near: Sequence[NearDuplicate]) -> str:
    """One line naming the near duplicates, for the submitter and the queue ('' when none)."""
    if not near:
        return ""
    shown = "; ".join(f"'{n.question_id}' ({n.score:.0f}% alike): {n.text[:80]}" for n in near)
    return f"possible duplicate of {shown}"
