"""Answer recording: answers through ``Service.handle`` vs a bare aiosqlite INSERT + COMMIT loop.

Both run on the same private copy of the 1M-answer database (``seed.history_db``), one after the
other in each repeat, with the app's PRAGMAs (WAL, synchronous=NORMAL, foreign keys, busy timeout).

- service: ``SubmitAnswer(round_id, text)`` as a Discord or Slack answer form sends it, from
  existing users of one server to the open rounds of three of its channels (1,000 users x 3
  channels = 3,000 new answers per repeat, sequential, each stored and committed before the next);
  each one is graded, so this is the whole path: round and channel look-up, the round lock, the
  user row, grading, the upsert and the commit.
- baseline: the same number of rows inserted into ``answers`` with one INSERT and one COMMIT each
  through aiosqlite, for other users and rounds (so no conflicts), on the same file.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bench import seed
from bench.common import (
    NOW,
    Figure,
    FixedClock,
    InstantMessenger,
    copy_database,
    median,
    scratch_dir,
    sqlite_url,
)
from bot.app import App, build_app
from bot.bank.model import load_bank
from bot.cards import Notice
from bot.commands import SubmitAnswer
from bot.config import BUNDLED_BANK, Settings
from bot.context import Context
from bot.store.db import CACHE_KIB

REPEATS = 3
CHANNELS_USED = 3
GOAL_RATE = 2_000.0
GOAL_SHARE = 0.5
APP_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    f"PRAGMA cache_size=-{CACHE_KIB}",
)


@dataclass(frozen=True)
class Job:
    """The answers of one repeat: (context, open round id) pairs."""

    answers: list[tuple[Context, int]]


def jobs_for(path: Path, workspace: int) -> Job:
    """Every user of ``workspace`` answering the open rounds of its first three channels."""
    con = sqlite3.connect(path)
    try:
        first_channel = workspace * seed.CHANNELS_PER_WORKSPACE + 1
        rounds = con.execute(
            "SELECT id, channel_pk FROM rounds WHERE state = 'open' AND channel_pk BETWEEN ? AND ? "
            "ORDER BY channel_pk",
            (first_channel, first_channel + CHANNELS_USED - 1),
        ).fetchall()
        users = con.execute(
            "SELECT id, user_id, display_name FROM users WHERE workspace_id = ? ORDER BY id",
            (seed.workspace_id(workspace),),
        ).fetchall()
    finally:
        con.close()
    answers = []
    for _pk, user_id, name in users:
        for round_id, channel_pk in rounds:
            ctx = Context(
                "discord", seed.workspace_id(workspace), seed.channel_key(channel_pk), user_id, name
            )
            answers.append((ctx, int(round_id)))
    return Job(answers)


async def open_app(path: Path) -> App:
    """The core on ``path`` with the bundled bank and the benchmark's fixed clock."""
    settings = Settings(_env_file=None, database_url=sqlite_url(path))  # type: ignore[call-arg]
    return await build_app(settings, InstantMessenger(), FixedClock(NOW), load_bank([BUNDLED_BANK]))


async def service_rate(app: App, job: Job) -> float:
    """Answers per second through ``Service.handle``; every reply must be a success."""
    texts = seed.ANSWER_TEXTS
    start = time.perf_counter()
    for i, (ctx, round_id) in enumerate(job.answers):
        reply = await app.service.handle(ctx, SubmitAnswer(round_id=round_id, text=texts[i % len(texts)]))
        card = reply.cards[0]
        if not (isinstance(card, Notice) and card.title == "Answer received"):
            raise RuntimeError(f"answer {i} was not stored: {card}")
    return len(job.answers) / (time.perf_counter() - start)


async def bare_rate(path: Path, job: Job) -> float:
    """Rows per second of a bare aiosqlite INSERT + COMMIT loop into ``answers``."""
    async with aiosqlite.connect(path) as db:
        for pragma in APP_PRAGMAS:
            await db.execute(pragma)
        texts = seed.ANSWER_TEXTS
        answered_at = seed.ts(NOW)
        start = time.perf_counter()
        for i, (ctx, round_id) in enumerate(job.answers):
            user_pk = int(ctx.user_id) - int(seed.user_key(0))
            await db.execute(
                "INSERT INTO answers (round_id, user_pk, text, choice, score, verdict, points, answered_at) "
                "VALUES (?, ?, ?, NULL, ?, ?, 0, ?)",
                (round_id, user_pk, texts[i % len(texts)], 0.5, "partial", answered_at),
            )
            await db.commit()
        return len(job.answers) / (time.perf_counter() - start)


async def measure(path: Path) -> tuple[list[float], list[float], int]:
    """Interleaved repeats on one copy: (service rates, bare rates, answers per repeat)."""
    service, bare = [], []
    app = await open_app(path)
    try:
        for repeat in range(REPEATS):
            bare_job = jobs_for(path, seed.WORKSPACES - 1 - repeat)
            bare.append(await bare_rate(path, bare_job))
            service.append(await service_rate(app, jobs_for(path, repeat)))
    finally:
        await app.close()
    return service, bare, len(bare_job.answers)


def run() -> list[Figure]:
    """The answer-recording row."""
    source = seed.history_db()
    with scratch_dir("answers") as tmp:
        path = copy_database(source, tmp)
        stored = seed.answer_count(path)
        service, bare, per_repeat = asyncio.run(measure(path))
    rate, base = median(service), median(bare)
    share = rate / base
    return [
        Figure(
            "answer recording (SQLite)",
            f"{rate:,.0f} answers/s through `service.handle` (median of {REPEATS} x {per_repeat:,}; "
            f"{stored:,} answers stored)",
            f"bare aiosqlite INSERT+COMMIT: {base:,.0f} rows/s",
            f"{share:.2f}",
            f">= {GOAL_RATE:,.0f}/s and >= {GOAL_SHARE} x bare",
            rate >= GOAL_RATE and share >= GOAL_SHARE,
        )
    ]
