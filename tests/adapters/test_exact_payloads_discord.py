"""Exactly what dailyq sends Discord for the shapes members see every day.

The daily post, the answer form, the saved-answer reply, the closed post, the reveal thread and its
message, and the leaderboard, each asserted whole as the fake Discord received it from discord.py.
Only values Discord or the clock choose (ids, times) are read; everything dailyq decides is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.test_discord_daily import post_today
from tests.fakes.discord_payloads import JSON
from tests.support.discord_harness import DiscordHarness, checked_bot

EPHEMERAL = 64
NO_MENTIONS = {"parse": []}
BLUE, GREEN, GREY, GOLD = 3900150, 3066993, 9936031, 15844367
TYPED = "less variance by taking the average"


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    async with checked_bot(tmp_path, caplog) as harness:
        yield harness


def embed(title: str, description: str, color: int, **extra: Any) -> JSON:
    return {"type": "rich", "flags": 0, "title": title, "description": description, "color": color, **extra}


def field(name: str, value: str, *, inline: bool) -> JSON:
    return {"name": name, "value": value, "inline": inline}


def button_row(label: str, custom_id: str, style: int) -> JSON:
    return {
        "type": 1,
        "components": [
            {"type": 2, "style": style, "disabled": False, "label": label, "custom_id": custom_id}
        ],
    }


def ephemeral_reply(*embeds: JSON) -> JSON:
    return {
        "type": 4,
        "data": {
            "tts": False,
            "content": None,
            "embeds": list(embeds),
            "flags": EPHEMERAL,
            "allowed_mentions": NO_MENTIONS,
        },
    }


async def test_the_daily_post_form_reply_close_and_reveal_are_exactly_these(h: DiscordHarness) -> None:
    post = await post_today(h)
    reveal_at = int((h.clock.now() + timedelta(hours=4)).timestamp())
    [sent] = h.fake.requests_to("POST", rf"/channels/{h.channel_id}/messages")
    question = "What does bagging-2 reduce?"
    assert sent.json == {
        "content": None,
        "tts": False,
        "nonce": "post-1",
        "enforce_nonce": True,
        "allowed_mentions": NO_MENTIONS,
        "embeds": [
            embed(
                "Question of the day",
                question,
                BLUE,
                fields=[
                    field("Topic", "Ensemble Methods", inline=True),
                    field("Difficulty", "medium", inline=True),
                    field("Reveal", f"<t:{reveal_at}:f> (<t:{reveal_at}:R>)", inline=True),
                ],
                footer={"text": "Round #1 · press Answer to reply privately"},
            )
        ],
        "components": [button_row("Answer", "dailyq:answer:1", 1)],
    }

    form = await h.respond(h.fake.component_click("dailyq:answer:1", message=post, user="member"))
    assert form == {
        "type": 9,
        "data": {
            "custom_id": "dailyq:form:answer:1",
            "title": "Your answer",
            "components": [
                {
                    "type": 18,
                    "label": "Answer",
                    "description": "Only you see it. You can change it until the reveal.",
                    "component": {
                        "type": 4,
                        "style": 2,
                        "label": None,
                        "custom_id": "text",
                        "required": True,
                        "placeholder": "Type your answer (quiz: A, B, C or D)",
                        "min_length": 1,
                        "max_length": 4000,
                    },
                }
            ],
        },
    }
    submit = h.fake.modal_submit("dailyq:form:answer:1", {"text": TYPED}, labels=True, user="member")
    saved = (
        f"Saved your answer: “{TYPED}”\nYou can change it until the reveal (Wed 25 Nov 13:00 UTC); "
        "your grade is shown then."
    )
    assert await h.respond(submit) == ephemeral_reply(embed("Answer received", saved, GREEN))

    h.clock.advance(timedelta(hours=4))
    await h.app.dispatcher.run_due()
    [closed] = h.fake.requests_to("PATCH", rf"/channels/{h.channel_id}/messages/{post['id']}")
    assert closed.json == {
        "tts": False,
        "allowed_mentions": NO_MENTIONS,
        "components": [],
        "embeds": [
            embed(
                "Question of the day",
                question,
                GREY,
                fields=[
                    field("Topic", "Ensemble Methods", inline=True),
                    field("Difficulty", "medium", inline=True),
                    field("Answers", "Closed", inline=True),
                ],
                footer={"text": "Round #1"},
            )
        ],
    }
    [thread] = h.fake.requests_to("POST", rf"/channels/{h.channel_id}/messages/{post['id']}/threads")
    assert thread.json == {
        "name": f"Answer: {question}",
        "auto_archive_duration": 1440,
        "rate_limit_per_user": None,
    }
    [reveal] = h.fake.requests_to("POST", rf"/channels/{post['id']}/messages")  # the thread has the post's id
    assert reveal.json == {
        "content": None,
        "tts": False,
        "nonce": "reveal-1",
        "enforce_nonce": True,
        "allowed_mentions": NO_MENTIONS,
        "embeds": [
            embed(
                "Answer revealed",
                f"**Question:** {question}\n\n**Answer:** bagging-2 reduces variance\n\n"
                "Because bagging-2 averages many noisy estimates.",
                GREEN,
                fields=[
                    field("Key points", "• variance\n• average", inline=False),
                    field("Results", "1 answered\nstrong: 1 · partial: 0 · missed: 0", inline=False),
                    field("Best answers", "1. Member (strong, 100%)", inline=False),
                    field("In their words", f"**Member:** “{TYPED}”", inline=False),
                    field("Follow-up", "When does it not help?", inline=False),
                ],
                footer={"text": "Round #1"},
            )
        ],
        "components": [button_row("My grade", "dailyq:grade:1", 2)],
    }

    board = await h.slash("leaderboard", user="member")
    assert board == ephemeral_reply(
        embed(
            "Leaderboard: this channel, this week (from Mon 23 Nov)",
            "` 1.` **Member** — 20 pts · 1 answered · 1 strong · streak 1",
            GOLD,
        )
    )
