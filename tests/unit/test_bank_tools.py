"""Bank-author tools: ``dailyq bank grade --jsonl`` and the gaming checks of ``dailyq bank check``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rapidfuzz import fuzz

import bot.bank.quality
from bot.bank.grading import Grade, verdict_for
from bot.bank.model import load_bank
from bot.bank.quality import check_bank

MINI_BANK = Path(__file__).resolve().parents[1] / "data" / "mini_bank.json"


def dailyq(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console script in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "adapters", *args],
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
    )


def test_grade_jsonl_prints_one_json_line_per_answer(tmp_path: Path) -> None:
    answers = tmp_path / "answers.jsonl"
    answers.write_text(
        json.dumps({"id": "overfitting", "answer": "It memorizes noise in the training data"})
        + "\n\n"
        + json.dumps({"id": "recall", "answer": "e"})
        + "\n",
        encoding="utf-8",
    )
    result = dailyq("bank", "grade", "--jsonl", str(answers), "--questions", str(MINI_BANK))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == [
        {
            "line": 1,
            "id": "overfitting",
            "verdict": "partial",
            "score": 0.667,
            "found": ["memorize", "training data"],
            "missed": ["generalize"],
            "evidence": {"memorize": "memorizes", "training data": "training data"},
            "note": "",
        },
        {
            "line": 3,
            "id": "recall",
            "verdict": "missed",
            "score": 0.0,
            "found": [],
            "missed": ["actual positives", "true positives", "false negatives"],
            "evidence": {},
            "note": "the answer needs words of its own, not only the question's",
        },
    ]


def test_grade_jsonl_reads_stdin() -> None:
    line = json.dumps({"id": "bagging", "answer": "bootstrap samples, then votes, which cuts variance"})
    result = dailyq("bank", "grade", "--jsonl", "-", "--questions", str(MINI_BANK), stdin=line + "\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "strong"


def test_grade_jsonl_names_each_bad_line_and_fails(tmp_path: Path) -> None:
    answers = tmp_path / "answers.jsonl"
    answers.write_text(
        "\n".join(
            [
                json.dumps({"id": "overfitting", "answer": "memorizes noise"}),
                "{not json",
                json.dumps({"id": "nope", "answer": "x"}),
                json.dumps({"id": "recall"}),
                json.dumps(["overfitting", "x"]),
            ]
        ),
        encoding="utf-8",
    )
    result = dailyq("bank", "grade", "--jsonl", str(answers), "--questions", str(MINI_BANK))
    assert result.returncode == 1
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1]
    assert result.stderr.splitlines() == [
        f"{answers}:2: not valid JSON (column 2: Expecting property name enclosed in double quotes)",
        f"{answers}:3: no question 'nope' in the bank",
        f"{answers}:4: question 'recall': needs a string \"answer\"",
        f'{answers}:5: needs an object with a string "id" and a string "answer"',
    ]


def test_grade_needs_an_answer_or_a_file() -> None:
    result = dailyq("bank", "grade", "overfitting", "--questions", str(MINI_BANK))
    assert result.returncode == 2
    assert "bank grade needs QUESTION_ID and ANSWER, or --jsonl FILE" in result.stderr
    missing = dailyq("bank", "grade", "--jsonl", "/nonexistent/answers.jsonl", "--questions", str(MINI_BANK))
    assert missing.returncode == 2 and "/nonexistent/answers.jsonl: cannot read" in missing.stderr


def test_grade_help_documents_the_jsonl_format() -> None:
    result = dailyq("bank", "grade", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert '{"id": "<question id>", "answer": "<text>"}' in text
    assert "--jsonl FILE" in text and "FILE:LINE" in text


def test_bank_check_passes_the_mini_bank() -> None:
    assert [f for f in check_bank(load_bank([MINI_BANK])) if f.error] == []


def test_bank_check_fails_a_grader_that_echoes_and_letters_can_game(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Today's grader cannot be gamed this way, so the check is shown failing with the grader this issue
    # replaced (a synonym "found" wherever the shorter string aligns inside the longer one).
    def partial_ratio_grade(
        key_points: list[list[str]], answer: str, *, question: str = "", misconceptions: object = ()
    ) -> Grade:
        found = tuple(
            any(fuzz.partial_ratio(s.lower(), answer.lower()) >= 88 for s in group) for group in key_points
        )
        score = sum(found) / len(found)
        return Grade(score=score, verdict=verdict_for(score), found=found)

    document = json.loads(MINI_BANK.read_text(encoding="utf-8"))
    document["questions"][3]["question"] = "Why do bootstrap samples and votes reduce variance in bagging?"
    bank_file = tmp_path / "bank.json"
    bank_file.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(bot.bank.quality, "grade", partial_ratio_grade)
    messages = {(f.question_id, f.message) for f in check_bank(load_bank([bank_file])) if f.error}
    assert ("overfitting", "the one-character answer 'e' grades strong") in messages
    assert ("bagging", "the question text echoed back grades strong") in messages


def test_bank_check_warns_about_synonyms_the_question_gives_away(tmp_path: Path) -> None:
    document = json.loads(MINI_BANK.read_text(encoding="utf-8"))
    document["questions"][3]["question"] = "Why do bootstrap samples and votes reduce variance in bagging?"
    bank_file = tmp_path / "bank.json"
    bank_file.write_text(json.dumps(document), encoding="utf-8")
    findings = [f for f in check_bank(load_bank([bank_file])) if f.question_id == "bagging"]
    assert any(
        not f.error
        and f.message
        == "synonyms made only of the question's words can never be credited: "
        "bootstrap, vote, votes, variance"
        for f in findings
    ), findings
