"""One quiz post and its reveal on each platform, asserted exactly as sent.

The mini bank's ``recall`` question is drawn for the first round (its order comes from the round's
seed), so the option order is fixed: A false positive rate, B precision, C recall (correct),
D specificity. One player picks B (a wrong option), the admin picks C.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from adapters.console.render import render as console_render
from bot.bank.model import Bank
from bot.cards import QuestionCard, RevealCard
from bot.commands import DailyAction, ManageDaily, SubmitAnswer
from bot.practice.missed import COMES_BACK
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SlackBot, running_slack_bot
from tests.adapters.test_discord_daily import post_today
from tests.adapters.test_slack_rounds import buttons
from tests.adapters.test_slack_rounds import schedule as slack_schedule
from tests.conftest import AppFactory, admin, member
from tests.core.rounds_helpers import posts, schedule
from tests.support.clock import FakeClock
from tests.support.discord_harness import checked_bot, custom_ids
from tests.support.messenger import RecordingMessenger

QUESTION = "What is recall?"
OPTIONS = (
    "The share of negatives wrongly flagged positive: FP / (FP + TN).",
    "The share of predicted positives that are truly positive: TP / (TP + FP).",
    "The share of actual positives the model finds: TP / (TP + FN).",
    "The share of actual negatives correctly rejected: TN / (TN + FP).",
)
WHY = {
    "A": "That is the false positive rate, the x-axis of the ROC curve.",
    "B": "That is precision; recall divides by the actual positives.",
    "D": "That is specificity, the true negative rate.",
}
ANSWER = (
    "Recall is the share of actual positives the model finds: true positives divided by true "
    "positives plus false negatives."
)
REVEAL_UTC = "2026-11-25 12:30 UTC"  # the Slack test posts at 09:30 Berlin, reveal 4 h later
LETTERED = tuple(zip("ABCD", OPTIONS, strict=True))
COUNTS = {"A": 0, "B": 1, "C": 1, "D": 0}
EXPLANATION = "Also called sensitivity or the true positive rate."
FOLLOW_UP = "What metric combines precision and recall?"


def button(label: str, custom_id: str) -> dict[str, Any]:
    return {"type": 2, "style": 2, "disabled": False, "label": label, "custom_id": custom_id}


async def test_discord_quiz_post_and_reveal_are_exact(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mini_bank: Bank
) -> None:
    async with checked_bot(tmp_path, caplog, bank=mini_bank) as h:
        post = await post_today(h, mode="quiz")
        reveal_at = int((h.clock.now() + timedelta(hours=4)).timestamp())
        [sent] = h.fake.requests_to("POST", rf"/channels/{h.channel_id}/messages")
        assert sent.json == {
            "embeds": [
                {
                    "title": "Question of the day",
                    "description": QUESTION
                    + "\n\n"
                    + "\n".join(f"**{letter}.** {option}" for letter, option in LETTERED),
                    "fields": [
                        {"inline": True, "name": "Topic", "value": "Metrics"},
                        {"inline": True, "name": "Difficulty", "value": "medium"},
                        {"inline": True, "name": "Reveal", "value": f"<t:{reveal_at}:f> (<t:{reveal_at}:R>)"},
                    ],
                    "footer": {"text": "Round #1 · pick one option, it is locked"},
                    "color": 0x3B82F6,
                    "flags": 0,
                    "type": "rich",
                }
            ],
            "content": None,
            "components": [
                {"type": 1, "components": [button(c, f"dailyq:choose:1:{i}") for i, c in enumerate("ABCD")]}
            ],
            "nonce": "post-1",
            "enforce_nonce": True,
            "tts": False,
            "allowed_mentions": {"parse": []},
        }
        ids = custom_ids(post)
        await h.respond(h.fake.component_click(ids[1], message=post, user="member"))
        await h.respond(h.fake.component_click(ids[2], message=post, user="admin"))
        h.clock.advance(timedelta(hours=4))
        await h.app.dispatcher.run_due()
        [reveal] = h.fake.requests_to("POST", rf"/channels/{post['id']}/messages")
        assert reveal.json == {
            "embeds": [
                {
                    "title": "Answer revealed",
                    "description": f"**Question:** {QUESTION}\n\n**Answer:** {ANSWER}\n\n{EXPLANATION}",
                    "fields": [
                        {
                            "inline": False,
                            "name": "Key points",
                            "value": "• actual positives\n• true positives\n• false negatives",
                        },
                        {
                            "inline": False,
                            "name": "Results",
                            "value": "2 answered\n"
                            + "\n".join(
                                f"{'✅' if c == 'C' else '▫️'} **{c}.** {option} — **{COUNTS[c]}**"
                                for c, option in LETTERED
                            ),
                        },
                        {"inline": False, "name": "Best answers", "value": "1. Admin (strong, 100%)"},
                        {
                            "inline": False,
                            "name": "Why the others are wrong",
                            "value": "\n".join(f"**{letter}.** {why}" for letter, why in WHY.items()),
                        },
                        {"inline": False, "name": "Follow-up", "value": FOLLOW_UP},
                        {"inline": False, "name": "Practice", "value": COMES_BACK},
                    ],
                    "footer": {"text": "Round #1"},
                    "color": 0x2ECC71,
                    "flags": 0,
                    "type": "rich",
                }
            ],
            "content": None,
            "components": [{"type": 1, "components": [button("My grade", "dailyq:grade:1")]}],
            "nonce": "reveal-1",
            "enforce_nonce": True,
            "tts": False,
            "allowed_mentions": {"parse": []},
        }


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mini_bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(monkeypatch, tmp_path, mini_bank, clock) as bot:
        yield bot


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def slack_button(letter: str, index: int) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": f"dailyq:choose:1:{index}",
        "text": {"type": "plain_text", "text": letter, "emoji": True},
        "value": f"1:{index}",
    }


async def test_slack_quiz_post_and_reveal_are_exact(slack: SlackBot) -> None:
    post = await slack_schedule(slack, "mode quiz")
    reveal_at = int((slack.clock.now() + timedelta(hours=4)).timestamp())
    [call] = slack.fake.calls("chat.postMessage")
    assert call.args == {
        "channel": "C0CHAN",
        "text": f"Daily question: {QUESTION}",
        "blocks": [
            header("Daily question"),
            {"type": "section", "block_id": "dailyq-question", "text": mrkdwn(QUESTION)},
            {
                "type": "section",
                "text": mrkdwn("\n".join(f"*{letter}.* {option}" for letter, option in LETTERED)),
            },
            {
                "type": "context",
                "elements": [
                    mrkdwn("*Topic:* Metrics"),
                    mrkdwn("*Difficulty:* medium"),
                    mrkdwn(f"*Reveal:* <!date^{reveal_at}^{{date_short_pretty}} at {{time}}|{REVEAL_UTC}>"),
                ],
            },
            {
                "type": "actions",
                "block_id": "dailyq-actions",
                "elements": [slack_button(letter, i) for i, letter in enumerate("ABCD")],
            },
        ],
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": {"event_type": "dailyq_message", "event_payload": {"key": "post-1"}},
    }
    options = buttons(post)
    await slack.click(options[1]["action_id"], options[1]["value"])
    await slack.click(options[2]["action_id"], options[2]["value"], user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(hours=4))
    await slack.core.dispatcher.run_due()
    [reply] = slack.fake.calls("chat.postMessage")[1:]
    picks = [
        f"{':white_check_mark:' if c == 'C' else ':white_small_square:'} *{c}.* {option} — *{COUNTS[c]}*"
        for c, option in LETTERED
    ]
    assert reply.args == {
        "channel": "C0CHAN",
        "text": f"Answer: {ANSWER}",
        "blocks": [
            header("Answer revealed"),
            {"type": "section", "text": mrkdwn(f"*Answer:* {ANSWER}")},
            {"type": "section", "text": mrkdwn(EXPLANATION)},
            {
                "type": "section",
                "text": mrkdwn("*Key points*\n• actual positives\n• true positives\n• false negatives"),
            },
            {
                "type": "section",
                "text": mrkdwn("\n".join(["*2 answered*", *picks, f"*Best answers:* {ADMIN_NAME} (strong)"])),
            },
            {
                "type": "section",
                "text": mrkdwn(
                    "\n".join(["*Why the others are wrong*", *(f"*{k}.* {why}" for k, why in WHY.items())])
                ),
            },
            {"type": "context", "elements": [mrkdwn(f"*Follow-up:* {FOLLOW_UP}")]},
            {
                "type": "actions",
                "block_id": "dailyq-reveal",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "dailyq:grade:1",
                        "text": {"type": "plain_text", "text": "My grade", "emoji": True},
                        "value": "1",
                    }
                ],
            },
            {"type": "context", "elements": [mrkdwn(COMES_BACK)]},
        ],
        "thread_ts": post["ts"],
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": {"event_type": "dailyq_message", "event_payload": {"key": "reveal-1"}},
    }


def printed(card: QuestionCard | RevealCard) -> list[str]:
    """The panel's lines without its right border and padding (the left border and title stay)."""
    out = io.StringIO()
    Console(file=out, width=100, color_system=None, highlight=False).print(console_render(card))
    return [line.rstrip("│╮╯─ ").rstrip() for line in out.getvalue().splitlines()]


async def test_console_quiz_post_and_reveal_are_exact(
    make_app: AppFactory, sqlite_db: str, mini_bank: Bank, messenger: RecordingMessenger
) -> None:
    app = await make_app(sqlite_db, with_bank=mini_bank)
    ctx = await schedule(app, "09:00", "UTC", mode="quiz")
    await app.service.handle(ctx, ManageDaily(DailyAction.NOW))
    [card] = posts(messenger)
    await app.service.handle(member(), SubmitAnswer(text="B"))
    await app.service.handle(admin(), SubmitAnswer(text="C"))
    await app.service.handle(ctx, ManageDaily(DailyAction.REVEAL))
    [reveal] = [s.card for s in messenger.of_kind("reply") if isinstance(s.card, RevealCard)]
    assert printed(card) == [
        "╭─ Daily question · Metrics · medium",
        "│ What is recall?",
        *(f"│   {letter}. {option}" for letter, option in LETTERED),
        "│ Reply with: answer A|B|C|D",
        "╰────────────────────────────────── reveal Wed 25 Nov 16:00 UTC",
    ]
    assert printed(reveal) == [
        "╭─ Reveal",
        "│ What is recall?",
        "│ Answer: Recall is the share of actual positives the model finds: true positives divided by true",
        "│ positives plus false negatives.",
        f"│ {EXPLANATION}",
        "│ Key points: actual positives; true positives; false negatives",
        "│ 2 answered",
        *(
            f"│   {'✔' if letter == 'C' else ' '} {letter}. {option} — {COUNTS[letter]}"
            for letter, option in LETTERED
        ),
        *(f"│   {letter} is wrong: {why}" for letter, why in WHY.items()),
        "│ Best: Ada (strong)",
        f"│ Follow-up: {FOLLOW_UP}",
        "│ Your own grade: grade · contest it: appeal <reason>",
        f"│ {COMES_BACK}",
        "╰",
    ]
