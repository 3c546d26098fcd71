"""The Slack modal submits branch on the reply's outcome: a refusal keeps the modal open with
the core's reason under the field (the exact ack Slack receives), and nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.slack_adapter.views import ANSWER_BLOCK, ANSWER_CALLBACK, ANSWER_INPUT
from bot.bank.model import Bank
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SlackBot, running_slack_bot, slack_bank
from tests.fakes.slack_payloads import USER_ID, view_submission
from tests.support.clock import FakeClock


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    """The adapter on a fresh database, talking to a fresh fake Slack."""
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


def typed(text: str) -> dict[str, dict[str, Any]]:
    """``state.values`` of the answer modal with ``text`` typed in."""
    return {ANSWER_BLOCK: {ANSWER_INPUT: {"type": "plain_text_input", "value": text}}}


async def open_modal(slack: SlackBot) -> dict[str, Any]:
    """Schedule and post the daily question, click Answer; the modal that opened."""
    await slack.command("daily set 09:30 Europe/Berlin reveal 4h", user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(minutes=30))
    await slack.core.dispatcher.run_due()
    (post,) = slack.posts()
    (answer,) = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await slack.click(
        answer["action_id"],
        answer["value"],
        user=USER_ID,
        message_ts=post["ts"],
        message_blocks=post["blocks"],
    )
    return dict(slack.fake.calls("views.open")[-1].args["view"])


async def test_answering_a_skipped_round_keeps_the_modal_open_with_the_reason(slack: SlackBot) -> None:
    modal = await open_modal(slack)
    await slack.command("daily skip", user=ADMIN_ID, name=ADMIN_NAME)
    await slack.settle()
    late = view_submission(ANSWER_CALLBACK, typed("too late"), private_metadata=modal["private_metadata"])
    ack = await slack.send(late)
    assert ack.status == 200
    assert ack.json() == {
        "response_action": "errors",
        "errors": {ANSWER_BLOCK: "That question was skipped by an admin; answers are closed."},
    }
    assert await slack.answers() == []
    await slack.settle()
    assert slack.fake.calls("chat.postEphemeral") == []  # no confirmation of a refused answer
    slack.fake.violations.clear()  # refused triggers of the skipped post are not the point here


async def test_a_refused_appeal_keeps_its_modal_open_with_the_reason(slack: SlackBot) -> None:
    modal = await open_modal(slack)
    # an appeal of a round the caller never answered, before any reveal
    appeal = view_submission(
        "dailyq:appeal", typed("I was right"), private_metadata=modal["private_metadata"]
    )
    ack = (await slack.send(appeal)).json()
    assert ack == {
        "response_action": "errors",
        "errors": {ANSWER_BLOCK: "You can appeal once the answer is revealed; grades are shown then."},
    }
    slack.fake.violations.clear()
