"""Reminders on the platforms: a Slack ephemeral in the round's channel, a Discord DM.

Exact payloads; a member the platform cannot reach is skipped once, with a log line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.bank.model import Bank
from bot.commands import ConfigureDaily
from bot.store.tables import reminders_sent
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SlackBot, running_slack_bot, slack_bank
from tests.fakes.slack_payloads import CHANNEL_ID, USER_ID
from tests.support.clock import FakeClock
from tests.support.discord_harness import DiscordHarness, checked_bot

EPHEMERAL = 64


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    async with checked_bot(tmp_path, caplog) as harness:
        yield harness


async def slack_round(slack: SlackBot) -> None:
    """09:30 Berlin post (08:30 UTC), revealed at 12:30 UTC; the clock then stands at 11:59 UTC."""
    await slack.command("daily set 09:30 Europe/Berlin reveal 4h", user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(minutes=30))
    await slack.core.dispatcher.run_due()
    slack.clock.advance(timedelta(hours=3, minutes=29))
    await slack.core.dispatcher.run_due()


async def test_slack_reminder_is_an_ephemeral_in_the_channel(slack: SlackBot) -> None:
    reply = await slack.command("remind on 30m")
    assert reply["response_type"] == "ephemeral" and "30m before the reveal" in json.dumps(reply)
    await slack_round(slack)
    assert slack.fake.calls("chat.postEphemeral") == []  # 31 min before: not yet
    slack.clock.advance(timedelta(minutes=1))
    await slack.core.dispatcher.run_due()
    await slack.core.dispatcher.run_due()
    (call,) = slack.fake.calls("chat.postEphemeral")
    (post,) = slack.posts()
    question = post["blocks"][1]["text"]["text"]
    assert (call.args["channel"], call.args["user"]) == (CHANNEL_ID, USER_ID)
    assert call.args["text"].startswith("dailyq reminder: The daily question is revealed in 30m")
    (block,) = call.args["blocks"]
    assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
    assert block["text"]["text"].startswith("*dailyq reminder*\n")
    assert question[:60] in block["text"]["text"] and "`remind off`" in block["text"]["text"]
    assert slack.fake.violations == []


async def test_slack_member_who_left_the_channel_is_skipped_once(
    slack: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await slack.command("remind on")
    slack.fake.set_response("chat.postEphemeral", {"ok": False, "error": "user_not_in_channel"})
    await slack_round(slack)
    for _ in range(3):
        slack.clock.advance(timedelta(minutes=1))
        await slack.core.dispatcher.run_due()
    assert len(slack.fake.calls("chat.postEphemeral")) == 1
    assert any(
        "skipped: Slack chat.postEphemeral: user_not_in_channel" in r.getMessage() for r in caplog.records
    )


async def discord_round(h: DiscordHarness) -> None:
    """09:00 UTC post, reveal at 13:00 (the fake clock starts at 08:00 UTC)."""
    command = ConfigureDaily(time(9, 0), reveal_after=timedelta(hours=4))
    await h.app.service.handle(h.ctx("admin"), command)
    h.clock.advance(timedelta(hours=1))
    await h.app.dispatcher.run_due()


async def test_discord_reminder_is_a_dm_with_a_nonce(h: DiscordHarness) -> None:
    response = await h.slash("remind", {"state": "on", "before": "2h"}, user="member")
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    assert "2h before the reveal" in json.dumps(response["data"]["embeds"])
    await discord_round(h)
    h.clock.advance(timedelta(hours=2))  # 11:00: two hours before the reveal
    await h.app.dispatcher.run_due()
    member_id = h.fake.guild.user("member")["id"]
    (opened,) = h.fake.requests_to("POST", r"/users/@me/channels")
    assert opened.json == {"recipient_id": int(member_id)}  # discord.py sends the snowflake as a number
    dm_id = h.fake.dm_channels[member_id]["id"]
    (sent,) = h.fake.requests_to("POST", rf"/channels/{dm_id}/messages")
    (embed,) = sent.json["embeds"]
    assert embed["title"] == "dailyq reminder"
    assert embed["description"].startswith("The daily question is revealed in 2h and you have not answered")
    assert sent.json["nonce"] and sent.json["enforce_nonce"] is True
    assert sent.json["allowed_mentions"] == {"parse": []}
    in_channel = [r for r in h.fake.requests if re.search(rf"/channels/{h.channel_id}/messages$", r.path)]
    assert not any("reminder" in json.dumps(r.json) for r in in_channel)  # only the DM


async def test_discord_member_with_dms_closed_is_skipped_once(
    h: DiscordHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await h.slash("remind", {"state": "on"}, user="member")
    h.fake.dm_blocked.add(h.fake.guild.user("member")["id"])
    await discord_round(h)
    for _ in range(3):
        h.clock.advance(timedelta(hours=1))
        await h.app.dispatcher.run_due()
    assert len(h.fake.requests_to("POST", r"/users/@me/channels")) == 1
    dm_id = h.fake.dm_channels[h.fake.guild.user("member")["id"]]["id"]
    assert [r.status for r in h.fake.requests_to("POST", rf"/channels/{dm_id}/messages")] == [403]
    async with h.app.engine.connect() as conn:
        states = (await conn.execute(select(reminders_sent.c.state, reminders_sent.c.attempts))).all()
    assert [tuple(s) for s in states] == [("skipped", 1)]  # logged at INFO, never retried


async def test_discord_remind_rejects_a_bad_lead(h: DiscordHarness) -> None:
    response = await h.slash("remind", {"state": "on", "before": "3 weeks"}, user="member")
    assert response["data"]["flags"] == EPHEMERAL
    assert "30m" in json.dumps(response["data"]["embeds"])
