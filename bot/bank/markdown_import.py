"""Importing a markdown list of questions and answers into a bank file.

The shape it reads (the source post's): ``###`` headings are topics; a numbered bold line
(``12. **What is ...?**``) is a question; the bullet lines after it, until the next question or
heading, are its answer (wrapped lines and paragraphs joined). Fields markdown cannot give
(difficulty aside, which defaults to medium) are left empty; ``bank check`` warns about them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.bank.model import Question

_HEADING = re.compile(r"^#{3}\s+(.*?)\s*$")
_QUESTION = re.compile(r"^\s*\d+[.)]\s+\*\*(.+?)\*\*\s*(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_INLINE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|`(.+?)`")


def strip_inline(text: str) -> str:
    """Drop bold and code markers, keeping the words."""
    return _INLINE.sub(lambda m: next(g for g in m.groups() if g is not None), text).strip()


def slugify(text: str, taken: Counter[str]) -> str:
    """A readable id from a question, unique among ``taken`` (which it updates)."""
    words = re.findall(r"[a-z0-9]+", strip_inline(text).lower())
    stop = {
        "what",
        "is",
        "are",
        "the",
        "a",
        "an",
        "of",
        "in",
        "and",
        "how",
        "do",
        "does",
        "you",
        "explain",
        "why",
        "s",
        "to",
        "can",
        "between",
        "difference",
        "your",
        "for",
        "with",
    }
    kept = [w for w in words if w not in stop] or words or ["question"]
    base = "-".join(kept[:5])
    taken[base] += 1
    return base if taken[base] == 1 else f"{base}-{taken[base]}"


def import_markdown(text: str, *, name: str = "Imported bank") -> dict[str, Any]:
    """A bank document (header and questions) from markdown text."""
    return import_located(text, name=name).document


@dataclass(frozen=True)
class Imported:
    """An imported bank document and the markdown line each of its questions starts on."""

    document: dict[str, Any]
    lines: tuple[int, ...]


@dataclass(frozen=True)
class ImportReport:
    """What stops an imported bank from loading (``errors``) or from grading (``drafts``)."""

    errors: tuple[str, ...]
    drafts: tuple[str, ...]


def check_import(imported: Imported, source: str) -> ImportReport:
    """Located problems of an import: ``file:line: question 'id': ...``.

    Errors mean the bank would not load (no questions, an empty answer, any field the bank
    schema refuses); drafts mean it loads but cannot grade open answers yet (no key points:
    every answer, even the reference, would grade missed)."""
    questions = imported.document["questions"]
    if not questions:
        return ImportReport(
            (
                f"{source}: no questions found: a question is a numbered bold line such as "
                "`1. **What is overfitting?**`, its answer the bullet lines under it, its topic "
                "the `### heading` above it",
            ),
            (),
        )
    errors: list[str] = []
    drafts: list[str] = []
    for raw, line in zip(questions, imported.lines, strict=True):
        where = f"{source}:{line}: question '{raw['id']}'"
        if not raw["answer"]:
            errors.append(f"{where} has no answer: put it in bullet lines under the question")
            continue
        try:
            question = Question.model_validate(raw)
        except ValidationError as exc:
            for item in exc.errors():
                field = ".".join(str(part) for part in item["loc"])
                errors.append(f"{where}: field '{field}': {item['msg']}")
            continue
        if not question.key_points:
            drafts.append(
                f"{where}: no key_points, so every answer (even the reference) would grade missed: "
                "add 2-5 groups of synonyms"
            )
    return ImportReport(tuple(errors), tuple(drafts))


def import_located(text: str, *, name: str = "Imported bank") -> Imported:
    """``import_markdown`` that also records each question's line number (1-based)."""
    body = _FRONT_MATTER.sub("", text.replace("\r\n", "\n"))
    offset = text.replace("\r\n", "\n").count("\n") - body.count("\n")
    starts: list[int] = []
    topic = "General"
    questions: list[dict[str, Any]] = []
    answer_lines: list[str] = []
    taken: Counter[str] = Counter()

    def finish() -> None:
        if questions and not questions[-1]["answer"]:
            questions[-1]["answer"] = " ".join(" ".join(answer_lines).split())
        answer_lines.clear()

    for number, line in enumerate(body.split("\n"), start=offset + 1):
        if heading := _HEADING.match(line):
            finish()
            topic = strip_inline(heading.group(1))
        elif question := _QUESTION.match(line):
            finish()
            text_q = strip_inline(question.group(1))
            starts.append(number)
            questions.append(
                {
                    "id": slugify(text_q, taken),
                    "topic": topic,
                    "difficulty": "medium",
                    "question": text_q,
                    "answer": "",
                }
            )
            if question.group(2).strip():
                answer_lines.append(strip_inline(question.group(2)))
        elif _RULE.match(line):
            finish()
        elif questions and line.strip():
            bullet = _BULLET.match(line)
            answer_lines.append(strip_inline(bullet.group(1) if bullet else line))
    finish()
    document = {
        "name": name,
        "version": "1.0.0",
        "description": "Imported from markdown.",
        "questions": questions,
    }
    return Imported(document, tuple(starts))
