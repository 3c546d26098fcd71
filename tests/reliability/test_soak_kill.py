"""Soak: kill -9 a headless worker 20 times at random moments, during fan-outs to 100 channels,
during reveals and during answer bursts, over many simulated days (``make soak``).

After each restart nothing may be lost, doubled or stuck: every acknowledged answer is stored,
every round is posted once and revealed once, and no round stays open past its reveal.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.app import build_app
from bot.commands import ConfigureDaily
from bot.config import Settings
from bot.context import Context
from bot.store.tables import channels
from tests.support.databases import sqlite_url
from tests.support.messenger import RecordingMessenger

SCALE = 14_400  # one simulated day = 6 real seconds
KILLS = 20
CHANNELS = 100
ROOT = Path(__file__).resolve().parents[2]
ACK = re.compile(r"^\[(ch\d+) (u\d+)\]\n.*?Saved your answer: “([^”]*)”", re.MULTILINE | re.DOTALL)


def worker_env(url: str, anchor: datetime) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=url,
        DAILYQ_TIME_SCALE=str(SCALE),
        DAILYQ_TIME_ANCHOR=anchor.isoformat(),
        DAILYQ_TICK="1s",
        DAILYQ_LEASE="6h",
        DAILYQ_CATCHUP="2d",
    )


async def schedule_channels(url: str, anchor: datetime) -> None:
    app = await build_app(Settings(database_url=url), RecordingMessenger())
    try:
        for i in range(CHANNELS):
            ctx = Context("console", "local", f"ch{i}", "admin", "admin", is_admin=True)
            await app.service.handle(
                ctx,
                ConfigureDaily(
                    post_time=datetime.min.time(), timezone="UTC", reveal_after=timedelta(hours=20)
                ),
            )
        async with app.engine.begin() as conn:
            await conn.execute(update(channels).values(next_post_at=anchor + timedelta(hours=1)))
    finally:
        await app.close()


def acknowledged(log: Path) -> set[tuple[str, str, str]]:
    text = log.read_text()
    blocks = re.split(r"(?=^\[ch\d+ u\d+\]$)", text, flags=re.MULTILINE)
    found = set()
    for block in blocks:
        match = ACK.match(block)
        if match:
            found.add((match.group(1), match.group(2), match.group(3)))
    return found


@pytest.mark.soak
async def test_twenty_kills_lose_nothing(tmp_path: Path) -> None:
    rng = random.Random(42)
    url = sqlite_url(tmp_path)
    anchor = datetime.now(UTC)
    await schedule_channels(url, anchor)
    transcript = tmp_path / "channels.jsonl"
    acked: set[tuple[str, str, str]] = set()
    for cycle in range(KILLS + 1):
        log = tmp_path / f"worker{cycle}.log"
        worker = subprocess.Popen(
            [sys.executable, "-m", "adapters", "run", "console", "--transcript", str(transcript)],
            stdin=subprocess.PIPE,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            text=True,
            env=worker_env(url, anchor),
            cwd=ROOT,
        )
        try:
            assert worker.stdin is not None
            deadline = time.monotonic() + 30
            while "worker ready" not in log.read_text():
                assert time.monotonic() < deadline, log.read_text()
                await asyncio.sleep(0.05)
            for i in rng.sample(range(CHANNELS), 30):  # an answer burst
                worker.stdin.write(f"ch{i} u{cycle} answer soak {cycle}-{i}\n")
            worker.stdin.flush()
            await asyncio.sleep(rng.uniform(0.2, 4.0) if cycle < KILLS else 14.0)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        acked |= acknowledged(log)
    with sqlite3.connect(tmp_path / "dailyq.db") as conn:
        rounds = conn.execute("SELECT id, state, reveal_at FROM rounds").fetchall()
        stored = set(
            conn.execute(
                "SELECT c.channel_id, u.user_id, a.text FROM answers a JOIN users u ON u.id = a.user_pk "
                "JOIN rounds r ON r.id = a.round_id JOIN channels c ON c.id = r.channel_pk"
            ).fetchall()
        )
    entries = [json.loads(line) for line in transcript.read_text().splitlines() if line.strip()]
    posts = [e["round_id"] for e in entries if e["kind"] == "post"]
    replies = [e["round_id"] for e in entries if e["kind"] == "reply"]
    sim_end = anchor + (datetime.now(UTC) - anchor) * SCALE
    print(f"{len(rounds)} rounds, {len(acked)} acknowledged answers, {len(replies)} reveals")
    assert len(posts) == len(set(posts)) and len(replies) == len(set(replies))
    assert len(rounds) >= CHANNELS * 3
    overdue = [
        r
        for r in rounds
        if r[1] != "revealed"
        and datetime.fromisoformat(r[2]).replace(tzinfo=UTC) < sim_end - timedelta(hours=12)
    ]
    assert overdue == []
    assert {r[0] for r in rounds if r[1] == "revealed"} <= set(replies)
    assert len(acked) > 100
    missing = {(c, u, "soak " + t.split("soak ")[-1]) for c, u, t in acked} - {
        (c, u, t) for c, u, t in stored
    }
    assert missing == set()
