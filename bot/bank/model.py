"""The question bank: the Question model, loading and validating bank files, merging several banks.

A bank file is JSON: a header (``name``, ``version``, ``description``) and ``questions``. Every error
names the file, the question (its id, or its index when the id is missing) and the field.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.text.topic_names import TopicMatch, resolve_topic, topic_problem

Difficulty = Literal["easy", "medium", "hard"]
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


QUIZ_OPTION_MAX = 160
WHY_MAX = 300
WRONG_OPTIONS = 3


class WrongOption(BaseModel):
    """A wrong quiz option (a misconception a real candidate holds) and why it is wrong."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=QUIZ_OPTION_MAX)
    why: str = Field(min_length=1, max_length=WHY_MAX)


MISCONCEPTIONS_MAX = 5


class Misconception(BaseModel):
    """A false claim a candidate may state, as synonyms (the key points' syntax), and why it is wrong.

    An answer that states it grades missed, whatever key points it also covers (see ``bot.bank.grading``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    says: tuple[str, ...] = Field(min_length=1, max_length=10)
    why: str = Field(min_length=1, max_length=WHY_MAX)

    @field_validator("says")
    @classmethod
    def _no_empty_synonym(cls, says: tuple[str, ...]) -> tuple[str, ...]:
        if any(not text.strip() for text in says):
            raise ValueError("every synonym of a misconception must be non-empty")
        return says


class QuizForm(BaseModel):
    """A question's quiz form: a short correct option and three wrong ones, in the same style."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    correct: str = Field(min_length=1, max_length=QUIZ_OPTION_MAX)
    wrong: tuple[WrongOption, ...]

    @field_validator("wrong")
    @classmethod
    def _three_wrong(cls, wrong: tuple[WrongOption, ...]) -> tuple[WrongOption, ...]:
        if len(wrong) != WRONG_OPTIONS:
            raise ValueError(f"needs exactly {WRONG_OPTIONS} wrong options, got {len(wrong)}")
        return wrong

    @property
    def options(self) -> tuple[str, ...]:
        """The four option texts, the correct one first."""
        return (self.correct, *(w.text for w in self.wrong))


class Question(BaseModel):
    """One question with its reference answer and what grading and quiz mode need."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=ID_PATTERN, max_length=80)
    topic: str = Field(min_length=1, max_length=80)
    difficulty: Difficulty = "medium"
    question: str = Field(min_length=1, max_length=1000)
    answer: str = Field(min_length=1, max_length=1500)
    explanation: str = Field(default="", max_length=2000)
    # Groups of synonyms; "a ... b" is a relation (parts in order, one sentence). See bot/bank/matching.py.
    key_points: tuple[tuple[str, ...], ...] = Field(default=(), max_length=5)
    # False claims that make an answer missed even when it covers the key points.
    misconceptions: tuple[Misconception, ...] = Field(default=(), max_length=MISCONCEPTIONS_MAX)
    quiz: QuizForm | None = None
    follow_up: str = Field(default="", max_length=500)

    @field_validator("key_points")
    @classmethod
    def _groups_not_empty(cls, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        if groups and len(groups) < 2:
            raise ValueError("needs 2 to 5 groups of synonyms (or none for an imported question)")
        for group in groups:
            if not group or any(not synonym.strip() for synonym in group):
                raise ValueError("every group needs at least one non-empty synonym")
        return groups

    @model_validator(mode="before")
    @classmethod
    def _no_long_choices(cls, data: Any) -> Any:
        if isinstance(data, dict) and "choices" in data:
            raise ValueError(
                "'choices' was replaced by 'quiz': {\"correct\": short answer, \"wrong\": "
                '[{"text": ..., "why": ...} x3]}; remove \'choices\' (the question then runs in open mode)'
            )
        return data

    @property
    def quizzable(self) -> bool:
        """Whether the question can be asked in quiz mode (it has a quiz form)."""
        return self.quiz is not None


class BankFile(BaseModel):
    """The on-disk shape of a bank file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    questions: list[dict[str, Any]]


class BankError(Exception):
    """A bank file cannot be used. The message names file, question and field."""


@dataclass(frozen=True)
class Bank:
    """All questions the bot can ask, merged from one or more files, indexed by id."""

    questions: tuple[Question, ...]
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        by_id: dict[str, Question] = self.__dict__["_by_id"]
        return by_id.get(question_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every question id, in bank order."""
        return tuple(q.id for q in self.questions)

    def topics(self) -> list[tuple[str, int]]:
        """Topics with their question counts, in bank order."""
        return list(Counter(q.topic for q in self.questions).items())

    def find_topic(self, text: str) -> str | None:
        """The topic named by ``text``: full or short name, a unique part, or a unique close spelling."""
        return self.match_topic(text).topic

    def match_topic(self, text: str) -> TopicMatch:
        """The topic ``text`` means, or the candidates it could mean (see ``bot.text.topic_names``)."""
        return resolve_topic([name for name, _ in self.topics()], text)

    def topic_problem(self, text: str) -> str:
        """Why ``text`` names no topic: did-you-mean, ambiguous, or the list of topics."""
        names = [name for name, _ in self.topics()]
        return topic_problem(names, text, resolve_topic(names, text))

    def filtered(self, topics: Sequence[str] = (), difficulty: str | None = None) -> list[Question]:
        """Questions in the given topics (all when empty) and difficulty (any when None)."""
        return [
            q
            for q in self.questions
            if (not topics or q.topic in topics) and (difficulty is None or q.difficulty == difficulty)
        ]


def _describe(index: int, raw: Any) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
        return f"question '{raw['id']}' (#{index + 1})"
    return f"question #{index + 1} (no id)"


def _field_errors(error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(whole question)"
        lines.append(f"field '{where}': {item['msg']}")
    return lines


def parse_bank(text: str, source: str) -> Bank:
    """Parse and validate one bank file's text; ``source`` names it in errors."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BankError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    try:
        header = BankFile.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(_field_errors(exc))
        raise BankError(
            f"{source}: the file needs name, version and a list of questions: {details}"
        ) from None
    problems: list[str] = []
    questions: list[Question] = []
    for index, raw in enumerate(header.questions):
        try:
            questions.append(Question.model_validate(raw))
        except ValidationError as exc:
            problems.extend(f"{source}: {_describe(index, raw)}: {line}" for line in _field_errors(exc))
    for question_id, count in Counter(q.id for q in questions).items():
        if count > 1:
            problems.append(f"{source}: question '{question_id}': field 'id': used {count} times")
    if problems:
        raise BankError("\n".join(problems))
    if not questions:
        raise BankError(f"{source}: the bank has no questions")
    return Bank(tuple(questions), (source,))


def load_bank(paths: Iterable[Path | str]) -> Bank:
    """Load and merge bank files; ids must be unique across all of them."""
    merged: list[Question] = []
    origin: dict[str, str] = {}
    sources: list[str] = []
    for path in map(Path, paths):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BankError(f"{path}: cannot read the bank file: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise BankError(f"{path}: the bank file is not UTF-8 text") from None
        bank = parse_bank(text, str(path))
        for question in bank.questions:
            if question.id in origin:
                raise BankError(
                    f"{path}: question '{question.id}': field 'id': already used in {origin[question.id]}"
                )
            origin[question.id] = str(path)
            merged.append(question)
        sources.append(str(path))
    if not merged:
        raise BankError("no bank file given")
    return Bank(tuple(merged), tuple(sources))
