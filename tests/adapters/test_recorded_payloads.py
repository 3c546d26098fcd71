"""Payloads in the shape the platforms publish them (tests/data/platform_payloads), replayed through
the real Bolt app and discord.py, with exact assertions on what the bot sends back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.bank.model import Bank
from bot.store.tables import answers
from tests.adapters.slack_harness import SlackBot, running_slack_bot, slack_bank
from tests.adapters.test_discord_daily import post_today, round_of
from tests.adapters.test_slack_rounds import buttons, schedule
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.slack_payloads import CHANNEL_ID, TEAM_ID, USER_ID, SlackRequest, new_trigger_id
from tests.support.clock import FakeClock
from tests.support.discord_harness import running_bot

DATA = Path(__file__).resolve().parents[1] / "data" / "platform_payloads"


def substitute(node: Any, values: dict[str, Any]) -> Any:
    """``node`` with every ``$NAME`` placeholder replaced: a string that is exactly one
    placeholder becomes the value itself (an object, a list), others are replaced as text."""
    if isinstance(node, dict):
        return {k: substitute(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [substitute(v, values) for v in node]
    if isinstance(node, str):
        if node.startswith("$") and node[1:] in values:
            return values[node[1:]]
        for name in sorted(values, key=len, reverse=True):  # $MESSAGE_ID before $MESSAGE
            if isinstance(values[name], str):
                node = node.replace(f"${name}", values[name])
    return node


def recorded(name: str, **values: Any) -> Any:
    """A recorded payload with its placeholders filled in."""
    return substitute(json.loads((DATA / name).read_text()), values)


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


async def test_slack_slash_command_with_a_typo_is_answered_in_the_ack(slack: SlackBot) -> None:
    payload = recorded(
        "slack_slash_command.json",
        TEAM=TEAM_ID, CHANNEL=CHANNEL_ID, USER=USER_ID, TRIGGER=new_trigger_id(),
        RESPONSE_URL=slack.fake.new_response_url(CHANNEL_ID),
    )  # fmt: skip
    reply = await slack.send(SlackRequest("form", payload))
    assert reply.status == 200
    problem = "'25:99' is not a time: use 24-hour HH:MM, such as 09:30 or 17:00"
    assert reply.json() == {
        "text": problem,
        "response_type": "ephemeral",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f":warning: {problem}"}}],
    }
    assert slack.fake.calls("response_url") == []  # answered in the ack, nothing later


async def test_slack_answer_click_and_modal_submission(slack: SlackBot) -> None:
    post = await schedule(slack)
    (answer,) = buttons(post)
    trigger = new_trigger_id()
    click = recorded(
        "slack_block_actions.json",
        TEAM=TEAM_ID, CHANNEL=CHANNEL_ID, USER=USER_ID, TRIGGER=trigger, TS=post["ts"],
        ROUND=answer["value"], BLOCKS=post["blocks"], RESPONSE_URL=slack.fake.new_response_url(CHANNEL_ID),
    )  # fmt: skip
    reply = await slack.send(SlackRequest("interactive", click))
    assert (reply.status, reply.text) == (200, "")
    await slack.settle()
    (opened,) = slack.fake.calls("views.open")
    assert opened.args["trigger_id"] == trigger
    assert opened.args["view"] == {
        "type": "modal",
        "callback_id": "dailyq:answer",
        "title": {"type": "plain_text", "text": "Answer"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": f'{{"round":{answer["value"]},"channel":"{CHANNEL_ID}"}}',
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": post["blocks"][1]["text"]["text"]}},
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
                    "placeholder": {"type": "plain_text", "text": "Explain it as you would in an interview"},
                },
            },
        ],
    }

    metadata = opened.args["view"]["private_metadata"]
    submit = recorded(
        "slack_view_submission.json", TEAM=TEAM_ID, USER=USER_ID, TRIGGER=new_trigger_id(), METADATA=metadata
    )
    reply = await slack.send(SlackRequest("interactive", submit))
    assert (reply.status, reply.text) == (200, "")  # stored, then the modal closes
    [stored] = await slack.answers()
    assert stored.text == "Averaging many trees lowers the variance."
    await slack.settle()
    (confirmation,) = slack.fake.calls("chat.postEphemeral")
    saved = "Saved your answer: “Averaging many trees lowers the variance.”"
    later = "You can change it until the reveal (Wed 25 Nov 13:30 CET); your grade is shown then."
    assert confirmation.args == {
        "channel": CHANNEL_ID,
        "user": USER_ID,
        "team_id": TEAM_ID,
        "text": f"Answer received: {saved}\n{later}",
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*Answer received*\n:white_check_mark: {saved}\n{later}"},
            }
        ],
    }


async def test_discord_answer_click_and_modal_submission(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, tmp_path) as h:
        post = await post_today(h)
        member = fake.guild.user("member")
        common = {
                "APP": fake.app_id, "GUILD": fake.guild.id, "CHANNEL": h.channel_id, "USER": member["id"],
                "ROUND": round_of(post), "MESSAGE_ID": post["id"],
            }  # fmt: skip
        click = recorded(
            "discord_component.json",
            ID=fake.ids.next(),
            TOKEN="itoken-recorded-1",
            MESSAGE=post,
            **common,
        )
        modal = await h.respond(click)
        assert modal == {
            "type": 9,
            "data": {
                "custom_id": f"dailyq:form:answer:{round_of(post)}",
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
        submit = recorded(
            "discord_modal_submit.json", ID=fake.ids.next(), TOKEN="itoken-recorded-2", **common
        )
        saved = await h.respond(submit)
        assert saved == {
            "type": 4,
            "data": {
                "tts": False,
                "content": None,
                "flags": 64,  # ephemeral: only the member sees it
                "allowed_mentions": {"parse": []},
                "embeds": [
                    {
                        "type": "rich",
                        "flags": 0,
                        "color": 3066993,
                        "title": "Answer received",
                        "description": "Saved your answer: “Averaging many trees lowers the variance.”\n"
                        "You can change it until the reveal (Wed 25 Nov 13:00 UTC); "
                        "your grade is shown then.",
                    }
                ],
            },
        }
        async with h.app.engine.connect() as conn:
            texts = (await conn.execute(select(answers.c.text))).scalars().all()
        assert texts == ["Averaging many trees lowers the variance."]
