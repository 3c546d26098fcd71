"""Put quiz forms into a bank file: each question's ``choices`` (or old ``quiz``) becomes ``quiz``.

    .venv/bin/python tools/apply_quiz_forms.py FORMS.json [--bank questions.json]

FORMS.json maps a question id to ``{"question": str, "correct": str, "wrong": [{"text", "why"}] x3}``
(``question`` is the author's copy for context and is not stored). Every other field of the bank is
left exactly as it is, in its place, so the script can be re-run on a bank someone else edited.
A question without a form loses its long ``choices`` and runs in open mode only; a form for an
unknown id, or a result that does not validate, stops the script before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.bank.model import BankError, parse_bank

ROOT = Path(__file__).resolve().parents[1]


def quiz_form(form: dict[str, Any]) -> dict[str, Any]:
    """The stored shape of a form: correct and the three wrong options with their reasons."""
    return {
        "correct": form["correct"],
        "wrong": [{"text": wrong["text"], "why": wrong["why"]} for wrong in form["wrong"]],
    }


def with_quiz(question: dict[str, Any], form: dict[str, Any] | None) -> dict[str, Any]:
    """The question with ``quiz`` where ``choices`` (or an older ``quiz``) was, else before follow_up."""
    rest = {key: value for key, value in question.items() if key not in ("choices", "quiz")}
    if form is None:
        return rest
    keys = list(question)
    anchor = next((k for k in keys if k in ("choices", "quiz")), "follow_up" if "follow_up" in keys else None)
    out: dict[str, Any] = {}
    for key in keys:
        if key == anchor:
            out["quiz"] = quiz_form(form)
        if key in rest:
            out[key] = rest[key]
    if anchor is None:
        out["quiz"] = quiz_form(form)
    return out


def apply(document: dict[str, Any], forms: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The converted bank document and the ids left without a form (open mode only)."""
    ids = [question["id"] for question in document["questions"]]
    unknown = sorted(set(forms) - set(ids))
    if unknown:
        raise BankError(f"quiz forms for ids not in the bank: {', '.join(unknown)}")
    questions = [with_quiz(question, forms.get(question["id"])) for question in document["questions"]]
    return {**document, "questions": questions}, [qid for qid in ids if qid not in forms]


def main(argv: list[str] | None = None) -> int:
    """Convert the bank in place; exit 2 (nothing written) when the result would be invalid."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", type=Path, help="quiz_forms.json: id -> {correct, wrong: [{text, why}]}")
    parser.add_argument("--bank", type=Path, default=ROOT / "questions.json")
    args = parser.parse_args(argv)
    document = json.loads(args.bank.read_text(encoding="utf-8"))
    forms = json.loads(args.forms.read_text(encoding="utf-8"))
    try:
        converted, missing = apply(document, forms)
        text = json.dumps(converted, indent=2, ensure_ascii=False) + "\n"
        parse_bank(text, str(args.bank))
    except BankError as exc:
        print(f"not written: {exc}", file=sys.stderr)
        return 2
    args.bank.write_text(text, encoding="utf-8")
    print(f"{args.bank}: {len(converted['questions']) - len(missing)} quiz forms applied")
    if missing:
        print(f"without a form (open mode only): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
