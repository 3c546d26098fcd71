"""Scoring a free-text answer against a question's key points.

Each key point is a group of synonyms; a group is *found* when any synonym appears in the answer,
forgiving case, accents, punctuation and small typos. The score is the share of groups found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

STRONG_AT = 0.75
PARTIAL_AT = 0.4
# Below this length a synonym must match a whole word exactly: fuzzy matching of "svm" or "l1"
# would find them inside unrelated words.
FUZZY_MIN_LENGTH = 5
FUZZY_THRESHOLD = 88.0

_NON_WORD = re.compile(r"[^0-9a-z]+")


class Verdict(StrEnum):
    """How well an answer covered the key points."""

    STRONG = "strong"
    PARTIAL = "partial"
    MISSED = "missed"


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one answer: score in [0, 1], verdict, and which groups were found."""

    score: float
    verdict: Verdict
    found: tuple[bool, ...]


def normalize(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse white space."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", ascii_only.casefold()).strip()


def verdict_for(score: float) -> Verdict:
    """Map a score to its verdict: strong >= 0.75, partial >= 0.4, else missed."""
    if score >= STRONG_AT:
        return Verdict.STRONG
    if score >= PARTIAL_AT:
        return Verdict.PARTIAL
    return Verdict.MISSED


def synonym_found(synonym: str, normalized_answer: str) -> bool:
    """Whether one synonym appears in an already normalized answer."""
    needle = normalize(synonym)
    if not needle or not normalized_answer:
        return False
    padded = f" {normalized_answer} "
    if f" {needle} " in padded:
        return True
    if len(needle) < FUZZY_MIN_LENGTH:
        return False
    return fuzz.partial_ratio(needle, normalized_answer) >= FUZZY_THRESHOLD


def grade(key_points: Sequence[Sequence[str]], answer: str) -> Grade:
    """Grade ``answer`` against ``key_points`` (a list of synonym groups)."""
    normalized = normalize(answer)
    found = tuple(any(synonym_found(synonym, normalized) for synonym in group) for group in key_points)
    score = sum(found) / len(found) if found else 0.0
    return Grade(score=score, verdict=verdict_for(score), found=found)
