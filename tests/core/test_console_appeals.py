"""My grade and appeals through the real ``dailyq play`` entry point (stdin in, stdout out).

Two players share one SQLite file, as two terminal sessions would: Alice answers, sees her grade
printed right after the reveal and appeals; Bob (also an admin of the terminal channel) accepts.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from adapters.console.play import add_arguments, play, settings_from
from tests.conftest import MINI_BANK
from tests.core.test_appeals import PARTIAL
from tests.core.test_console_flows import flat


async def session(
    tmp_path: Path, user: str, lines: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """Run ``dailyq play --user USER`` over ``lines``; return what it printed (flattened)."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--db", str(tmp_path / "play.db"), "--questions", str(MINI_BANK), "--user", user]
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    capsys.readouterr()
    assert await play(args, settings_from(args)) == 0
    return flat(capsys.readouterr().out)


async def test_grade_shown_at_the_reveal_appeal_and_another_admin_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = await session(tmp_path, "alice", "quit\n", monkeypatch, capsys)
    bank = json.loads(MINI_BANK.read_text())
    questions = bank["questions"] if isinstance(bank, dict) else bank
    [shown] = [q for q in questions if q["question"] in first]
    answer = PARTIAL[shown["id"]]

    played = await session(
        tmp_path, "alice", f"answer {answer}\ndaily reveal\nappeal I said it in other words\n"
        "daily accept 1 strong\nquit\n", monkeypatch, capsys,
    )  # fmt: skip
    reveal_at = played.index("Reveal")
    grade_at = played.index("Your grade · round #1")
    assert reveal_at < grade_at  # shown to the player right after the reveal, unasked
    grade = played[grade_at:]
    assert "Verdict: partial · 15 points" in grade
    assert "Found: " in grade and "Missed: " in grade
    assert "Contest it within a day of the reveal: appeal <reason>" in grade
    assert "Appeal #1 filed for round #1 (now partial, 15 points)." in played
    assert "That is your own answer: another admin of this workspace has to decide it." in played

    decided = await session(
        tmp_path, "bob", "daily appeals\ndaily accept 1 strong well argued\nleaderboard all\nstats alice\n"
        "quit\n", monkeypatch, capsys,
    )  # fmt: skip
    assert "Open appeals" in decided and "#1 alice" in decided  # the table wraps at 80 columns
    assert (
        "Appeal #1 accepted: alice's answer is now strong (15 → 20 points); leaderboards are updated."
        in decided
    )
    told = decided[decided.index("private to alice") :]
    assert "Your grade was changed" in told and "Verdict: partial → strong; points: 15 → 20." in told
    assert "1 alice 20 1 1" in decided[decided.index("Leaderboard") :]
    assert "last grades" in decided and "strong, 20 pts" in decided
