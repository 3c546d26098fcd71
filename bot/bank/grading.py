"""Scoring a free-text answer against a question's key points.

Each key point is a group of synonyms; a group is *found* when any synonym is found in the answer
(see ``bot.bank.matching``: word stems, comparable spans, no negation nearby, relations in order). The score
is the share of groups found. Two rules keep gaming out:

- words the question already says earn nothing: a synonym made only of the question's words is never
  credited, and an answer needs words of its own (``MIN_OWN_WORDS``) to be graded at all;
- an answer with fewer than ``MIN_STRONG_WORDS`` distinct words of its own is at most partial.

A question's *misconceptions* are false claims, matched by the same rules as key points (so a negated
claim, "it does not work with uncalibrated models", is not stated). Key points cannot subtract for a
wrong addition; a stated misconception can: the answer grades missed and the note says which and why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from bot.bank.matching import RELATION, Answer, Phrase, Synonym, find, synonym, tokenize

STRONG_AT = 0.75
PARTIAL_AT = 0.4
MIN_OWN_WORDS = 2
MIN_STRONG_WORDS = 4

_NON_WORD = re.compile(r"[^0-9a-z]+")


class Verdict(StrEnum):
    """How well an answer covered the key points."""

    STRONG = "strong"
    PARTIAL = "partial"
    MISSED = "missed"


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one answer.

    ``score`` is the share of key points found, in [0, 1]; ``found`` says which; ``evidence`` holds,
    per key point, the answer's words that earned it ("" when missed); ``note`` says why the verdict
    is lower than the score alone would give ("" when it is not).
    """

    score: float
    verdict: Verdict
    found: tuple[bool, ...]
    evidence: tuple[str, ...] = ()
    note: str = ""


class Claim(Protocol):
    """A misconception as grading needs it: synonyms of the false claim and why it is wrong."""

    @property
    def says(self) -> Sequence[str]:
        """Synonyms of the claim, in the key points' syntax."""
        ...

    @property
    def why(self) -> str:
        """One line on why the claim is wrong."""
        ...


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


def giveaways(key_points: Sequence[Sequence[str]], question: str) -> list[str]:
    """Synonyms made only of the question's own words: they can never be credited."""
    asked = _content_stems(question)
    return [text for group in key_points for text in group if synonym(text).stems <= asked]


@lru_cache(maxsize=1024)
def _content_stems(text: str) -> frozenset[str]:
    return frozenset(t.stem for t in tokenize(text) if t.content)


def grade(
    key_points: Sequence[Sequence[str]],
    answer: str,
    *,
    question: str = "",
    misconceptions: Sequence[Claim] = (),
) -> Grade:
    """Grade ``answer`` against ``key_points`` (a list of synonym groups) for the ``question`` asked.

    An answer that states one of ``misconceptions`` grades missed, with a note naming it and why.
    """
    parsed = Answer(answer)
    tokens = parsed.tokens
    plan = _plan(tuple(map(tuple, key_points)), question)
    asked, anchors = plan.asked, plan.anchors
    own_words = {t.stem for t in tokens if t.content} - asked
    evidence: list[str] = []
    for group in plan.groups:
        words = ""
        if len(own_words) >= MIN_OWN_WORDS:
            for candidate, relation_anchors in group:
                span = find(parsed, candidate, relation_anchors)
                if span is not None:
                    words = " ".join(t.raw for t in tokens[span.start : span.end + 1] if t.word)
                    break
        evidence.append(words)
    found = tuple(bool(words) for words in evidence)
    score = sum(found) / len(found) if found else 0.0
    verdict, note = verdict_for(score), ""
    if verdict is Verdict.STRONG and len(own_words) < MIN_STRONG_WORDS:
        verdict = Verdict.PARTIAL
        note = f"too short to be strong: it needs at least {MIN_STRONG_WORDS} words of your own"
    if not found or len(own_words) < MIN_OWN_WORDS:
        note = "the answer needs words of its own, not only the question's" if found else ""
    else:
        stated = _stated(parsed, misconceptions, asked, anchors)
        if stated:
            verdict, note = Verdict.MISSED, stated
    return Grade(score=score, verdict=verdict, found=found, evidence=tuple(evidence), note=note)


@dataclass(frozen=True)
class _Plan:
    """A question's key points ready to match, built once per question: the stems it asks with,
    the first parts of its relations, and per key point the synonyms that can be credited (not
    made of the question's own words), each with the anchors its relation must not cross."""

    asked: frozenset[str]
    anchors: tuple[Phrase, ...]
    groups: tuple[tuple[tuple[Synonym, Sequence[Phrase]], ...], ...]


@lru_cache(maxsize=4096)
def _plan(key_points: tuple[tuple[str, ...], ...], question: str) -> _Plan:
    asked = _content_stems(question)
    parsed = [[synonym(text) for text in group] for group in key_points]
    anchors = tuple(syn.parts[0] for group in parsed for syn in group if len(syn.parts) > 1)
    groups = tuple(
        tuple(
            (candidate, _relation_anchors(anchors, candidate))
            for candidate in group
            if not candidate.stems <= asked
        )
        for group in parsed
    )
    return _Plan(asked, anchors, groups)


def stated_misconception(
    answer: str,
    misconceptions: Sequence[Claim],
    *,
    key_points: Sequence[Sequence[str]] = (),
    question: str = "",
) -> str:
    """Why ``answer`` is wrong when it states one of ``misconceptions`` ("" when it states none)."""
    anchors = [syn.parts[0] for group in key_points for syn in map(synonym, group) if len(syn.parts) > 1]
    return _stated(Answer(answer), misconceptions, _content_stems(question), anchors)


def _stated(
    parsed: Answer, misconceptions: Sequence[Claim], asked: frozenset[str], anchors: Sequence[Phrase]
) -> str:
    # Relations of misconceptions block each other as key points' relations do ("adf ... kpss ...").
    anchors = [*anchors, *(syn.parts[0] for c in misconceptions for syn in map(synonym, c.says))]
    for claim in misconceptions:
        for text in claim.says:
            candidate = synonym(text)
            if candidate.stems <= asked:
                continue
            span = find(parsed, candidate, _relation_anchors(anchors, candidate))
            if span is not None:
                words = " ".join(t.raw for t in parsed.tokens[span.start : span.end + 1] if t.word)
                return f'it states a misconception ("{words}"): {claim.why}'
    return ""


def _relation_anchors(anchors: Sequence[Phrase], candidate: Synonym) -> Sequence[Phrase]:
    return anchors if RELATION in candidate.text else ()
