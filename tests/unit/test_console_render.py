"""The terminal's rendering: times in the channel's zone, scopes beside the numbers."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from adapters.console.render import render
from bot.cards import QuestionCard, StatsCard


def printed(card: object) -> str:
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(render(card))  # type: ignore[arg-type]
    return out.getvalue()


def test_question_footer_shows_the_channel_zone() -> None:
    card = QuestionCard(
        question_id="q",
        topic="T",
        difficulty="easy",
        text="Q?",
        round_id=1,
        reveal_at=datetime(2026, 11, 25, 17, 0, tzinfo=UTC),
        timezone="Europe/Berlin",
    )
    shown = printed(card)
    assert "reveal Wed 25 Nov 18:00 CET" in shown and "UTC" not in shown


def test_stats_label_their_scope() -> None:
    card = StatsCard("ann", 30, 2, 1, 2, (("strong", 1),), (), 0, 0, scope="this server, all time")
    shown = printed(card)
    assert "points (this server, all time)" in shown and "rank (this server, all time)" in shown
