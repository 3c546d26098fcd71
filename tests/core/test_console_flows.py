"""Core flows driven through the terminal adapter with in-memory streams and a fake clock."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.console.messenger import ConsoleMessenger
from adapters.console.session import ConsoleSession
from bot.app import build_app
from bot.bank.model import Bank
from bot.config import Settings
from bot.context import Context
from bot.store.tables import channels
from tests.support.clock import FakeClock

PLAYER = Context("console", "local", "terminal", "alice", "alice", is_admin=True)


async def play(url: str, bank: Bank, clock: FakeClock, lines: str, transcript: Path | None = None) -> str:
    """Run one terminal session over ``lines``; return everything it printed."""
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None, highlight=False)
    app = await build_app(Settings(database_url=url), ConsoleMessenger(console, transcript), clock, bank)
    try:
        session = ConsoleSession(app.service, PLAYER, console, io.StringIO(lines))
        await app.dispatcher.run_due()  # what app.start() does first: posts and reveals that came due
        await session.open_channel()
        await session.run()
    finally:
        await app.close()
    return out.getvalue()


def flat(output: str) -> str:
    """Printed text without box borders and line wrapping, for phrase checks."""
    return " ".join(output.replace("│", " ").split())


def daily_question(bank: Bank, output: str) -> str:
    """The id of the daily question shown in the output."""
    shown = [q for q in bank.questions if q.question in output]
    assert shown, output
    return shown[0].id


async def test_start_shows_today_question_and_answer_is_confirmed(
    sqlite_db: str, bank: Bank, clock: FakeClock
) -> None:
    output = await play(sqlite_db, bank, clock, "answer it learns from data\nquit\n")
    assert "Daily question" in output
    assert "Answer received" in output
    assert "it learns from data" in output


async def test_reveal_scores_and_leaderboard_shows_player(
    sqlite_db: str, bank: Bank, clock: FakeClock
) -> None:
    first = await play(sqlite_db, bank, clock, "quit\n")
    question = bank.get(daily_question(bank, first))
    assert question is not None
    output = await play(
        sqlite_db, bank, clock, f"answer {question.answer}\ndaily reveal\nleaderboard\nquit\n"
    )
    assert "Reveal" in output
    assert " ".join(question.answer.split()[:6]) in flat(output)
    assert "1 answered" in output
    board = output[output.rindex("Leaderboard") :]
    assert "alice" in board


async def test_restart_keeps_answers_and_leaderboard(sqlite_db: str, bank: Bank, clock: FakeClock) -> None:
    await play(sqlite_db, bank, clock, "answer gradient descent\ndaily reveal\nquit\n")
    # a second process on the same file: same channel, same standings
    output = await play(sqlite_db, bank, clock, "leaderboard all\nstats\nquit\n")
    assert "alice" in output[output.index("Leaderboard") :]
    assert "points" in output
    # today's question is not posted twice: the restart says so and shows the schedule
    assert "No open daily question here right now" in output and "Daily question ·" not in output


async def test_practice_question_show_and_rate(sqlite_db: str, bank: Bank, clock: FakeClock) -> None:
    output = await play(sqlite_db, bank, clock, "question\nshow\nrate good\nstats\nquit\n")
    assert "Practice question" in output
    assert "Practice answer" in output
    assert "Rated good" in output
    assert "0 due of 1" in output


async def test_topic_practice_only_asks_that_topic(sqlite_db: str, bank: Bank, clock: FakeClock) -> None:
    output = await play(sqlite_db, bank, clock, "question time series\nquit\n")
    practice = output[output.index("Practice question") :]
    assert "Time Series Analysis" in practice


async def test_bad_input_says_what_is_accepted(sqlite_db: str, bank: Bank, clock: FakeClock) -> None:
    output = await play(sqlite_db, bank, clock, "dance\nanswer\nquestion astrology\nleaderboard year\nquit\n")
    assert "Unknown command 'dance'" in output and "help" in output
    assert "An answer needs some text" in output
    assert "Unknown topic 'astrology'" in output and "Time Series Analysis" in output
    assert "use week, month or all" in output


def test_dailyq_play_reads_a_pipe(tmp_path: Path) -> None:
    db = tmp_path / "pipe.db"
    result = subprocess.run(
        [sys.executable, "-m", "adapters", "play", "--db", str(db), "--user", "pipe"],
        input="topics\nquit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Time Series Analysis" in result.stdout
    assert db.exists()


def test_play_help_documents_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adapters", "play", "--help"], capture_output=True, text=True, timeout=60
    )
    for option in ("--db", "--questions", "--user", "--channel"):
        assert option in result.stdout


async def test_practice_in_the_terminal_never_gives_away_the_open_daily(
    sqlite_db: str, bank: Bank, clock: FakeClock
) -> None:
    two = Bank(bank.questions[:2])  # while one is the daily, practice has only the other
    first = await play(sqlite_db, two, clock, "quit\n")
    daily = two.get(daily_question(two, first))
    other = next(q for q in two.questions if q.id != daily.id)  # type: ignore[union-attr]
    assert daily is not None
    lines = f"question\nquestion\nshow\ntry {daily.answer}\nquit\n"
    output = flat(await play(sqlite_db, two, clock, lines))
    practice = output[output.index("Practice") :]
    assert other.question in practice and daily.question not in practice
    assert " ".join(daily.answer.split()[:6]) not in output.replace(f"try {daily.answer}", "")
    assert " ".join(other.answer.split()[:6]) in output  # `show` shows the practice question's answer


async def test_restart_after_daily_off_schedules_nothing(
    sqlite_db: str, bank: Bank, clock: FakeClock
) -> None:
    first = await play(sqlite_db, bank, clock, "daily off\nquit\n")
    assert "First run" in first and "Daily question turned off" in first
    clock.advance(timedelta(days=1))
    again = await play(sqlite_db, bank, clock, "quit\n")
    assert "Daily question ·" not in again and "First run" not in again
    assert "This channel has no daily question" in again
    assert await scheduled(sqlite_db) is False


async def test_restart_on_a_paused_channel_or_unscheduled_day_posts_nothing(
    sqlite_db: str, bank: Bank, clock: FakeClock
) -> None:
    await play(sqlite_db, bank, clock, "daily pause\nquit\n")
    clock.advance(timedelta(days=1))
    paused = await play(sqlite_db, bank, clock, "quit\n")
    assert "Daily question ·" not in paused and "paused" in paused
    # Wed 25 Nov: only Mondays from now on; Thursday's restart posts nothing
    await play(sqlite_db, bank, clock, "daily resume\ndaily set 09:00 days mon\nquit\n")
    clock.advance(timedelta(days=1))
    thursday = await play(sqlite_db, bank, clock, "quit\n")
    assert "Daily question ·" not in thursday
    assert "Mon 30 Nov 09:00" in flat(thursday)


async def test_help_lists_quit_and_the_transcript_carries_text(
    sqlite_db: str, bank: Bank, clock: FakeClock, tmp_path: Path
) -> None:
    transcript = tmp_path / "t.jsonl"
    output = await play(sqlite_db, bank, clock, "help\ndaily reveal\nquit\n", transcript)
    assert "quit | exit | Ctrl-D" in output
    entries = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert [e["kind"] for e in entries] == ["post", "edit", "reply"]
    assert all(e["text"] for e in entries)
    assert "Daily question" in entries[0]["text"] and "Reveal" in entries[2]["text"]
    assert "\x1b" not in transcript.read_text()  # plain text, no colours


async def scheduled(url: str) -> bool:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return bool((await conn.execute(select(channels.c.scheduled))).scalar_one())
    finally:
        await engine.dispose()


def test_pipe_mode_echoes_commands(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adapters", "play", "--db", str(tmp_path / "echo.db"), "--user", "pipe"],
        input="topics\nhlep\nquit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("dailyq> topics") < out.index("Time Series Analysis") < out.index("dailyq> hlep")
    assert "Did you mean `help`?" in out and out.rstrip().endswith("Bye.")


def test_a_bad_timezone_flag_is_reported_as_the_flag(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adapters", "play", "--db", str(tmp_path / "x.db"), "--timezone", "Mars/Base"],
        input="quit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        "dailyq: bad option or setting: --timezone: 'Mars/Base' is not a time zone"
    )
    assert "DAILYQ_TIMEZONE" not in result.stderr and "Traceback" not in result.stderr
