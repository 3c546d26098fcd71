"""Grading a free-text answer by key-point coverage: forgiving, but not fooled."""

from __future__ import annotations

import pytest

from bot.bank import Bank, Question
from bot.grading import Verdict, grade, normalize


@pytest.fixture
def overfitting(mini_bank: Bank) -> Question:
    question = mini_bank.get("overfitting")
    assert question is not None
    return question


def test_reference_answer_is_strong(overfitting: Question) -> None:
    result = grade(overfitting.key_points, overfitting.answer)
    assert result.verdict is Verdict.STRONG and result.score == 1.0


def test_case_punctuation_accents_and_small_typos_are_forgiven(overfitting: Question) -> None:
    text = "The model MEMORIZES the Noïse of its trainng-data and then generalises badly!!"
    result = grade(overfitting.key_points, text)
    assert result.found == (True, True, True)


def test_a_paraphrase_covering_part_of_the_points_is_partial(overfitting: Question) -> None:
    result = grade(overfitting.key_points, "It fits the noise instead of the signal.")
    assert result.verdict is Verdict.MISSED  # 1 of 3
    result = grade(overfitting.key_points, "It fits the noise in the training data.")
    assert result.verdict is Verdict.PARTIAL and result.found == (True, True, False)


@pytest.mark.parametrize("text", ["", "   ", "?!", "🙂🙂", "機械学習はデータから学ぶ"])
def test_empty_or_unrelated_text_is_missed(overfitting: Question, text: str) -> None:
    result = grade(overfitting.key_points, text)
    assert result.verdict is Verdict.MISSED and result.score == 0.0


def test_an_answer_to_another_question_does_not_pass(mini_bank: Bank, overfitting: Question) -> None:
    bagging = mini_bank.get("bagging")
    assert bagging is not None
    assert grade(overfitting.key_points, bagging.answer).verdict is Verdict.MISSED


def test_very_long_answers_are_graded_quickly_and_fairly(overfitting: Question) -> None:
    padding = "lorem ipsum dolor sit amet " * 150
    result = grade(overfitting.key_points, padding + overfitting.answer)
    assert result.verdict is Verdict.STRONG
    assert grade(overfitting.key_points, padding).verdict is Verdict.MISSED


def test_short_synonyms_need_a_whole_word(mini_bank: Bank) -> None:
    precision = mini_bank.get("precision")
    assert precision is not None
    # "tp" must not be found inside "output" or "http"
    result = grade(precision.key_points, "the output of http calls")
    assert result.found[1] is False
    assert grade(precision.key_points, "TP / (TP + FP) over predicted positives").verdict is Verdict.STRONG


def test_normalize() -> None:
    assert normalize("  Naïve-Bayes, rocks!  ") == "naive bayes rocks"
