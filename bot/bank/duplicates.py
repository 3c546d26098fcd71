"""Near-duplicate questions: is a new question a rephrasing of one already in the bank?

Two questions are near duplicates when they are filed under the same topic (compared case- and
punctuation-blind) and their texts say the same thing. Each text is normalised as grading
normalises answers; the words that only phrase a question ("what is", "explain", "in simple
terms", "why does it matter", "the ... framework") are dropped; "drawbacks", "limitations" and
"downsides" count as one word, as do "advantages" and "benefits"; the rest is reduced to word
stems (snowball). Against one existing question, an acronym is read as the words of the other
text whose initials spell it ("RL" and "reinforcement learning"), and a compound as the two words
the other text writes ("tradeoff" and "trade-off").

The score (0-100) is the mean of two halves:

- rapidfuzz's token similarity: the mean of ``token_set_ratio`` and ``token_sort_ratio``;
- distinctive-term coverage: the smaller of the two shares of each text's weight that the other
  text shares, a stem weighing its inverse document frequency over the existing questions and
  their answers (half as much when the topic's own name has it). A question that asks about a
  part of an existing one ("How do you choose k in k-nearest neighbors?") adds distinctive terms
  and covers little of itself; a rephrasing adds only phrasing.

``DUPLICATE_AT`` and the rule were tuned on the tuning half of tests/data/duplicate_eval.json
only; the held-out half measures them (see README).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import snowballstemmer
from rapidfuzz import fuzz

from bot.bank.grading import normalize

DUPLICATE_AT = 67.0
SHOWN = 3
TOPIC_WORD_WEIGHT = 0.5
LONGEST_ACRONYM = 6

# Words that phrase a question rather than say what it is about.
_QUESTION_WORDS_TEXT = """
a an and are as be between by can define describe difference differ different does do each exactly
explain exist for from how in into is it its main mean means of on or other own play role s the
their there this to use used what whats when where which why with work works would you your we words
actually also basically briefly simple simply terms term meaning meant walk me through please list
name give example examples overview concept concepts idea brief short purpose point kind kinds sort
help helps helpful useful matter matters important importance necessary need needed handle handled
handling deal dealing tackle approach happen happens involve involves tell about versus vs compared
compare comparison distinguish contrast should could might may will say talk some any key common
commonly typically usually generally really i my our us they them framework frameworks mechanism
mechanisms algorithm algorithms technique techniques method methods case cases
"""
QUESTION_WORDS = frozenset(_QUESTION_WORDS_TEXT.split())

# Words that ask the same thing, each read as the first of its line.
_SAME_ASK_TEXT = """
drawback drawbacks limitation limitations downside downsides disadvantage disadvantages weakness weaknesses
advantage advantages benefit benefits strength strengths
"""
SAME_ASK = {word: line.split()[0] for line in _SAME_ASK_TEXT.strip().splitlines() for word in line.split()}

_PAREN = re.compile(r"[()]")
_ACRONYM = re.compile(r"\b([A-Z]{2,6})s?\b")


@dataclass(frozen=True)
class Candidate:
    """A question something may duplicate: its id, topic and text (its answer, when known, only
    weighs the terms)."""

    question_id: str
    topic: str
    text: str
    answer: str = ""


@dataclass(frozen=True)
class NearDuplicate:
    """An existing question a new one resembles, with the similarity (0-100)."""

    question_id: str
    text: str
    score: float


@dataclass(frozen=True)
class Prepared:
    """A question's comparable form: its stems, the acronyms it uses, and what the other text's
    acronyms and compounds may stand for in it (initials or a joined pair of words -> stems)."""

    stems: tuple[str, ...]
    acronyms: frozenset[str]
    spelled: dict[str, tuple[str, ...]]
    joined: dict[str, tuple[str, ...]]
    stem_set: frozenset[str] = frozenset()
    text: str = ""  # the stems joined, as rapidfuzz compares them


class DuplicateIndex:
    """Existing questions prepared once, so a whole imported bank is checked quickly."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._stems: dict[str, str] = {}
        self._by_topic: dict[str, list[tuple[Candidate, Prepared]]] = {}
        self._topic_stems: dict[str, frozenset[str]] = {}
        self._topic_weights: dict[frozenset[str], dict[str, float]] = {}
        self._totals: dict[str, list[float]] = {}
        # per pool: which questions use a stem, which write a word as two, which use acronyms
        self._postings: dict[str, dict[str, list[int]]] = {}
        self._joined_postings: dict[str, dict[str, list[int]]] = {}
        self._aligners: dict[str, list[int]] = {}
        frequency: dict[str, int] = {}
        documents = 0
        for candidate in candidates:
            self.add(candidate)
            documents += 1
            for stem in set(self._content(f"{candidate.text} {candidate.answer}")[1]):
                frequency[stem] = frequency.get(stem, 0) + 1
        self._frequency = frequency
        self._documents = documents

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = self._stemmer.stemWord(word)
        return stem

    def _content(self, text: str) -> tuple[list[str], list[str]]:
        words = [SAME_ASK.get(word, word) for word in normalize(_PAREN.sub(" ", text)).split()]
        kept = [word for word in words if word not in QUESTION_WORDS] or words
        return kept, [self._stem(word) for word in kept]

    def prepare(self, text: str) -> Prepared:
        """The comparable form of a question text."""
        words, stems = self._content(text)
        acronyms = {match.group(1).casefold() for match in _ACRONYM.finditer(text)}
        spelled: dict[str, tuple[str, ...]] = {}
        for start in range(len(words)):
            for length in range(2, min(LONGEST_ACRONYM, len(words) - start) + 1):
                initials = "".join(word[0] for word in words[start : start + length])
                spelled.setdefault(initials, tuple(stems[start : start + length]))
        # "k-nearest neighbors (KNN)" says it twice: keep the words, which the other text may use
        said_twice = {acronym for acronym in acronyms if acronym in spelled}
        acronyms -= said_twice
        dropped = {self._stem(acronym) for acronym in said_twice}
        kept = [(w, s) for w, s in zip(words, stems, strict=True) if s not in dropped]
        words, stems = [w for w, _ in kept], [s for _, s in kept]
        joined: dict[str, tuple[str, ...]] = {
            self._stem(first + second): (first_stem, second_stem)
            for (first, first_stem), (second, second_stem) in pairwise(kept)
        }
        unique = tuple(dict.fromkeys(stems))
        return Prepared(unique, frozenset(acronyms), spelled, joined, frozenset(unique), " ".join(unique))

    def _aligned(self, first: Prepared, second: Prepared) -> tuple[str, ...]:
        """``first``'s stems with its acronyms and compounds written as ``second`` writes them."""
        if _nothing_to_align(first, second):
            return first.stems
        stems = list(first.stems)
        others = set(second.stems)
        for acronym in first.acronyms:
            run = second.spelled.get(acronym)
            if run and self._stem(acronym) not in others:
                stems = [stem for stem in stems if stem != self._stem(acronym)] + list(run)
        for stem in first.stems:
            pair = second.joined.get(stem)
            if pair and stem not in others:
                stems = [s for s in stems if s != stem] + list(pair)
        return tuple(dict.fromkeys(stems))

    def _weight(self, stem: str, topic: frozenset[str]) -> float:
        rarity = math.log((self._documents + 1) / (self._frequency.get(stem, 0) + 1)) + 1
        return rarity * (TOPIC_WORD_WEIGHT if stem in topic else 1.0)

    def _weights(self, topic: frozenset[str]) -> dict[str, float]:
        """The weight of every stem seen so far under ``topic`` (filled as stems are met)."""
        found = self._topic_weights.get(topic)
        if found is None:
            found = self._topic_weights[topic] = {}
        return found

    def _total(self, stems: Iterable[str], weights: dict[str, float], topic: frozenset[str]) -> float:
        for stem in stems:
            if stem not in weights:
                weights[stem] = self._weight(stem, topic)
        return sum(weights[stem] for stem in stems)

    def _score(
        self,
        query: Prepared,
        existing: Prepared,
        topic: frozenset[str],
        floor: float = 0.0,
        totals: tuple[float, float] | None = None,
    ) -> float:
        """The similarity of two prepared texts; 0.0 when it cannot reach ``floor``. ``totals`` are
        the weights of both texts' own stems, when the caller knows them (they fill ``_weights``)."""
        weights = self._weights(topic)
        if totals is not None and _as_written(query, existing):
            first, second = query.stems, existing.stems
            weight_first, weight_second = totals
            # the stems' own sets: the same members in the same order as set(first) & set(second)
            shared = sum(weights[stem] for stem in query.stem_set & existing.stem_set)
        else:
            first, second = self._aligned(query, existing), self._aligned(existing, query)
            weight_first = self._total(first, weights, topic)
            weight_second = self._total(second, weights, topic)
            shared = self._total(set(first) & set(second), weights, topic)
        covered = (
            min(shared / weight_first, shared / weight_second) if weight_first and weight_second else 0.0
        )
        if (100.0 + 100 * covered) / 2 < floor:
            return 0.0  # below the floor whatever the token similarity: rapidfuzz is not asked
        joined_first = query.text if first is query.stems else " ".join(first)
        joined_second = existing.text if second is existing.stems else " ".join(second)
        alike = (
            fuzz.token_set_ratio(joined_first, joined_second)
            + fuzz.token_sort_ratio(joined_first, joined_second)
        ) / 2
        return (alike + 100 * covered) / 2

    def similarity(self, first: str, second: str, topic: str = "") -> float:
        """How alike two question texts are, 0-100 (the topic only weighs its own words)."""
        return self._score(self.prepare(first), self.prepare(second), self._topic(topic))

    def _topic(self, topic: str) -> frozenset[str]:
        key = normalize(topic)
        found = self._topic_stems.get(key)
        if found is None:
            found = self._topic_stems[key] = frozenset(self._content(topic)[1])
        return found

    def find(self, text: str, topic: str, *, exclude: str = "") -> tuple[NearDuplicate, ...]:
        """Near duplicates of one question (most alike first, at most ``SHOWN``)."""
        return self.find_many([(text, topic)], exclude=(exclude,))[0]

    def find_many(
        self, questions: Sequence[tuple[str, str]], *, exclude: Sequence[str] = ()
    ) -> list[tuple[NearDuplicate, ...]]:
        """Near duplicates of each (text, topic), in order; ``exclude[i]`` is an id never reported."""
        results: list[tuple[NearDuplicate, ...]] = []
        for index, (text, topic) in enumerate(questions):
            pool = self._by_topic.get(normalize(topic), [])
            if not pool:
                results.append(())
                continue
            query, topic_stems = self.prepare(text), self._topic(topic)
            skip = exclude[index] if index < len(exclude) else ""
            weights = self._weights(topic_stems)
            query_total = self._total(query.stems, weights, topic_stems)
            totals = self._pool_totals(topic, pool)
            found = []
            for at in self._reachable(normalize(topic), query, weights, query_total, len(pool)):
                candidate, prepared = pool[at]
                if candidate.question_id == skip:
                    continue
                score = self._score(query, prepared, topic_stems, DUPLICATE_AT, (query_total, totals[at]))
                if score >= DUPLICATE_AT:
                    found.append(NearDuplicate(candidate.question_id, candidate.text, round(score, 1)))
            found.sort(key=lambda near: -near.score)
            results.append(tuple(found[:SHOWN]))
        return results

    def _pool_totals(self, topic: str, pool: Sequence[tuple[Candidate, Prepared]]) -> list[float]:
        """The weight of each pooled question's own stems under its topic (kept as the pool grows)."""
        totals = self._totals.setdefault(normalize(topic), [])
        topic_stems = self._topic(topic)
        weights = self._weights(topic_stems)
        totals += [self._total(prepared.stems, weights, topic_stems) for _, prepared in pool[len(totals) :]]
        return totals

    def _reachable(
        self, key: str, query: Prepared, weights: dict[str, float], total: float, size: int
    ) -> Sequence[int]:
        """Positions in the ``key`` pool, in order, of every question that may reach ``DUPLICATE_AT``.

        A score reaches it only when the shared stems weigh at least ``need`` of the query's own
        (the token half is at most 100), so a question compared as written that shares none of the
        query's heaviest stems, the ones weighing more than ``1 - need`` of it, cannot; questions
        aligned to the query (acronyms, compounds) are always scored.
        """
        need = (2 * DUPLICATE_AT - 100) / 100
        if need <= 0 or query.acronyms or not total:
            return range(size)
        postings = self._postings[key]
        positions: set[int] = set(self._aligners[key])
        rest = total
        for stem in sorted(query.stems, key=lambda stem: -weights[stem]):
            if rest < need * total * (1 - 1e-9):  # the margin covers the subtractions' rounding
                break
            positions.update(postings.get(stem, ()))
            rest -= weights[stem]
        for stem in query.stem_set:  # the pool writes one of the query's words as two
            positions.update(self._joined_postings[key].get(stem, ()))
        for joined in query.joined:  # the query writes one of the pool's words as two
            positions.update(postings.get(joined, ()))
        return sorted(positions)

    def add(self, candidate: Candidate) -> None:
        """Index one more question (an import checks later questions against earlier ones); the
        term weights stay those of the questions the index was built with."""
        key = normalize(candidate.topic)
        prepared = self.prepare(candidate.text)
        pool = self._by_topic.setdefault(key, [])
        at = len(pool)
        pool.append((candidate, prepared))
        postings = self._postings.setdefault(key, {})
        for stem in prepared.stem_set:
            postings.setdefault(stem, []).append(at)
        joined_postings = self._joined_postings.setdefault(key, {})
        for joined in prepared.joined:
            joined_postings.setdefault(joined, []).append(at)
        aligners = self._aligners.setdefault(key, [])
        if prepared.acronyms:
            aligners.append(at)


def _nothing_to_align(first: Prepared, second: Prepared) -> bool:
    """Whether ``first`` has no acronym ``second`` spells out and no word ``second`` writes as two."""
    return second.spelled.keys().isdisjoint(first.acronyms) and second.joined.keys().isdisjoint(
        first.stem_set
    )


def _as_written(first: Prepared, second: Prepared) -> bool:
    """Whether both texts are compared as they are written (neither is aligned to the other)."""
    return (
        second.spelled.keys().isdisjoint(first.acronyms)
        and second.joined.keys().isdisjoint(first.stem_set)
        and first.spelled.keys().isdisjoint(second.acronyms)
        and first.joined.keys().isdisjoint(second.stem_set)
    )


def describe(near: Sequence[NearDuplicate]) -> str:
    """One line naming the near duplicates, for the submitter and the queue ('' when none)."""
    if not near:
        return ""
    shown = "; ".join(f"'{n.question_id}' ({n.score:.0f}% alike): {n.text[:80]}" for n in near)
    return f"possible duplicate of {shown}"
