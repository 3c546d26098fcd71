"""Finding the topic someone meant: exact names, short names (``rl``, ``nlp``), parts, typos.

Resolution, first match wins: the full name (case, accents and punctuation ignored); a short
name; a unique name containing what was typed; a unique close spelling (rapidfuzz). Several
names containing it, or several close spellings, are ambiguous: nothing is chosen and the
message lists them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

ACCEPT = 80.0  # a close spelling at least this similar (0-100) is taken...
MARGIN = 10.0  # ...when the next best is this much further away
SUGGEST = 60.0  # anything from here is offered as "did you mean"
_SMALL_WORDS = frozenset({"and", "of", "the", "for", "in", "to", "a", "an"})
_ACRONYM = re.compile(r"\(([A-Za-z0-9]{2,8})\)")


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]+", " ", plain.casefold()).strip()


@dataclass(frozen=True)
class TopicMatch:
    """The topic meant (``topic``), or none and the names it could have been (``candidates``)."""

    topic: str | None
    candidates: tuple[str, ...] = ()
    ambiguous: bool = False


def short_names(names: Sequence[str]) -> dict[str, str]:
    """A short name per topic: its acronym in parentheses (``(NLP)``), else its initials.

    Initials need two or more words; a short name two topics would share is given to neither.
    """
    proposed: dict[str, str] = {}
    for name in names:
        acronym = _ACRONYM.search(name)
        if acronym:
            proposed[name] = acronym.group(1).lower()
            continue
        words = [w for w in fold(name).split() if w not in _SMALL_WORDS]
        if len(words) >= 2:
            proposed[name] = "".join(w[0] for w in words)
    taken = Counter(proposed.values())
    full = {fold(name) for name in names}
    return {n: s for n, s in proposed.items() if taken[s] == 1 and s not in full}


def _similarity(wanted: str, name: str) -> float:
    folded = fold(name)
    words = folded.split()
    per_word = max((fuzz.ratio(wanted, word) for word in words), default=0.0)
    joined = fuzz.ratio(wanted.replace(" ", ""), folded.replace(" ", ""))
    return max(per_word, joined, fuzz.WRatio(wanted, folded))


def resolve_topic(names: Sequence[str], text: str) -> TopicMatch:
    """The topic among ``names`` that ``text`` means, or why none was chosen."""
    wanted = fold(text)
    if not wanted:
        return TopicMatch(None)
    for name in names:
        if fold(name) == wanted:
            return TopicMatch(name)
    for name, short in short_names(names).items():
        if short == wanted:
            return TopicMatch(name)
    containing = [n for n in names if re.search(rf"\b{re.escape(wanted)}", fold(n))]
    if len(containing) == 1:
        return TopicMatch(containing[0])
    if containing:
        return TopicMatch(None, tuple(containing), ambiguous=True)
    scored = sorted(((_similarity(wanted, n), n) for n in names), reverse=True)
    close = [(score, name) for score, name in scored if score >= SUGGEST][:3]
    if close and close[0][0] >= ACCEPT and (len(close) == 1 or close[0][0] - close[1][0] >= MARGIN):
        return TopicMatch(close[0][1])
    return TopicMatch(None, tuple(name for _, name in close))


def topic_problem(names: Sequence[str], text: str, match: TopicMatch) -> str:
    """The message for a topic that was not chosen: which ones it could be, or all of them."""
    shown = text.strip()[:60]
    shorts = short_names(names)

    def named(found: Sequence[str]) -> list[str]:
        return [f"{n} ({shorts[n]})" if n in shorts else n for n in found]

    if match.ambiguous:
        return f"'{shown}' matches several topics: {', '.join(named(match.candidates))}. Name one of them."
    if match.candidates:
        return f"Unknown topic '{shown}'. Did you mean {' or '.join(named(match.candidates))}?"
    return f"Unknown topic '{shown}'. Topics: {', '.join(named(names))}"
