"""Seasons, teams and quotes in the terminal: the same words, through the console adapter."""

from __future__ import annotations

from bot.bank.model import Bank
from tests.core.test_console_flows import daily_question, flat, play
from tests.support.clock import FakeClock


async def test_a_console_player_reads_seasons_teams_and_the_quoted_answer(
    sqlite_db: str, bank: Bank, clock: FakeClock
) -> None:
    first = await play(sqlite_db, bank, clock, "quit\n")
    question = bank.get(daily_question(bank, first))
    assert question is not None
    lines = [
        f"answer {question.answer} @everyone",
        "daily reveal",
        "season",
        "team add crew alice",
        "team list",
        "leaderboard teams all",
        "leaderboard season",
        "season length quarter",
        "stats",
        "privacy quote off",
        "quit",
    ]
    shown = flat(await play(sqlite_db, bank, clock, "\n".join(lines) + "\n"))
    words = " ".join(question.answer.split())
    assert f"alice: \u201c{words[:60]}" in shown  # quoted at the reveal (clipped to 280 characters)
    assert "Seasons here are calendar months." in shown
    assert "Team crew: added alice." in shown
    assert "Teams: all time" in shown and "crew" in shown
    assert "Leaderboard: this server, season" in shown
    assert "Seasons are now quarters." in shown
    assert "crew: #1 of 1 teams, all time" in shown
    assert "will not be quoted" in shown
