"""Reminders survive ``kill -9`` mid fan-out: every opted-in member is reminded exactly once.

A real console worker process (``dailyq run console``) sends the reminders of 600 members, each a
line in the fsynced transcript. It is killed with SIGKILL six times, each after a random 1-80
further reminders (so always mid fan-out, with claimed reminders not yet sent), and restarted with
a 2 s lease so a dead process's claims are taken over quickly.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from adapters.console.messenger import ConsoleMessenger
from bot.app import build_app
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, Remind, SubmitAnswer
from bot.config import Settings
from bot.context import Context

MEMBERS = 600
KILLS = 6
CHANNEL = "kill"


def ctx(user: str) -> Context:
    return Context("console", "local", CHANNEL, user, user, is_admin=user == "admin")


async def prepare(db: Path, transcript: Path) -> None:
    """An open round revealed in 30 min; 600 members want a reminder 1 h before, one answered."""
    sink = Console(file=io.StringIO())
    app = await build_app(
        Settings(database_url=f"sqlite+aiosqlite:///{db}"), ConsoleMessenger(sink, transcript)
    )
    try:
        await app.service.handle(
            ctx("admin"), ConfigureDaily(post_time=clock_time(0, 0), reveal_after=timedelta(minutes=30))
        )
        await app.service.handle(ctx("admin"), ManageDaily(DailyAction.NOW))
        for n in range(MEMBERS):
            await app.service.handle(ctx(f"m{n:03d}"), Remind(on=True, lead=timedelta(hours=1)))
        await app.service.handle(ctx("answered"), Remind(on=True))
        await app.service.handle(ctx("answered"), SubmitAnswer(text="already answered"))
    finally:
        await app.close()


def start_worker(db: Path, transcript: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=f"sqlite+aiosqlite:///{db}", DAILYQ_LEASE="2s", DAILYQ_TICK="1s")
    return subprocess.Popen(
        [sys.executable, "-m", "adapters", "run", "console", "--transcript", str(transcript)],
        stdin=subprocess.DEVNULL,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )


def reminded(transcript: Path) -> list[str]:
    """Members reminded, per the transcript (a torn last line after a kill is not a send)."""
    users = []
    for line in transcript.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry["kind"] == "remind":
            users.append(entry["user"])
    return users


@pytest.mark.slow
async def test_kill_nine_during_the_fan_out_reminds_everyone_exactly_once(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    db, transcript = tmp_path / "bot.db", tmp_path / "transcript.jsonl"
    await prepare(db, transcript)
    progress = []
    for cycle in range(KILLS):
        worker = start_worker(db, transcript, tmp_path / f"run{cycle}.log")
        # killed after a random number of further reminders: always in the middle of the fan-out
        target = len(reminded(transcript)) + rng.randint(1, 80)
        try:
            deadline = time.monotonic() + 30
            while len(reminded(transcript)) < target and time.monotonic() < deadline:
                time.sleep(0.002)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        progress.append(len(reminded(transcript)))
    final = start_worker(db, transcript, tmp_path / "final.log")
    try:
        # the loop ends as soon as everyone is reminded; the budget only matters on a slow machine
        deadline = time.monotonic() + 240
        while len(set(reminded(transcript))) < MEMBERS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # past a lease: anything left claimed would be re-sent now
    finally:
        final.send_signal(signal.SIGKILL)
        final.wait(10)
    users = reminded(transcript)
    print(f"reminders in the transcript after each kill: {progress}")
    assert sorted(users) == [f"m{n:03d}" for n in range(MEMBERS)]  # everyone once; not "answered"
    assert len([p for p in progress if 0 < p < MEMBERS]) == KILLS, progress  # every kill mid fan-out
    with sqlite3.connect(db) as conn:
        states = dict(conn.execute("SELECT state, count(*) FROM reminders_sent GROUP BY state").fetchall())
        retaken = conn.execute("SELECT count(*) FROM reminders_sent WHERE attempts > 1").fetchone()[0]
    assert states == {"sent": MEMBERS}
    assert retaken > 0  # claims of killed processes were taken over and sent once
