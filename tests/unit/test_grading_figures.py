"""The four grading figures of issue #13, measured on the bundled bank.

- correct answers in a candidate's own words (tests/data/grading_samples.json): >= 95% strong;
- wrong answers that use the topic's words (same file): <= 1% strong, <= 5% partial or strong;
- gaming inputs (single characters, short fillers, the question echoed back, the topic's words):
  0 strong, <= 1% partial;
- the bank's own wrong quiz options graded as free text: 0 strong, <= 5% partial.

Run ``python -m tests.unit.test_grading_figures`` to print the figures.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from bot.bank.grading import Verdict, grade
from bot.bank.model import Bank, Question, load_bank
from bot.config import BUNDLED_BANK

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "grading_samples.json"
FILLERS = (
    "idk",
    "i don't know",
    "yes",
    "no",
    "maybe",
    "ok",
    "the model",
    "it depends",
    "good question",
    "all of the above",
    "none of the above",
    "the data",
    "machine learning",
    "it is important",
    "lol",
    "?",
    "...",
)


@cache
def bundled() -> Bank:
    """The bundled bank, loaded once."""
    return load_bank([BUNDLED_BANK])


@cache
def samples() -> dict[str, dict[str, list[str]]]:
    """Correct and wrong sample answers per question id."""
    data: dict[str, dict[str, list[str]]] = json.loads(SAMPLES.read_text(encoding="utf-8"))
    return data


def wrong_options(question: Question) -> list[str]:
    """The question's wrong quiz options, whichever form the bank stores them in."""
    quiz = getattr(question, "quiz", None)
    if quiz:
        wrong = quiz["wrong"] if isinstance(quiz, dict) else quiz.wrong
        return [item["text"] if isinstance(item, dict) else item.text for item in wrong]
    return list(question.choices)


def gaming_inputs(question: Question) -> list[str]:
    """What someone who knows nothing types: letters, fillers, the question back, the topic's words."""
    text = question.question
    echoes = [
        text,
        text.lower(),
        re.sub(r"\b(is|are|what|how|does|do)\b", "", text, flags=re.IGNORECASE).replace("?", ""),
        re.sub(r"\s+", " ", re.sub(r"\b(is|are)\b|\?", "", text)).strip(),
    ]
    topic_words = re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*", f"{question.topic} {text}")
    return [*string.ascii_lowercase, *string.digits, *FILLERS, *echoes, " ".join(topic_words)]


def verdicts(kind: str) -> Iterator[tuple[str, str, Verdict]]:
    """(question id, answer, verdict) for every answer of one kind."""
    for question in bundled().questions:
        if kind in ("correct", "wrong"):
            answers = samples()[question.id][kind]
        elif kind == "gaming":
            answers = gaming_inputs(question)
        else:
            answers = wrong_options(question)
        for answer in answers:
            result = grade(
                question.key_points,
                answer,
                question=question.question,
                misconceptions=question.misconceptions,
            )
            yield question.id, answer, result.verdict


@cache
def figures(kind: str) -> tuple[int, Counter[Verdict], list[tuple[str, str, Verdict]]]:
    """How many answers of this kind, their verdicts, and each graded answer."""
    graded = list(verdicts(kind))
    return len(graded), Counter(v for _, _, v in graded), graded


def share(kind: str, *wanted: Verdict) -> float:
    """The share of answers of this kind graded with one of the ``wanted`` verdicts."""
    total, counts, _ = figures(kind)
    return sum(counts[v] for v in wanted) / total


def offenders(kind: str, *unwanted: Verdict) -> list[tuple[str, str]]:
    """The (question id, answer) pairs graded with an unwanted verdict, for the failure message."""
    return [(qid, answer[:80]) for qid, answer, v in figures(kind)[2] if v in unwanted]


def test_the_sample_set_covers_every_question_twice() -> None:
    assert set(samples()) == set(bundled().ids)
    for entry in samples().values():
        assert len(entry["correct"]) == 2 and len(entry["wrong"]) == 2


def test_correct_answers_in_own_words_are_strong() -> None:
    assert share("correct", Verdict.STRONG) >= 0.95, offenders("correct", Verdict.PARTIAL, Verdict.MISSED)


def test_wrong_answers_with_the_right_words_rarely_score() -> None:
    assert share("wrong", Verdict.STRONG) <= 0.01, offenders("wrong", Verdict.STRONG)
    assert share("wrong", Verdict.STRONG, Verdict.PARTIAL) <= 0.05, offenders(
        "wrong", Verdict.STRONG, Verdict.PARTIAL
    )


def test_gaming_inputs_never_score() -> None:
    assert figures("gaming")[1][Verdict.STRONG] == 0, offenders("gaming", Verdict.STRONG)
    assert share("gaming", Verdict.PARTIAL) <= 0.01, offenders("gaming", Verdict.PARTIAL)


def test_the_banks_wrong_quiz_options_do_not_pass_as_free_text() -> None:
    assert figures("options")[1][Verdict.STRONG] == 0, offenders("options", Verdict.STRONG)
    assert share("options", Verdict.PARTIAL) <= 0.05, offenders("options", Verdict.PARTIAL)


@pytest.mark.parametrize("letter", list(string.ascii_lowercase))
def test_no_single_letter_scores_on_any_question(letter: str) -> None:
    for question in bundled().questions:
        result = grade(
            question.key_points, letter, question=question.question, misconceptions=question.misconceptions
        )
        assert result.verdict is Verdict.MISSED and not any(result.found), (question.id, letter)


def main() -> None:
    """Print the four figures."""
    for kind in ("correct", "wrong", "gaming", "options"):
        total, counts, _ = figures(kind)
        parts = ", ".join(f"{v.value} {counts[v]} ({counts[v] / total:.1%})" for v in Verdict)
        print(f"{kind}: {total} answers: {parts}")


if __name__ == "__main__":
    main()
