"""Exactly what dailyq sends Slack for the shapes members see every day.

The daily post, the answer modal, the private confirmation, the closed post, the reveal in its
thread and the leaderboard (the App Home tab is in test_slack_home.py), each asserted whole as the
fake Slack Web API received it (after its Block Kit validation). Only values Slack or the clock
choose (``ts``, ``trigger_id``) are read from the call; everything dailyq decides is written out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.slack_adapter.views import ANSWER_CALLBACK
from bot.bank.model import Bank, Question
from tests.adapters.slack_harness import SlackBot, running_slack_bot, slack_bank
from tests.adapters.test_slack_rounds import answer_values, open_answer_modal, schedule
from tests.fakes.slack_payloads import CHANNEL_ID, USER_ID, view_submission
from tests.support.clock import FakeClock

TEAM = "T0TEAM"
REVEAL_AT = "<!date^1795609800^{date_short_pretty} at {time}|2026-11-25 12:30 UTC>"  # 13:30 Berlin


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    """The adapter on a fresh database, talking to a fresh fake Slack."""
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def button(label: str, action_id: str, value: str | None, *, primary: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(label)}
    if value is not None:
        element["value"] = value
    if primary:
        element["style"] = "primary"
    return element


def question_blocks(q: Question) -> list[dict[str, Any]]:
    return [
        {"type": "header", "text": plain("Daily question")},
        {"type": "section", "block_id": "dailyq-question", "text": mrkdwn(q.question)},
    ]


async def test_the_daily_post_modal_confirmation_close_and_reveal_are_exactly_these(slack: SlackBot) -> None:
    post = await schedule(slack)
    round_row = await slack.round(1)
    q = slack.core.bank.get(round_row.question_id)
    assert q is not None and q.id == "arima-modeling"  # the picker's choice for this channel and day
    (call,) = slack.fake.calls("chat.postMessage")
    assert call.args == {
        "channel": CHANNEL_ID,
        "text": "Daily question: Explain ARIMA modeling.",
        "blocks": [
            *question_blocks(q),
            {
                "type": "context",
                "elements": [
                    mrkdwn("*Topic:* Time Series Analysis"),
                    mrkdwn("*Difficulty:* hard"),
                    mrkdwn(f"*Reveal:* {REVEAL_AT}"),
                ],
            },
            {
                "type": "actions",
                "block_id": "dailyq-actions",
                "elements": [button("Answer", "dailyq:answer:1", "1", primary=True)],
            },
        ],
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": {"event_type": "dailyq_message", "event_payload": {"key": "post-1"}},
    }

    await open_answer_modal(slack, post)
    (opened,) = slack.fake.calls("views.open")
    assert opened.args == {
        "trigger_id": opened.args["trigger_id"],
        "team_id": TEAM,
        "view": {
            "type": "modal",
            "callback_id": "dailyq:answer",
            "title": {"type": "plain_text", "text": "Answer"},
            "submit": {"type": "plain_text", "text": "Submit"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "private_metadata": '{"round":1,"channel":"C0CHAN"}',
            "blocks": [
                {"type": "section", "text": mrkdwn("Explain ARIMA modeling.")},
                {
                    "type": "input",
                    "block_id": "answer",
                    "label": {"type": "plain_text", "text": "Your answer"},
                    "hint": {
                        "type": "plain_text",
                        "text": "Only you see your answer. You can change it until the reveal.",
                    },
                    "element": {
                        "type": "plain_text_input",
                        "action_id": "text",
                        "multiline": True,
                        "min_length": 1,
                        "max_length": 3000,
                        "placeholder": {
                            "type": "plain_text",
                            "text": "Explain it as you would in an interview",
                        },
                    },
                },
            ],
        },
    }

    typed = "autoregression, differencing, moving average"
    metadata = opened.args["view"]["private_metadata"]
    reply = await slack.send(
        view_submission(ANSWER_CALLBACK, answer_values(typed), private_metadata=metadata)
    )
    assert (reply.status, reply.text) == (200, "")  # the modal closes
    await slack.settle()
    saved = (
        f"Saved your answer: “{typed}”\nYou can change it until the reveal (Wed 25 Nov 13:30 CET); "
        "your grade is shown then."
    )
    (confirmation,) = slack.fake.calls("chat.postEphemeral")
    assert confirmation.args == {
        "channel": CHANNEL_ID,
        "user": USER_ID,
        "team_id": TEAM,
        "text": f"Answer received: {saved}",
        "blocks": [{"type": "section", "text": mrkdwn(f"*Answer received*\n:white_check_mark: {saved}")}],
    }

    slack.clock.advance(timedelta(hours=4))
    await slack.core.dispatcher.run_due()
    (closed,) = slack.fake.calls("chat.update")
    assert closed.args == {
        "channel": CHANNEL_ID,
        "ts": post["ts"],
        "text": "Daily question: Explain ARIMA modeling.",
        "blocks": [
            *question_blocks(q),
            {
                "type": "context",
                "elements": [mrkdwn("*Topic:* Time Series Analysis"), mrkdwn("*Difficulty:* hard")],
            },
            {
                "type": "context",
                "elements": [mrkdwn("_Answers are closed: the answer is in the thread._")],
            },
        ],
    }
    reveal = slack.fake.calls("chat.postMessage")[-1]
    assert reveal.args == {
        "channel": CHANNEL_ID,
        "thread_ts": post["ts"],
        "text": f"Answer: {q.answer}"[:299] + "…",  # the notification text, clipped to 300
        "blocks": [
            {"type": "header", "text": plain("Answer revealed")},
            {"type": "section", "text": mrkdwn(f"*Answer:* {q.answer}")},
            {"type": "section", "text": mrkdwn(q.explanation)},
            {
                "type": "section",
                "text": mrkdwn(
                    "*Key points*\n• autoregressive ... past values\n• differencing\n"
                    "• moving-average ... errors\n• acf"
                ),
            },
            {
                "type": "section",
                "text": mrkdwn(
                    "*1 answered*\nstrong: 0 · partial: 1 · missed: 0\n*Best answers:* alice (partial)"
                ),
            },
            {"type": "section", "text": mrkdwn(f"*In their words*\n> *alice:* {typed}")},
            {
                "type": "context",
                "elements": [
                    mrkdwn(
                        "*Follow-up:* How would you use ACF and PACF plots to choose the p and q orders "
                        "of an ARIMA model?"
                    )
                ],
            },
            {
                "type": "actions",
                "block_id": "dailyq-reveal",
                "elements": [button("My grade", "dailyq:grade:1", "1")],
            },
            {
                "type": "context",
                "elements": [
                    mrkdwn(
                        "Missed or partial answers come back in your practice tomorrow "
                        "(`question`, or `review`)."
                    )
                ],
            },
        ],
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": {"event_type": "dailyq_message", "event_payload": {"key": "reveal-1"}},
    }

    board = await slack.command("leaderboard")
    assert board == {
        "response_type": "ephemeral",
        "text": "Leaderboard: this channel, this week (from Mon 23 Nov)",
        "blocks": [
            {"type": "header", "text": plain("Leaderboard: this channel, this week (from Mon 23 Nov)")},
            {
                "type": "section",
                "text": mrkdwn(
                    ":first_place_medal: *alice* ← you — 15 pts · 1 answered · 0 strong · streak 1"
                ),
            },
        ],
    }
