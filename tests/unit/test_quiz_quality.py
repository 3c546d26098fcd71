"""Blind-player cue statistics: the rules, ties, length flags, and ``bank check`` failing on a tell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bank.model import Bank, Question, QuizForm, WrongOption
from bot.bank.quality import check_bank
from bot.bank.quiz_quality import (
    MAX_RULE_SHARE,
    RULE_TEXT,
    Rule,
    absolute_count,
    cue_report,
    length_flags,
    overlap,
    question_wins,
    rule_win,
)
from bot.config import BUNDLED_BANK


def quiz_question(
    qid: str, correct: str, *wrong: str, question: str = "What does bagging reduce?"
) -> Question:
    return Question(
        id=qid,
        topic="T",
        question=question,
        answer="Bagging reduces variance by averaging bootstrap models.",
        quiz=QuizForm(correct=correct, wrong=tuple(WrongOption(text=w, why="Because.") for w in wrong)),
    )


def test_a_tie_wins_one_kth_only_when_the_correct_option_is_among_the_tied() -> None:
    assert rule_win([5, 5, 3, 1], 0, pick_max=True) == 0.5
    assert rule_win([5, 5, 5, 5], 0, pick_max=True) == 0.25
    assert rule_win([5, 5, 3, 1], 2, pick_max=True) == 0.0
    assert rule_win([1, 2, 1, 1], 0, pick_max=False) == pytest.approx(1 / 3)


def test_words_absolutes_and_question_overlap_follow_the_shared_definition() -> None:
    assert absolute_count("It can't ALWAYS work, not with any data.") == 4  # can't, always, not, any
    assert absolute_count("Notably, nothingness is knowable.") == 0  # whole words only
    # content words of the question: "bagging", "reduce" ("what", "does" are stop words)
    assert overlap("Bagging does reduce, and bagging reduces.", "What does bagging reduce?") == 2
    assert overlap("It lowers variance.", "What does bagging reduce?") == 0


def test_each_rule_on_one_question() -> None:
    wins = question_wins(
        "What does bagging reduce?",
        [
            "Bagging lowers variance by averaging.",  # correct: no absolutes, shares "bagging"
            "It never changes the variance at all, only bias.",
            "Only the bias is lowered.",
            "It always lowers bias and never variance, whatever the base model.",
        ],
    )
    assert wins == {
        Rule.LONGEST: 0.0,
        Rule.SHORTEST: 0.0,
        Rule.FEWEST_ABSOLUTE: 1.0,
        Rule.MOST_QUESTION_WORDS: 1.0,
    }


def test_length_flags_an_option_far_from_the_median() -> None:
    question = quiz_question("q", "a" * 60, "b" * 50, "c" * 70, "d" * 100)  # median 65, 100 > 97.5
    assert [(f.length, f.median) for f in length_flags(question)] == [(100, 65.0)]
    assert length_flags(quiz_question("edge", "a" * 60, "b" * 50, "c" * 70, "d" * 97)) == []
    short = quiz_question("s", "a" * 100, "b" * 90, "c" * 110, "d" * 50)  # median 95, 50 < 57
    assert [f.length for f in length_flags(short)] == [50]
    assert length_flags(quiz_question("ok", "a" * 100, "b" * 90, "c" * 110, "d" * 60)) == []


def test_questions_without_a_quiz_form_are_not_counted() -> None:
    plain = Question(id="open", topic="T", question="Q?", answer="A.")
    report = cue_report([plain, quiz_question("q", "long correct option", "short", "tiny", "wee")])
    assert report.questions == 1 and report.shares[Rule.LONGEST] == 1.0


def telling_bank() -> Bank:
    """Ten questions whose correct option is always the longest: the issue's bank in miniature."""
    return Bank(
        tuple(
            quiz_question(
                f"q-{i}", f"The correct one, written out at length {i}.", "Wrong one.", "Wrong two.", "Nope."
            )
            for i in range(10)
        )
    )


def test_check_fails_when_a_blind_rule_wins_too_often() -> None:
    errors = [f for f in check_bank(telling_bank()) if f.error]
    assert [(f.question_id, f.message) for f in errors] == [
        (
            "(bank)",
            "a blind player who would pick the longest option wins 100.0% of 10 quiz questions (at most 35%)",
        )
    ]
    warnings = {f.question_id for f in check_bank(telling_bank()) if not f.error}
    assert {f"q-{i}" for i in range(10)} <= warnings  # the long correct option is flagged too


def write_bank(path: Path, bank: Bank) -> Path:
    document = {
        "name": "n",
        "version": "1",
        "questions": [q.model_dump(mode="json", exclude_defaults=True) for q in bank.questions],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def bank_check(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters", "bank", "check", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_bank_check_prints_every_rule_share_and_exits_1_on_a_tell(tmp_path: Path) -> None:
    result = bank_check(write_bank(tmp_path / "tell.json", telling_bank()))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(
        "pick the longest option" in line and "100.0%" in line and "too high" in line for line in lines
    )
    assert any("pick the shortest option" in line and "0.0%" in line and "ok" in line for line in lines)
    assert "error (bank): a blind player who would pick the longest option wins 100.0%" in result.stdout


def test_bundled_bank_resists_every_blind_rule(bank: Bank) -> None:
    report = cue_report(bank.questions)
    assert report.questions == 100
    assert all(share <= MAX_RULE_SHARE for share in report.shares.values()), report.shares


def test_bank_check_prints_the_bundled_figures() -> None:
    result = bank_check(BUNDLED_BANK)
    assert result.returncode == 0, result.stdout
    assert "blind players over 100 quiz questions" in result.stdout
    for text in RULE_TEXT.values():
        assert text in result.stdout, text


def test_an_option_a_typo_away_from_the_answer_fails_but_a_swapped_relation_does_not() -> None:
    correct = "It stops when the validation loss stops improving for a set patience."
    typo = quiz_question("typo", correct, correct.replace("patience", "patiense"), "Wrong one.", "Wrong two.")
    swapped = quiz_question(
        "swap", correct, correct.replace("validation", "training"), "Wrong one here.", "Wrong two here."
    )
    duplicate = quiz_question("dup", correct, "Wrong one.", "Wrong one.", "Wrong two.")
    findings = check_bank(Bank((typo, swapped, duplicate)))
    assert [(f.question_id, f.message[:30]) for f in findings if f.error and f.question_id != "(bank)"] == [
        ("typo", "option too close to the answer"),
        ("dup", "duplicate option: Wrong one."),
        ("dup", "duplicate option: Wrong one."),
    ]


def test_bank_check_on_a_bank_without_quiz_forms_says_quiz_mode_cannot_use_it(tmp_path: Path) -> None:
    plain = Bank(
        (Question(id="open-only", topic="T", question="What is TCP?", answer="A transport protocol."),)
    )
    result = bank_check(write_bank(tmp_path / "plain.json", plain))
    assert result.returncode == 0, result.stdout
    assert "no quiz forms: quiz mode cannot use this bank (open mode can)" in result.stdout
    assert "warning open-only: missing explanation, key_points, quiz, follow_up" in result.stdout
