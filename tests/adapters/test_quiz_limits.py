"""Every quiz of the bundled bank, posted and revealed, fits Discord's and Slack's limits whole.

Each of the 100 questions is rendered as a quiz post and a quiz reveal for both platforms. The
payloads must pass the platform's limits (Discord: embed, field, button label and custom id
lengths; Slack: the Block Kit checks the fake Slack enforces) and every option and every line on
why an option is wrong must be there in full: a clipped option would be a different quiz.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import discord

from adapters.discord_adapter import render as discord_render
from adapters.slack_adapter import blocks as slack_blocks
from adapters.slack_adapter.text import escape
from bot.bank.model import Bank, Question
from bot.cards import QuestionCard, RevealCard
from bot.daily.posts import question_card, reveal_card
from tests.fakes.slack_limits import check_message
from tests.support.discord_harness import assert_message_limits

LETTERS = "ABCD"
# the largest round id and seed a long-lived database could hold: the longest custom ids
ROUND = SimpleNamespace(
    id=2**31 - 1, mode="quiz", seed=2**31 - 1, reveal_at=datetime(2026, 11, 25, 17, tzinfo=UTC), late=True
)


def answers_for(question: Question) -> list[Any]:
    """One pick per option, by people with long names (the best answers show the names)."""
    return [SimpleNamespace(choice=i, display_name="N" * 80, verdict="strong", score=1.0) for i in range(4)]


def cards(question: Question) -> tuple[QuestionCard, RevealCard]:
    assert question.quiz is not None, question.id
    return question_card(ROUND, question), reveal_card(ROUND, question, answers_for(question))  # type: ignore[arg-type]


def discord_body(rendered: discord_render.Rendered) -> dict[str, Any]:
    view = rendered.view()
    return {
        "embeds": [embed.to_dict() for embed in rendered.embeds],
        "components": view.to_components() if view else [],
    }


async def test_every_quiz_post_and_reveal_fits_discord(bank: Bank) -> None:
    for question in bank.questions:
        post, reveal = cards(question)
        body = discord_body(discord_render.render([post]))
        assert_message_limits(body)
        description = body["embeds"][0]["description"]
        for letter, option in zip(LETTERS, post.options, strict=True):
            assert f"**{letter}.** {option}" in description, (question.id, letter)
        buttons = [c for row in body["components"] for c in row["components"]]
        assert [b["label"] for b in buttons] == list(LETTERS)
        assert all(b["style"] == discord.ButtonStyle.secondary.value for b in buttons)

        shown = discord_body(discord_render.render([reveal]))
        assert_message_limits(shown)
        fields = {f["name"]: f["value"] for f in shown["embeds"][0]["fields"]}
        for letter, pick in zip(LETTERS, reveal.picks, strict=True):
            assert f"**{letter}.** {pick.option} — **1**" in fields["Results"], (question.id, letter)
            if not pick.correct:
                why = fields["Why the others are wrong"]
                assert f"**{letter}.** {pick.why}" in why, (question.id, letter)


def test_every_quiz_post_and_reveal_fits_slack(bank: Bank) -> None:
    for question in bank.questions:
        post, reveal = cards(question)
        posted = slack_blocks.message(post)
        assert check_message("chat.postMessage", posted) == [], question.id
        text = "\n".join(b["text"]["text"] for b in posted["blocks"] if b["type"] == "section")
        for letter, option in zip(LETTERS, post.options, strict=True):
            assert f"*{letter}.* {escape(option)}" in text, (question.id, letter)
        [actions] = [b for b in posted["blocks"] if b["type"] == "actions"]
        assert [e["text"]["text"] for e in actions["elements"]] == list(LETTERS)

        revealed = slack_blocks.message(reveal)
        assert check_message("chat.postMessage", revealed) == [], question.id
        text = "\n".join(b["text"]["text"] for b in revealed["blocks"] if b["type"] == "section")
        for letter, pick in zip(LETTERS, reveal.picks, strict=True):
            assert f"*{letter}.* {escape(pick.option)} \u2014 *1*" in text, (question.id, letter)
            if not pick.correct:
                assert f"*{letter}.* {escape(pick.why)}" in text, (question.id, letter)
