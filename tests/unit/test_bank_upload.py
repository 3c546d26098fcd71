"""An upload's quality errors and warnings are those ``dailyq bank check`` gives each question."""

from __future__ import annotations

import json

from bot.bank.model import Bank
from bot.bank.quality import check_bank, quiz_cue_findings
from bot.bank.upload import parse_file, quality_errors
from bot.config import BUNDLED_BANK


def flawed_bank() -> bytes:
    """The bundled bank with answers swapped, misconceptions stated and options a typo apart."""
    document = json.loads(BUNDLED_BANK.read_text(encoding="utf-8"))
    questions = document["questions"]
    for i, question in enumerate(questions):
        if i % 3 == 0:
            question["answer"] = questions[(i + 1) % len(questions)]["answer"]
        if i % 5 == 0 and question.get("misconceptions"):
            question["answer"] += " " + question["misconceptions"][0]["says"][0] + "."
        if i % 7 == 0:
            question["quiz"]["wrong"][0]["text"] = question["quiz"]["correct"] + "s"
        if i % 4 == 0 and question.get("misconceptions"):
            stated = f"{question['quiz']['correct']}, {question['misconceptions'][0]['says'][0]}"
            question["quiz"]["correct"] = stated if len(stated) <= 160 else question["quiz"]["correct"]
    return json.dumps(document).encode()


def test_upload_findings_are_each_questions_bank_check_findings() -> None:
    bank, _ = parse_file("flawed.json", flawed_bank())
    errors, warnings = quality_errors("flawed.json", bank, "ours")
    expected_errors, expected_warnings = [], []
    for number, question in enumerate(bank.questions, start=1):
        for finding in check_bank(Bank((question,))):
            if finding.question_id != "(bank)":
                where = f"flawed.json: question '{question.id}' (#{number})"
                (expected_errors if finding.error else expected_warnings).append(
                    f"{where}: {finding.message}"
                )
    for finding in quiz_cue_findings(bank):  # the blind-player shares, over the whole bank
        if finding.question_id == "(bank)":
            (expected_errors if finding.error else expected_warnings).append(
                f"flawed.json: {finding.message}"
            )
    assert errors == expected_errors
    assert warnings == expected_warnings
    # the flaws are found: self-grades, stated misconceptions, near-equal options
    assert any("the reference answer grades" in e for e in errors)
    assert any("states a misconception" in e for e in errors)
    assert any("option too close to the answer" in e for e in errors)
    assert any("the correct quiz option states a misconception" in e for e in errors)


def test_the_bundled_bank_uploads_without_errors() -> None:
    bank, _ = parse_file("bundled.json", BUNDLED_BANK.read_bytes())
    assert quality_errors("bundled.json", bank, "copy")[0] == []
