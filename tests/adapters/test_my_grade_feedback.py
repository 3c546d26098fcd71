"""The judge's sentence about an answer is shown in "My grade" on every platform, and only when
there is one."""

from __future__ import annotations

import io

from rich.console import Console

from adapters.console.render import render
from adapters.discord_adapter.render import my_grade_embed
from adapters.slack_adapter.blocks import my_grade_blocks
from bot.cards import MyGradeCard

FEEDBACK = "Names the validation metric but not what happens to the weights."
CARD = MyGradeCard(
    round_id=7,
    question="What is early stopping?",
    answer="stop when validation loss stops improving",
    verdict="partial",
    points=15,
    found=("validation metric",),
    missed=("best weights",),
    feedback=FEEDBACK,
)
WITHOUT = MyGradeCard(7, "What is early stopping?", "stop early", "missed", 10)


def test_discord_shows_the_feedback_as_its_own_field() -> None:
    fields = [(f.name, f.value) for f in my_grade_embed(CARD).fields]
    assert ("Judge's feedback", FEEDBACK) in fields
    assert "Judge's feedback" not in [f.name for f in my_grade_embed(WITHOUT).fields]


def test_slack_shows_the_feedback_in_a_section() -> None:
    sections = [b.to_dict() for b in my_grade_blocks(CARD) if b.type == "section"]
    assert {
        "type": "section",
        "text": {"type": "mrkdwn", "text": f"*Judge's feedback:* {FEEDBACK}"},
    } in sections
    assert "Judge's feedback" not in str([b.to_dict() for b in my_grade_blocks(WITHOUT)])


def test_the_terminal_prints_the_feedback() -> None:
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(render(CARD))
    assert f"Judge's feedback: {FEEDBACK}" in out.getvalue()
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(render(WITHOUT))
    assert "Judge's feedback" not in out.getvalue()
