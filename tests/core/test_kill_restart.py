"""A real bot process killed with SIGKILL at random moments, over many simulated days.

The terminal bot runs with a warped clock (one simulated day every 6 real seconds) and writes
every channel message to a transcript. Each incarnation answers once and is then killed at a
random moment. At the end: every day has exactly one round, every round was posted once and
revealed once, and every acknowledged answer is in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

# one simulated day = 6 real seconds: a restart on a busy machine can take 5 s (imports alone),
# and the 2-day catch-up window (12 s) must cover it, or a day is rightly skipped as too late
SCALE = 14_400
CYCLES = 10


def start_bot(db: Path, transcript: Path, user: str, anchor: datetime, log: Path) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.update(
        DAILYQ_TIME_SCALE=str(SCALE),
        DAILYQ_TIME_ANCHOR=anchor.isoformat(),
        DAILYQ_TICK="1s",
        DAILYQ_CATCHUP="2d",
        DAILYQ_LEASE="12h",
        DAILYQ_TIMEZONE="UTC",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adapters",
            "play",
            "--db",
            str(db),
            "--transcript",
            str(transcript),
            "--user",
            user,
            "--serve",
        ],
        stdin=subprocess.PIPE,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )


def wait_for_text(log: Path, text: str, timeout: float) -> bool:
    """Poll a process log until ``text`` appears."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_kill_nine_never_loses_doubles_or_sticks(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    db, transcript = tmp_path / "bot.db", tmp_path / "transcript.jsonl"
    anchor = datetime.now(UTC)
    acknowledged: list[tuple[str, str]] = []
    for cycle in range(CYCLES):
        user, text = f"player{cycle}", f"killtest answer {cycle}"
        log = tmp_path / f"run{cycle}.log"
        bot = start_bot(db, transcript, user, anchor, log)
        try:
            assert bot.stdin is not None
            assert wait_for_text(log, "Type `help`", 30), log.read_text()
            if cycle == 0:  # open 20 h of every simulated day, so most answers find a round
                bot.stdin.write("daily set 00:00 UTC reveal 20h\n")
            bot.stdin.write(f"answer {text}\n")
            bot.stdin.flush()
            if wait_for_text(log, "Saved your answer", 5):
                acknowledged.append((user, text))
            time.sleep(rng.uniform(0.0, 3.0))
        finally:
            bot.send_signal(signal.SIGKILL)
            bot.wait(10)
    # a last incarnation runs long enough for leases to expire and reveals to happen
    final = start_bot(db, transcript, "closer", anchor, tmp_path / "final.log")
    try:
        time.sleep(8)
    finally:
        final.send_signal(signal.SIGKILL)
        final.wait(10)
    with sqlite3.connect(db) as conn:
        rounds = conn.execute("SELECT id, local_date, state FROM rounds ORDER BY local_date").fetchall()
        stored = set(
            conn.execute(
                "SELECT u.user_id, a.text FROM answers a JOIN users u ON u.id = a.user_pk"
            ).fetchall()
        )
    entries = [json.loads(line) for line in transcript.read_text().splitlines() if line.strip()]
    posts = [e["round_id"] for e in entries if e["kind"] == "post"]
    replies = [e["round_id"] for e in entries if e["kind"] == "reply"]

    assert len(rounds) >= CYCLES // 2  # the simulated days went by (a busy machine makes fewer)
    days = [datetime.fromisoformat(day).date() for _, day, _ in rounds]
    assert all((b - a).days == 1 for a, b in itertools.pairwise(days)), days  # no day missed
    assert len(posts) == len(set(posts))  # never posted twice
    assert set(posts) >= {round_id for round_id, _, _ in rounds[:-1]}  # the newest may be mid-post
    assert len(replies) == len(set(replies))  # never revealed twice
    stuck = [r for r in rounds[:-1] if r[2] != "revealed"]
    assert stuck == []  # only the newest round may still be open
    assert sorted(set(replies)) == sorted(r[0] for r in rounds if r[2] == "revealed")
    assert len(acknowledged) >= CYCLES // 2
    print(f"{len(rounds)} rounds, {len(acknowledged)} acknowledged answers")
    missing = [a for a in acknowledged if a not in stored]
    assert missing == []
