"""Misconceptions: an answer that states a known false claim grades missed, whatever else it covers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.bank.grading import Verdict, grade
from bot.bank.model import Misconception, Question, load_bank
from bot.bank.quality import check_bank

VOTING = [
    ["hard voting ... majority"],
    ["soft voting ... average", "soft voting ... averages"],
    ["confidence", "probabilities"],
]
VOTING_Q = "What is the difference between soft and hard voting in ensemble methods?"
UNCALIBRATED = Misconception(
    says=("works well with uncalibrated", "fine with uncalibrated"),
    why="Soft voting relies on each model's confidence, so uncalibrated scores need calibration first.",
)
MINI_BANK = Path(__file__).resolve().parents[1] / "data" / "mini_bank.json"


def voting(text: str) -> tuple[Verdict, str]:
    result = grade(VOTING, text, question=VOTING_Q, misconceptions=[UNCALIBRATED])
    return result.verdict, result.note


def test_an_answer_stating_a_misconception_is_missed_and_the_note_says_why() -> None:
    text = (
        "Hard voting takes the majority class; soft voting averages probabilities, "
        "and it works well with uncalibrated models."
    )
    assert grade(VOTING, text, question=VOTING_Q).verdict is Verdict.STRONG  # without misconceptions
    result = grade(VOTING, text, question=VOTING_Q, misconceptions=[UNCALIBRATED])
    assert result.verdict is Verdict.MISSED
    assert result.score == 1.0 and result.found == (True, True, True)
    assert result.note == (
        'it states a misconception ("works well with uncalibrated"): Soft voting relies on each '
        "model's confidence, so uncalibrated scores need calibration first."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Hard voting takes the majority; soft voting averages probabilities, but it does not work well "
        "with uncalibrated models.",
        "Hard voting takes the majority; soft voting averages the probabilities, so it is never fine with "
        "uncalibrated models.",
    ],
)
def test_a_negated_misconception_is_not_stated(text: str) -> None:
    assert voting(text) == (Verdict.STRONG, "")


def test_a_correct_answer_using_the_topic_words_is_not_caught() -> None:
    text = (
        "Hard voting takes the majority label, soft voting averages the predicted probabilities, so "
        "uncalibrated models should be calibrated first because it works on their confidence."
    )
    assert voting(text) == (Verdict.STRONG, "")


def test_a_misconception_as_a_relation_needs_its_parts_in_order() -> None:
    adf = Misconception(says=("adf ... null is stationarity", "kpss ... null is a unit root"), why="Swapped.")
    key_points = [["differencing"], ["adf"]]
    question = "How do you handle stationarity in time series?"
    right = (
        "Use ADF, whose null is a unit root, and KPSS, whose null is stationarity, then apply differencing."
    )
    wrong = "Use ADF, whose null is stationarity, then apply differencing when it rejects."
    assert grade(key_points, right, question=question, misconceptions=[adf]).verdict is Verdict.STRONG
    assert grade(key_points, wrong, question=question, misconceptions=[adf]).verdict is Verdict.MISSED


def test_a_missed_answer_also_names_the_misconception() -> None:
    verdict, note = voting("Soft voting works well with uncalibrated models.")
    assert verdict is Verdict.MISSED and note.startswith('it states a misconception ("works well')


def test_the_bank_refuses_bad_misconceptions() -> None:
    base = {"id": "q", "topic": "t", "question": "Q?", "answer": "A."}
    with pytest.raises(ValidationError, match="says"):
        Question.model_validate({**base, "misconceptions": [{"says": [], "why": "x"}]})
    with pytest.raises(ValidationError, match="why"):
        Question.model_validate({**base, "misconceptions": [{"says": ["a"], "why": ""}]})
    with pytest.raises(ValidationError, match="at most 5"):
        Question.model_validate({**base, "misconceptions": [{"says": ["a"], "why": "b"}] * 6})
    with pytest.raises(ValidationError, match="Extra inputs"):
        Question.model_validate({**base, "misconceptions": [{"says": ["a"], "why": "b", "text": "c"}]})


def test_bank_check_fails_a_reference_answer_that_states_its_own_misconception(tmp_path: Path) -> None:
    document = json.loads(MINI_BANK.read_text(encoding="utf-8"))
    question = document["questions"][0]
    question["misconceptions"] = [{"says": [question["key_points"][0][0]], "why": "Made up for the test."}]
    bank_file = tmp_path / "bank.json"
    bank_file.write_text(json.dumps(document), encoding="utf-8")
    errors = [
        f.message for f in check_bank(load_bank([bank_file])) if f.error and f.question_id == question["id"]
    ]
    assert any(m.startswith("the reference answer states a misconception (") for m in errors), errors
