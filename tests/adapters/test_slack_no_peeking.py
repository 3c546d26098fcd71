"""No peeking on Slack: with a daily open, `/question` never hands it out, and `show`/`try` on it
(typed, or a crafted "Show answer" button) are refused privately."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.bank.model import Bank
from bot.practice.session import NO_PEEKING
from bot.store.tables import rounds
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SlackBot, running_slack_bot
from tests.fakes.slack_payloads import CHANNEL_ID
from tests.support.clock import FakeClock


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mini_bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    """The adapter on a two-question bank: while one is the daily, practice has only the other."""
    two = Bank(mini_bank.questions[:2])
    async with running_slack_bot(monkeypatch, tmp_path, two, clock) as bot:
        yield bot


async def open_daily(slack: SlackBot) -> str:
    await slack.command("daily set 09:30 UTC", user=ADMIN_ID, name=ADMIN_NAME)
    await slack.command("daily now", user=ADMIN_ID, name=ADMIN_NAME)
    assert len(slack.posts()) == 1
    async with slack.core.engine.connect() as conn:
        return str((await conn.execute(select(rounds.c.question_id))).scalar_one())


def refusal(text: str, **extra: object) -> dict[str, object]:
    """The ephemeral error our renderer sends for a refused command (Slack mrkdwn escaped)."""
    escaped = text.replace("<", "&lt;").replace(">", "&gt;")
    return {
        "text": escaped,
        "blocks": [{"text": {"text": f":warning: {escaped}", "type": "mrkdwn"}, "type": "section"}],
        "response_type": "ephemeral",
        **extra,
    }


async def test_question_never_hands_out_the_open_daily(slack: SlackBot) -> None:
    daily = await open_daily(slack)
    bank = slack.core.bank
    other = next(q for q in bank.questions if q.id != daily)
    for user in ("U1", "U2", "U3", "U4", "U5"):
        shown = json.dumps(await slack.command("question", user=user))
        assert other.question in shown
        assert bank.get(daily).question not in shown  # type: ignore[union-attr]


async def test_show_and_try_on_the_open_daily_are_refused_privately(slack: SlackBot) -> None:
    users = [f"U{n}" for n in range(8)]
    held = {}  # practice questions handed out before the daily opened
    for user in users:
        shown = json.dumps(await slack.command("question", user=user))
        held[user] = next(q.id for q in slack.core.bank.questions if q.question in shown)
    daily = await open_daily(slack)
    answer = slack.core.bank.get(daily).answer  # type: ignore[union-attr]
    caught = next(user for user in users if held[user] == daily)
    assert await slack.command("show", user=caught) == refusal(NO_PEEKING)
    assert await slack.command(f"try {answer}", user=caught) == refusal(NO_PEEKING)
    # a crafted "Show answer" button naming the open daily, from someone who never practised it
    hook = slack.fake.new_response_url(CHANNEL_ID)
    await slack.click(f"dailyq:show:{daily}", daily, user="U9", response_url=hook)
    (sent,) = slack.fake.calls_for_hook(hook.rsplit("/", 1)[1])
    assert sent.args == refusal(NO_PEEKING, replace_original=False)
    # the other question's answer is still there for whoever holds it
    free = next((user for user in users if held[user] != daily), None)
    if free is not None:
        assert "Practice answer" in json.dumps(await slack.command("show", user=free))
