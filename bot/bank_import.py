"""Importing a markdown list of questions and answers into a bank file.

The shape it reads (the source post's): ``###`` headings are topics; a numbered bold line
(``12. **What is ...?**``) is a question; the bullet lines after it, until the next question or
heading, are its answer (wrapped lines and paragraphs joined). Fields markdown cannot give
(difficulty aside, which defaults to medium) are left empty; ``bank check`` warns about them.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

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
    body = _FRONT_MATTER.sub("", text.replace("\r\n", "\n"))
    topic = "General"
    questions: list[dict[str, Any]] = []
    answer_lines: list[str] = []
    taken: Counter[str] = Counter()

    def finish() -> None:
        if questions and not questions[-1]["answer"]:
            questions[-1]["answer"] = " ".join(" ".join(answer_lines).split())
        answer_lines.clear()

    for line in body.split("\n"):
        if heading := _HEADING.match(line):
            finish()
            topic = strip_inline(heading.group(1))
        elif question := _QUESTION.match(line):
            finish()
            text_q = strip_inline(question.group(1))
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
    return {
        "name": name,
        "version": "1.0.0",
        "description": "Imported from markdown.",
        "questions": questions,
    }
