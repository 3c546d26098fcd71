"""Importing a 1,000-question bank into a workspace on SQLite, through ``Service.handle``.

- import: ``ImportBank`` with the bytes of a 1,000-question JSON bank (the bundled 100 questions
  ten times over with new ids and a numbered text), as an adapter hands over an uploaded file:
  parsing and schema validation, the per-question quality rules (self-grade, quiz options), the
  duplicate check against the bundled bank, and storing the version in one transaction. A new
  bank name each repeat, so every repeat stores 1,000 new rows. Downloading the attachment from
  Discord or Slack is not measured.
- baseline: ``parse_bank`` of the same text alone (JSON decoding and pydantic validation), the
  floor any import pays.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from bench.common import NOW, Figure, FixedClock, InstantMessenger, median, scratch_dir, sqlite_url
from bot.app import build_app
from bot.bank.commands import ImportBank
from bot.bank.model import load_bank, parse_bank
from bot.cards import Notice, Tone
from bot.config import BUNDLED_BANK, Settings
from bot.context import Context

QUESTIONS = 1_000
REPEATS = 3
GOAL_S = 2.0
ADMIN = Context("slack", "T-bench", "C-bench", "U-admin", "admin", is_admin=True)


def bank_bytes(count: int = QUESTIONS) -> bytes:
    """A valid bank of ``count`` questions made from the bundled ones."""
    bundled = json.loads(BUNDLED_BANK.read_text(encoding="utf-8"))["questions"]
    questions = []
    for index in range(count):
        question = dict(bundled[index % len(bundled)])
        question["id"] = f"q{index + 1:04d}-{question['id']}"[:60]
        question["question"] = f"{question['question']} (set {index // len(bundled) + 1})"
        questions.append(question)
    return json.dumps({"name": "bench", "version": "1", "questions": questions}).encode()


async def measure(path: Path, content: bytes) -> tuple[list[float], list[float]]:
    """(import seconds, baseline seconds) per repeat."""
    settings = Settings(_env_file=None, database_url=sqlite_url(path))  # type: ignore[call-arg]
    app = await build_app(settings, InstantMessenger(), FixedClock(NOW), load_bank([BUNDLED_BANK]))
    imports, baselines = [], []
    try:
        for repeat in range(REPEATS):
            start = time.perf_counter()
            parse_bank(content.decode(), "bench.json")
            baselines.append(time.perf_counter() - start)
            start = time.perf_counter()
            reply = await app.service.handle(ADMIN, ImportBank(f"bench-{repeat}.json", content))
            imports.append(time.perf_counter() - start)
            card = reply.cards[0]
            if not (isinstance(card, Notice) and card.tone is Tone.SUCCESS):
                raise RuntimeError(f"import {repeat} failed: {card}")
    finally:
        await app.close()
    return imports, baselines


def run() -> list[Figure]:
    """The bank-import row."""
    content = bank_bytes()
    with scratch_dir("bank-import") as tmp:
        imports, baselines = asyncio.run(measure(tmp / "dailyq.db", content))
    took, floor = median(imports), median(baselines)
    return [
        Figure(
            f"bank import, {QUESTIONS:,} questions, SQLite",
            f"{took:.2f} s (median of {REPEATS})",
            f"parse_bank alone {floor:.2f} s",
            f"{took / floor:.1f} x",
            f"< {GOAL_S:.0f} s",
            took < GOAL_S,
        )
    ]
