"""The Answer click opens its modal first: views.open does not wait behind queued follow-up work
(other members' users.info lookups, confirmations, commands), so the trigger_id is still valid."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack_adapter.views import ANSWER_CALLBACK, answer_modal
from bot.bank.model import Bank
from tests.adapters.slack_harness import SlackBot, running_slack_bot, slack_bank
from tests.adapters.test_slack_rounds import buttons, schedule
from tests.fakes.slack_payloads import CHANNEL_ID, USER_ID, block_actions, slash_command
from tests.support.clock import FakeClock

STUCK = 40  # follow-up tasks, more than the queue runs at once
HUNG = 16  # the lookups that hang: as many as the queue runs at once (Background's limit)


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


async def test_the_answer_modal_opens_while_the_follow_up_queue_is_stuck(slack: SlackBot) -> None:
    post = await schedule(slack)
    (answer,) = buttons(post)
    slack.fake.hang_next("users.info", HUNG)  # Slack slow to answer: the running lookups hang
    for i in range(STUCK):  # admin commands of members new to the bot: each needs users.info
        member = f"U0NEW{i:04d}"
        request = slash_command(
            "daily set 10:00 UTC", response_url=slack.fake.new_response_url(CHANNEL_ID), user_id=member
        )
        assert (await slack.send(request)).status == 200
    await slack.fake.wait_for_call("users.info")
    await asyncio.sleep(0.2)
    assert slack.parts.tasks.pending == STUCK
    assert len(slack.fake.calls("users.info")) < STUCK  # the rest wait in the queue

    started = time.monotonic()
    click = block_actions(
        answer["action_id"],
        answer["value"],
        user_id=USER_ID,
        message_ts=post["ts"],
        message_blocks=post["blocks"],
        response_url=slack.fake.new_response_url(CHANNEL_ID),
    )
    assert (await slack.send(click)).status == 200
    opened = await slack.fake.wait_for_call("views.open", timeout=2.0)
    assert time.monotonic() - started < 1.0
    assert opened.args["view"]["callback_id"] == ANSWER_CALLBACK
    assert opened.args["trigger_id"] == click.payload["trigger_id"]
    assert len(slack.fake.calls("users.info")) < STUCK  # still stuck: the modal did not wait
    slack.fake.release_hangs()


def test_the_answer_form_is_built_once_but_handed_out_fresh() -> None:
    first = answer_modal(7, "C1", "What does *bagging* reduce?")
    first["blocks"].clear()  # a caller changing its copy
    again = answer_modal(7, "C1", "What does *bagging* reduce?")
    assert [b["type"] for b in again["blocks"]] == ["section", "input"]
    assert again["private_metadata"] == '{"round":7,"channel":"C1"}'
    assert (
        answer_modal(8, "C1", "What does *bagging* reduce?")["private_metadata"]
        == '{"round":8,"channel":"C1"}'
    )
