"""Claims: the core's fan-out alone, 2,000 channels due at once, posted to an instant messenger.

Set-up (fresh for every repeat): a fresh SQLite file (the app's migrations,
``seed.scheduled_channels_db``) with 2,000 console channels scheduled and due at ``common.NOW``,
the bundled bank, the app built by ``bot.app.build_app`` on a fixed clock at ``NOW``, with
``common.InstantMessenger`` (every post returns at once, so no platform is measured).

Measured: one ``Dispatcher.run_due()``, the path the timer runs: the poster claims every due
channel (picks its question, inserts the claimed round, moves the channel's next post), sends each
claimed round to the messenger and records the post; the revealer and champion poster find nothing
due. Wall time gives rounds/s, ``time.process_time`` the CPU per post (the whole process: the
event loop and aiosqlite's thread). The run must leave exactly 2,000 open rounds with a message
each and 2,000 posts at the messenger; anything else raises.

Baseline (same repeat, same file, the app's PRAGMAs): a bare aiosqlite loop doing what the fan-out
must do at the least per round, with no logic at all: one INSERT of a round-sized row, one UPDATE
of a channel, one COMMIT, 2,000 times.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bench import seed
from bench.common import NOW, Figure, FixedClock, InstantMessenger, median, scratch_dir, sqlite_url
from bot.app import build_app
from bot.bank.model import load_bank
from bot.config import BUNDLED_BANK, Settings

CHANNELS = 2_000
REPEATS = 2
GOAL_RATE = 500.0
GOAL_CPU_MS = 2.0
APP_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


@dataclass(frozen=True)
class Run:
    """One repeat: the fan-out and the bare loop, wall seconds and CPU seconds each."""

    fanout_s: float
    fanout_cpu_s: float
    bare_s: float
    bare_cpu_s: float


def check(path: Path, messenger: InstantMessenger) -> None:
    """Every channel got exactly one open, posted round (raises otherwise)."""
    con = sqlite3.connect(path)
    try:
        opened, channels, posted = con.execute(
            "SELECT count(*), count(DISTINCT channel_pk), count(message_id) FROM rounds WHERE state = 'open'"
        ).fetchone()
        total = con.execute("SELECT count(*) FROM rounds").fetchone()[0]
    finally:
        con.close()
    if (opened, channels, posted, total, messenger.sent) != (CHANNELS,) * 5:
        raise RuntimeError(
            f"fan-out left {opened} open rounds in {channels} channels ({posted} with a message, "
            f"{total} in all) after {messenger.sent} posts; expected {CHANNELS} of each"
        )


async def fan_out(path: Path) -> tuple[float, float]:
    """One ``run_due`` over the due channels: (wall seconds, CPU seconds)."""
    settings = Settings(_env_file=None, database_url=sqlite_url(path))  # type: ignore[call-arg]
    messenger = InstantMessenger()
    app = await build_app(settings, messenger, clock=FixedClock(NOW), bank=load_bank([BUNDLED_BANK]))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        await app.dispatcher.run_due()
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await app.close()
    check(path, messenger)
    return elapsed, used


async def bare_loop(path: Path) -> tuple[float, float]:
    """``CHANNELS`` x (INSERT a round-sized row, UPDATE a channel, COMMIT) through aiosqlite."""
    async with aiosqlite.connect(path) as db:
        for pragma in APP_PRAGMAS:
            await db.execute(pragma)
        await db.execute(
            "CREATE TABLE bare_rounds (id INTEGER PRIMARY KEY, channel_pk INTEGER, slot TEXT, "
            "question_id TEXT, state TEXT, reveal_at TEXT, UNIQUE (channel_pk, slot))"
        )
        await db.commit()
        started, cpu = time.perf_counter(), time.process_time()
        for pk in range(1, CHANNELS + 1):
            await db.execute(
                "INSERT INTO bare_rounds (channel_pk, slot, question_id, state, reveal_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (pk, "2026-11-25", f"q-{pk}", "open", "2026-11-26 02:00:00.000000"),
            )
            await db.execute(
                "UPDATE channels SET next_post_at = ? WHERE id = ?", ("2026-11-26 09:00:00.000000", pk)
            )
            await db.commit()
        return time.perf_counter() - started, time.process_time() - cpu


def one_run(tmp: Path) -> Run:
    """Seed a fresh file, run the fan-out on it, then the bare loop on the same file."""
    path = tmp / "dailyq.db"
    seed.scheduled_channels_db(
        path, CHANNELS, platform="console", workspaces=["bench"],
        channel_ids=[f"c{i}" for i in range(CHANNELS)], next_post=NOW,
    )  # fmt: skip
    fanout_s, fanout_cpu = asyncio.run(fan_out(path))
    bare_s, bare_cpu = asyncio.run(bare_loop(path))
    return Run(fanout_s, fanout_cpu, bare_s, bare_cpu)


def run() -> list[Figure]:
    """The claims row: rounds/s and CPU ms per post against the bare loop."""
    runs = []
    for repeat in range(REPEATS):
        with scratch_dir(f"claims-{repeat}") as tmp:
            runs.append(one_run(tmp))
    rate = median([CHANNELS / r.fanout_s for r in runs])
    cpu_ms = median([1000 * r.fanout_cpu_s / CHANNELS for r in runs])
    bare_rate = median([CHANNELS / r.bare_s for r in runs])
    bare_cpu_ms = median([1000 * r.bare_cpu_s / CHANNELS for r in runs])
    return [
        Figure(
            f"fan-out core alone ({CHANNELS:,} channels due, instant messenger, SQLite)",
            f"{rate:,.0f} rounds/s claimed, posted and recorded, {cpu_ms:.2f} ms CPU per post "
            f"(median of {len(runs)}: {' / '.join(f'{CHANNELS / r.fanout_s:,.0f}' for r in runs)} rounds/s)",
            f"bare aiosqlite INSERT+UPDATE+COMMIT loop: {bare_rate:,.0f} rounds/s, {bare_cpu_ms:.2f} ms CPU",
            f"{rate / bare_rate:.2f}",
            f">= {GOAL_RATE:.0f} rounds/s, <= {GOAL_CPU_MS:g} ms CPU per post",
            rate >= GOAL_RATE and cpu_ms <= GOAL_CPU_MS,
        )
    ]
