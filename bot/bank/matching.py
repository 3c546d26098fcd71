"""Finding a key-point synonym in an answer: word by word, through word stems, and not when negated.

An answer and a synonym are cut into words; each word is reduced to its Snowball (Porter 2) stem, so
``quantized`` meets ``quantization`` and ``pruned`` meets ``pruning``. A synonym is found only where
every one of its words appears, in order, in a span of the answer about as long as the synonym (one
extra word allowed inside a phrase), so a one-letter answer can never sit inside a long synonym.
Hyphenated words meet their joined and spaced spellings (``hand-coded``, ``hand coded``, ``handcoded``).

A synonym of the form ``"hard voting ... majority"`` is a relation: its parts must appear in this order
in one sentence, close together, with no other relation's subject (the first part of any other
``...`` synonym of the question) between them, so swapped definitions are not credited.

A match that the answer negates nearby (``no``, ``not``, ``without``, ``isn't``, ``rather than``, ...)
does not count: neither within the few words before it (up to a comma or clause break) nor in a
``... is not`` / ``... isn't`` right after it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

import snowballstemmer
from rapidfuzz import fuzz

RELATION = "..."


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Typos are forgiven only in words this long, sharing their first two letters (so "supervised" never
# meets "unsupervised", nor "parameters" "hyperparameters").
FUZZY_MIN_LENGTH = 5
FUZZY_THRESHOLD = 85.0
FUZZY_MAX_LENGTH_GAP = 1  # a typo, not a longer word: "precision" is not "precisiontp"
PHRASE_SLACK = 1  # extra answer words allowed inside a multi-word phrase
STOP_SLACK = 2  # and extra stop words, but never "and", "or": "cores and points" is not "core points"
JOINERS = _words("and or but nor while whereas")
RELATION_GAP = 10  # most words between two parts of a relation
NEGATION_WINDOW = 3  # content words before a match searched for a negation
LIST_WIDENING = 2  # extra words searched back past an "or": "no agent, policy or reward"
NEGATION_AFTER = 3  # content words after it: "differencing is not needed", "transparency is unnecessary"
COMPOUND_MAX = 3  # answer words joined to meet a closed compound ("multilayer")

# Words a synonym or an answer may add or drop freely. Quantifiers ("each", "every", "any", "only")
# and negations are not among them: "one column for each category" says something "one column" does not.
STOPWORDS = _words(
    "a an the of to in on for by with from at as is are was were be been being it its this that "
    "these those and or so such which who whom whose what than then into onto via their they them "
    "there we you your our i he she his her do does did has have had will would should could may "
    "might must also very just can"
)
# Dropped from synonyms: "the training data" is "training data". Prepositions stay: "from the output"
# is not "output".
FILLERS = _words(
    "a an the is are was were be been being it its this that these those their they them there his "
    "her our your my which who whom whose what do does did has have had will would should could may "
    "might must also very just can so such"
)
NEGATORS = _words(
    "no not never without none nor neither nothing cannot cant doesnt dont didnt isnt arent wasnt "
    "werent wont hasnt havent hadnt shouldnt wouldnt couldnt lacks lack lacking discard discards "
    "discarding ignoring ignores"
)
# Contracted negations stem to "not", so a synonym "not a faithful" meets "aren't a faithful".
NOT_FORMS = _words(
    "not cannot cant doesnt dont didnt isnt arent wasnt werent wont hasnt havent hadnt shouldnt "
    "wouldnt couldnt"
)
# Predicates that deny what precedes them: "fairness audits are unnecessary".
DENIALS = _words(
    "unnecessary unneeded needless irrelevant redundant useless pointless nothing discarded ignored skipped "
    "avoided"
)
# What "X is not ..." / "X is never ..." must go on to say for X itself to be denied.
DENIED_PREDICATES = _words(
    "needed necessary required used involved applied considered computed consulted possible important "
    "relevant part allowed helpful useful supported available included performed done concern issue "
    "problem affected configured tracked monitored checked detected measured built"
)
NEGATING_PAIRS = frozenset({("instead", "of"), ("rather", "than"), ("irrelevant", "to"), ("unrelated", "to")})
# "Trust and regulation play no part": "no" after a key point denies it only before these words.
DENIED_ROLES = _words("part role effect place bearing relation basis value impact influence")
AFFIRMING_AFTER_NOT = frozenset({"only", "just", "merely", "simply", "necessarily"})
FILLERS_AFTER_NOT = _words("really always ever even actually therefore likewise also still deliberately")
AUXILIARIES = _words("is are was were does do did can will has have should must need needs")
CLAUSE_WORDS = _words("but while whereas whilst although though however unlike versus vs")
SENTENCE_MARKS = frozenset(".;:!?")

_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)+|[0-9a-z]+|[.,;:!?()\[\]]")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")


class Token(NamedTuple):
    """One word (or punctuation mark) of a text, with its stem and how it is joined to its neighbour.

    A named tuple, not a frozen dataclass: every answer makes dozens, and this builds them ~5x faster.
    """

    raw: str
    stem: str
    word: bool
    glued: bool  # joined to the previous word by a hyphen
    content: bool  # a word that carries meaning (not a stop word); part of a compound always does


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of one lower-case word (a fresh stemmer each time: they keep state)."""
    result: str = snowballstemmer.stemmer("english").stemWord(word)
    return result


def fold(text: str) -> str:
    """Lower-case, strip accents, drop apostrophes (``doesn't`` -> ``doesnt``)."""
    if text.isascii():  # nothing to strip: skip the per-character pass
        return _APOSTROPHES.sub("", text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", ascii_only.casefold())


def tokenize(text: str) -> tuple[Token, ...]:
    """Words and clause punctuation of ``text``, in order."""
    folded = fold(text)
    matches = list(_TOKEN.finditer(folded))
    raws = [m.group() for m in matches]
    words = [raw[0].isalnum() for raw in raws]
    # glued: a word joined to the previous word by a hyphen and nothing else
    glued = [False] + [
        words[i - 1] and words[i] and folded[matches[i - 1].end() : matches[i].start()] == "-"
        for i in range(1, len(matches))
    ]
    glued.append(False)  # past the last token, so ``glued[i + 1]`` always exists
    tokens = []
    for i, raw in enumerate(raws):
        if words[i]:
            stemmed = "not" if raw in NOT_FORMS else stem(raw)
            content = glued[i] or glued[i + 1] or raw not in STOPWORDS
            tokens.append(Token(raw, stemmed, True, glued[i], content))
        else:
            tokens.append(Token(raw, raw, False, False, False))
    return tuple(tokens)


def _same_word(a: Token, b: Token) -> bool:
    if a.stem == b.stem:
        return True
    return (
        a.raw[:2] == b.raw[:2]
        and min(len(a.raw), len(b.raw)) >= FUZZY_MIN_LENGTH
        and abs(len(a.raw) - len(b.raw)) <= FUZZY_MAX_LENGTH_GAP
        and fuzz.ratio(a.raw, b.raw) >= FUZZY_THRESHOLD
    )


@dataclass(frozen=True)
class Phrase:
    """One part of a synonym: the words that must appear, and their closed compound spelling."""

    words: tuple[Token, ...]
    joined: str

    @classmethod
    def parse(cls, text: str) -> Phrase:
        """The phrase of ``text``: its words but filler ones (articles, pronouns, ``is``)."""
        tokens = [t for t in tokenize(text) if t.word]
        kept = tuple(t for t in tokens if t.raw not in FILLERS or t.glued) or tuple(tokens)
        return cls(words=kept, joined="".join(t.raw for t in tokens))

    @property
    def stems(self) -> frozenset[str]:
        """The stems of the phrase's content words."""
        return frozenset(t.stem for t in self.words if t.content)


@dataclass(frozen=True)
class Span:
    """Where a phrase was found: token indices ``start`` to ``end`` inclusive."""

    start: int
    end: int


class Answer:
    """An answer's tokens, indexed for matching, with the places of each phrase found so far.

    Built once per grading (it caches), never shared between answers.
    """

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self._by_stem: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):
            if token.word and not token.glued:
                self._by_stem.setdefault(token.stem, []).append(i)
                self._by_prefix.setdefault(token.raw[:2], []).append(i)
        # Keyed by identity: parsed synonyms are cached, and hashing a phrase's tokens costs more.
        self._spans: dict[int, tuple[Phrase, list[Span]]] = {}

    def could_hold(self, phrase: Phrase) -> bool:
        """Whether ``phrase`` can be found at all: its first word's stem (or, fuzzily, its first two
        letters) or its closed compound's first two letters are in the answer. False means
        ``spans`` is empty, found without the search."""
        if phrase.words:
            first = phrase.words[0]
            if first.stem in self._by_stem:
                return True
            if len(first.raw) >= FUZZY_MIN_LENGTH and first.raw[:2] in self._by_prefix:
                return True
        return len(phrase.joined) >= FUZZY_MIN_LENGTH and phrase.joined[:2] in self._by_prefix

    def spans(self, phrase: Phrase) -> list[Span]:
        """Every place ``phrase`` is found, negated or not."""
        cached = self._spans.get(id(phrase))
        if cached is None or cached[0] is not phrase:
            cached = self._spans[id(phrase)] = (phrase, self._find_spans(phrase))
        return cached[1]

    def _find_spans(self, phrase: Phrase) -> list[Span]:
        tokens, spans = self.tokens, []
        if phrase.words:
            first = phrase.words[0]
            same = self._by_stem.get(first.stem, ())
            alike = self._by_prefix.get(first.raw[:2], ()) if len(first.raw) >= FUZZY_MIN_LENGTH else ()
            for start in sorted({*same, *alike}) if alike else same:
                if _same_word(tokens[start], first):
                    end = _rest_of_phrase(tokens, start, phrase.words[1:])
                    if end is not None:
                        spans.append(Span(start, end))
        if len(phrase.joined) >= FUZZY_MIN_LENGTH:
            candidates = self._by_prefix.get(phrase.joined[:2])
            if candidates:
                spans += _compound_spans(tokens, phrase.joined, candidates)
        return spans


def _rest_of_phrase(tokens: Sequence[Token], at: int, wanted: Sequence[Token]) -> int | None:
    """Where the phrase ending ``wanted`` ends after ``at``: the answer may insert a few stop words
    and one other word, never cross a sentence."""
    skipped_stop = skipped_content = 0
    for word in wanted:
        at += 1
        while at < len(tokens) and not (tokens[at].word and _same_word(tokens[at], word)):
            token = tokens[at]
            if token.raw in SENTENCE_MARKS or token.raw in JOINERS:
                return None
            if token.word and token.content:
                skipped_content += 1
            elif token.word:
                skipped_stop += 1
            if skipped_content > PHRASE_SLACK or skipped_stop > STOP_SLACK:
                return None
            at += 1
        if at >= len(tokens):
            return None
    return at


def _compound_spans(tokens: Sequence[Token], compound: str, starts: Sequence[int]) -> list[Span]:
    """Where a few adjacent answer words, written together, spell ``compound`` (or its other forms)."""
    target = stem(compound)
    spans = []
    for start in starts:
        joined = ""
        for end in range(start, min(start + COMPOUND_MAX, len(tokens))):
            if not tokens[end].word or len(joined) > len(compound) + FUZZY_MIN_LENGTH:
                break
            joined += tokens[end].raw
            if stem(joined) == target:
                spans.append(Span(start, end))
    return spans


def _crosses_sentence(tokens: Sequence[Token], start: int, end: int) -> bool:
    return any(tokens[i].raw in SENTENCE_MARKS for i in range(start, end + 1))


def _ends_clause(token: Token) -> bool:
    return token.raw in SENTENCE_MARKS or token.raw in CLAUSE_WORDS or token.raw in "()[]"


def _negates(tokens: Sequence[Token], at: int) -> bool:
    token = tokens[at]
    if token.raw in NEGATORS:
        following = tokens[at + 1].raw if at + 1 < len(tokens) else ""
        return following not in AFFIRMING_AFTER_NOT
    return at + 1 < len(tokens) and (token.raw, tokens[at + 1].raw) in NEGATING_PAIRS


def _denies(tokens: Sequence[Token], at: int) -> bool:
    """Whether the words at ``at`` deny what came before: "is unnecessary", "is not needed",
    "are never computed", "plays no part" (but not "hasn't improved": that denies the verb)."""
    token = tokens[at]
    if token.raw in DENIALS:
        return True
    if token.stem == "not" or token.raw == "never":
        skip = FILLERS | FILLERS_AFTER_NOT
        following = [t.raw for t in tokens[at + 1 : at + 4] if t.word and t.raw not in skip]
        return bool(following) and following[0] in DENIED_PREDICATES
    return token.raw == "no" and at + 1 < len(tokens) and tokens[at + 1].raw in DENIED_ROLES


def _negated_before(tokens: Sequence[Token], start: int, floor: int) -> bool:
    # A comma between list items costs a word rather than ending the search, and "or" widens it, so a
    # negation reaches into a short list: "nothing to do with understanding, debugging or auditing";
    # a comma before "the", "it", ... starts a new clause: "X is not needed, the plot decides".
    budget, at = NEGATION_WINDOW, start - 1
    while at >= floor and budget > 0 and not _ends_clause(tokens[at]) and tokens[at].raw != "and":
        if tokens[at].raw == "," and not (at + 1 < len(tokens) and tokens[at + 1].content):
            return False
        if _negates(tokens, at):
            return True
        token = tokens[at]
        budget -= 1 if token.content or token.raw == "," else 0
        budget += LIST_WIDENING if token.raw in {"or", "nor"} else 0
        at -= 1
    return False


def _negated_after(tokens: Sequence[Token], end: int) -> bool:
    budget, at = NEGATION_AFTER, end + 1
    while at < len(tokens) and budget > 0 and not _ends_clause(tokens[at]) and tokens[at].raw != ",":
        if _denies(tokens, at):
            return True
        budget -= tokens[at].content and tokens[at].raw not in FILLERS_AFTER_NOT
        at += 1
    return False


def negated(tokens: Sequence[Token], span: Span, floor: int = 0, own: frozenset[str] = frozenset()) -> bool:
    """Whether a negation governs the words at ``span``: shortly before it (not before ``floor``),
    inside it (unless the synonym says it itself, ``own``), or shortly after it ("... is not needed")."""
    if _negated_before(tokens, span.start, floor):
        return True
    if any(_negates(tokens, i) and tokens[i].stem not in own for i in range(span.start, span.end + 1)):
        return True
    return _negated_after(tokens, span.end)


@dataclass(frozen=True)
class Synonym:
    """A synonym ready to match: one phrase, or several parts of a relation in order."""

    text: str
    parts: tuple[Phrase, ...]

    @classmethod
    def parse(cls, text: str) -> Synonym:
        """Split ``text`` at ``...`` into the parts of a relation (one part for a plain phrase)."""
        pieces = [piece for piece in text.split(RELATION) if piece.strip()]
        return cls(text=text, parts=tuple(Phrase.parse(piece) for piece in pieces))

    @cached_property
    def stems(self) -> frozenset[str]:
        """Every content stem of the synonym."""
        return frozenset(stem for part in self.parts for stem in part.stems)


@lru_cache(maxsize=8192)
def synonym(text: str) -> Synonym:
    """The parsed form of a synonym's text (cached: a bank's synonyms are parsed once)."""
    return Synonym.parse(text)


def find(answer: Answer, target: Synonym, anchors: Sequence[Phrase] = ()) -> Span | None:
    """The first un-negated place ``target`` is found in ``answer``, or None.

    ``anchors`` are the subjects of the question's other relations: none may stand between two parts.
    """
    tokens, own, first = answer.tokens, target.stems, target.parts[0]
    starts = answer.spans(first) if answer.could_hold(first) else ()
    if not starts:
        return None  # the common case: most synonyms are nowhere in an answer
    # the anchors' places matter only between the parts of a relation: found when first needed
    blocked_at: set[int] | None = None

    def blocked() -> set[int]:
        nonlocal blocked_at
        if blocked_at is None:
            blocked_at = {
                span.start for a in anchors if a is not first and a != first for span in answer.spans(a)
            }
        return blocked_at

    def extend(part_index: int, previous: Span) -> Span | None:
        if part_index == len(target.parts):
            return previous
        for span in answer.spans(target.parts[part_index]):
            gap = range(previous.end + 1, span.start)
            if (
                span.start > previous.end
                and sum(tokens[i].word for i in gap) <= RELATION_GAP
                and not _crosses_sentence(tokens, previous.end, span.start)
                and not any(i in blocked() for i in gap)
                and not negated(tokens, span, floor=previous.end + 1, own=own)
            ):
                found = extend(part_index + 1, span)
                if found is not None:
                    return Span(previous.start, found.end)
        return None

    for span in starts:
        if negated(tokens, span, own=own):
            continue
        whole = extend(1, span)
        if whole is not None:
            return whole
    return None
