"""Three bot processes share one PostgreSQL database: 300 channels due at once, one process killed.

Every round must be posted exactly once and revealed exactly once across the processes (they share
one transcript, the console platform's record of what the channel shows), and answers sent
through different processes must each count once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.app import build_app
from bot.commands import ConfigureDaily
from bot.config import Settings
from bot.context import Context
from bot.store.tables import answers, channels, rounds, standings
from tests.support.databases import postgres_database
from tests.support.messenger import RecordingMessenger

CHANNELS = 300
ROOT = Path(__file__).resolve().parents[2]


def start_worker(url: str, transcript: Path, log: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, DATABASE_URL=url, DAILYQ_LEASE="2s", DAILYQ_TICK="1s")
    return subprocess.Popen(
        [sys.executable, "-m", "adapters", "run", "console", "--transcript", str(transcript)],
        stdin=subprocess.PIPE,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )


def entries(transcript: Path) -> list[dict[str, object]]:
    if not transcript.exists():
        return []
    return [json.loads(line) for line in transcript.read_text().splitlines() if line.strip()]


async def wait_until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def schedule_channels(url: str, due: datetime) -> None:
    """300 scheduled channels, all due at ``due``, revealing 25 s after their post."""
    app = await build_app(Settings(database_url=url), RecordingMessenger())
    try:
        for i in range(CHANNELS):
            ctx = Context("console", "local", f"ch{i}", "admin", "admin", is_admin=True)
            await app.service.handle(ctx, ConfigureDaily(post_time=time(9, 0), timezone="UTC"))
        async with app.engine.begin() as conn:
            await conn.execute(update(channels).values(next_post_at=due, reveal_after_s=25))
    finally:
        await app.close()


@pytest.mark.postgres
@pytest.mark.slow
async def test_three_processes_post_and_reveal_each_round_once(tmp_path: Path) -> None:
    async with postgres_database() as url:
        await schedule_channels(url, datetime.now(UTC) + timedelta(seconds=6))
        transcript = tmp_path / "channels.jsonl"
        workers = [start_worker(url, transcript, tmp_path / f"worker{i}.log") for i in range(3)]
        try:

            def posted() -> list[object]:
                return [e["round_id"] for e in entries(transcript) if e["kind"] == "post"]

            await wait_until(lambda: len(posted()) >= 40, 60, "the fan-out to start")
            workers[0].send_signal(signal.SIGKILL)  # dies mid fan-out, holding claims
            await wait_until(lambda: len(set(posted())) == CHANNELS, 60, "every channel to get its post")
            # the same player answers through both surviving processes: one answer counts
            for i in range(0, CHANNELS, 10):
                for worker, text in ((workers[1], "first thought"), (workers[2], "final answer")):
                    assert worker.stdin is not None
                    worker.stdin.write(f"ch{i} player{i} answer {text}\n")
                    worker.stdin.flush()
                await asyncio.sleep(0.01)

            def revealed() -> list[object]:
                return [e["round_id"] for e in entries(transcript) if e["kind"] == "reply"]

            await wait_until(lambda: len(set(revealed())) == CHANNELS, 90, "every reveal")
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGKILL)
                worker.wait(10)
        assert sorted(Counter(posted()).values()) == [1] * CHANNELS
        assert sorted(Counter(revealed()).values()) == [1] * CHANNELS
        from bot.store.db import open_database

        engine = await open_database(url)
        try:
            async with engine.connect() as conn:
                states = dict(
                    (await conn.execute(select(rounds.c.state, func.count()).group_by(rounds.c.state))).all()
                )
                stored = (await conn.execute(select(func.count()).select_from(answers))).scalar_one()
                totals = (
                    await conn.execute(
                        select(func.sum(standings.c.answers)).where(standings.c.window == "all")
                    )
                ).scalar_one()
        finally:
            await engine.dispose()
        assert states == {"revealed": CHANNELS}
        assert stored == CHANNELS // 10 and totals == CHANNELS // 10
