"""``tools/apply_quiz_forms.py``: quiz forms replace ``choices``, nothing else in the bank moves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "apply_quiz_forms.py"
FORM = {
    "question": "What does bagging reduce?",
    "correct": "Variance, by averaging models fit on bootstrap samples.",
    "wrong": [
        {"text": "Bias, by fitting each model to the errors of the last.", "why": "That is boosting."},
        {"text": "Variance, by pruning each tree to a fixed depth.", "why": "Pruning is not bagging."},
        {"text": "Bias, by training a meta-model on the outputs.", "why": "That is stacking."},
    ],
}


def bank_text() -> str:
    questions = [
        {
            "id": "bagging",
            "topic": "Ensembles",
            "question": "What does bagging reduce?",
            "answer": "Variance: it averages models trained on bootstrap samples.",
            "key_points": [["variance"], ["bootstrap"]],
            "choices": ["A long old option.", "Another long old option.", "A third long old option."],
            "follow_up": "And boosting?",
        },
        {"id": "other", "topic": "Ensembles", "question": "Q?", "answer": "A.", "choices": ["x", "y", "z"]},
    ]
    document = {"name": "b", "version": "1", "description": "d — é", "questions": questions}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def run(tmp_path: Path, forms: dict[str, Any]) -> tuple[subprocess.CompletedProcess[str], Path]:
    bank, forms_file = tmp_path / "questions.json", tmp_path / "quiz_forms.json"
    if not bank.exists():
        bank.write_text(bank_text(), encoding="utf-8")
    forms_file.write_text(json.dumps(forms), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(TOOL), str(forms_file), "--bank", str(bank)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, bank


def test_forms_take_the_place_of_choices_and_everything_else_stays(tmp_path: Path) -> None:
    result, bank = run(tmp_path, {"bagging": FORM})
    assert result.returncode == 0, result.stderr
    assert "1 quiz forms applied" in result.stdout and "open mode only): other" in result.stdout
    before, after = json.loads(bank_text()), json.loads(bank.read_text(encoding="utf-8"))
    assert {k: v for k, v in after.items() if k != "questions"} == {
        k: v for k, v in before.items() if k != "questions"
    }
    first, second = after["questions"]
    assert list(first) == ["id", "topic", "question", "answer", "key_points", "quiz", "follow_up"]
    assert first["quiz"] == {"correct": FORM["correct"], "wrong": FORM["wrong"]}
    assert {k: v for k, v in first.items() if k != "quiz"} == {
        k: v for k, v in before["questions"][0].items() if k != "choices"
    }
    assert second == {k: v for k, v in before["questions"][1].items() if k != "choices"}
    assert "d — é" in bank.read_text(encoding="utf-8")  # same formatting: indent 2, UTF-8 as is
    again, _ = run(tmp_path, {"bagging": {**FORM, "correct": "Variance."}})  # re-run replaces the form
    assert again.returncode == 0
    assert json.loads(bank.read_text(encoding="utf-8"))["questions"][0]["quiz"]["correct"] == "Variance."


def test_an_unknown_id_or_an_invalid_form_writes_nothing(tmp_path: Path) -> None:
    result, bank = run(tmp_path, {"bagging": FORM, "nope": FORM})
    assert result.returncode == 2 and "quiz forms for ids not in the bank: nope" in result.stderr
    assert bank.read_text(encoding="utf-8") == bank_text()
    too_long = {**FORM, "correct": "x" * 161}
    result, bank = run(tmp_path, {"bagging": too_long})
    assert result.returncode == 2 and "field 'quiz.correct'" in result.stderr
    assert bank.read_text(encoding="utf-8") == bank_text()
