"""Suggested key points for a question that has none, drawn from its reference answer.

The suggestion is a draft for an admin to edit, not a grading decision. Terms are the answer's
distinctive words and two-word phrases: frequent in this answer, rare in the other answers of the bank
(tf-idf over snowball stems). Each becomes a group of synonyms holding the word forms that share its
stem ("overfit", "overfits", "overfitting") as seen in the answer and in the bank, so an answer that
uses another form of the word still counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer

from bot.bank.grading import grade, normalize

GROUPS = 4
MIN_GROUPS = 2
FORMS_PER_GROUP = 6
PHRASE_BONUS = 0.8

_STOP_TEXT = """
a about above after again against all also an and any are as at be because been before being below
between both but by can could did do does doing down during each either else etc even every few for
from further had has have having here how however i if in into is it its itself just like many may
might more most much must no nor not of off often on once one only or other our out over own per
rather same should since so some such than that the their them then there these they this those
through thus to too toward under until up upon us usually very via was way we well were what when
where whether which while who whom why will with within without would yet you your e g i.e eg ie
instead using used use uses makes make made gives give given get gets typically usual common
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class _Term:
    stems: tuple[str, ...]
    surface: str


def _words(text: str) -> list[str]:
    return normalize(text).split()


def _content(word: str) -> bool:
    return word not in STOP_WORDS and (len(word) >= 3 or any(ch.isdigit() for ch in word))


class KeyPointSuggester:
    """Suggests key points from an answer, measuring distinctiveness against a bank's answers."""

    def __init__(self, corpus: Iterable[str]) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._documents = 0
        self._frequency: Counter[tuple[str, ...]] = Counter()
        self._forms: dict[str, set[str]] = {}
        for text in corpus:
            self._documents += 1
            self._frequency.update({term.stems for term in self._terms(text)})

    def _stem(self, word: str) -> str:
        stem: str = self._stemmer.stemWord(word)
        self._forms.setdefault(stem, set()).add(word)
        return stem

    def _terms(self, text: str) -> list[_Term]:
        """Content words and adjacent content-word pairs of a text, in order."""
        terms: list[_Term] = []
        previous: tuple[str, str] | None = None
        for word in _words(text):
            if not _content(word):
                previous = None
                continue
            stem = self._stem(word)
            terms.append(_Term((stem,), word))
            if previous is not None:
                terms.append(_Term((previous[0], stem), f"{previous[1]} {word}"))
            previous = (stem, word)
        return terms

    def _weight(self, stems: tuple[str, ...], count: int) -> float:
        rarity = math.log((self._documents + 1) / (self._frequency[stems] + 1)) + 1
        return count * rarity * (PHRASE_BONUS if len(stems) > 1 else 1.0)

    def _group(self, term: _Term) -> tuple[str, ...]:
        if len(term.stems) == 1:
            forms = sorted(self._forms.get(term.stems[0], set()) | {term.surface}, key=lambda f: (len(f), f))
            ordered = [term.surface, *(form for form in forms if form != term.surface)]
            return tuple(ordered[:FORMS_PER_GROUP])
        head, last = term.surface.rsplit(" ", 1)
        forms = sorted(self._forms.get(term.stems[-1], set()) | {last}, key=lambda f: (len(f), f))
        ordered = [term.surface, *(f"{head} {form}" for form in forms if form != last)]
        return tuple(ordered[:FORMS_PER_GROUP])

    def suggest(
        self, answer: str, *, question: str = "", groups: int = GROUPS
    ) -> tuple[tuple[str, ...], ...]:
        """Up to ``groups`` synonym groups, most distinctive first; () when the answer is too thin.

        A phrase wins over the words inside it, so "decision tree" is not followed by "tree". A term
        grading would not credit in the answer itself is skipped: one the answer only mentions
        negated ("without explicitly programmed rules") or one made of the ``question``'s words.
        """
        terms = self._terms(answer)
        counts = Counter(term.stems for term in terms)
        first: dict[tuple[str, ...], _Term] = {}
        for term in terms:
            first.setdefault(term.stems, term)
        ranked = sorted(
            first, key=lambda stems: (-self._weight(stems, counts[stems]), terms.index(first[stems]))
        )
        chosen: list[tuple[str, ...]] = []
        for stems in ranked:
            if len(chosen) == groups:
                break
            if any(set(stems) & set(other) for other in chosen):
                continue
            if not grade((self._group(first[stems]),), answer, question=question).found[0]:
                continue
            chosen.append(stems)
        if len(chosen) < MIN_GROUPS:
            return ()
        chosen.sort(key=lambda stems: terms.index(first[stems]))
        return tuple(self._group(first[stems]) for stems in chosen)
