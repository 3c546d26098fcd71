"""The App Home tab, duplicate events, and solo practice in ephemeral messages, modals and Home."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.slack_adapter.views import ANSWER_BLOCK, ANSWER_INPUT, PRACTICE_CALLBACK
from bot.bank.model import Bank
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SlackBot, running_slack_bot, slack_bank
from tests.adapters.test_exact_payloads_slack import TEAM, button, mrkdwn, plain
from tests.fakes.slack_payloads import (
    USER_ID,
    SlackRequest,
    app_home_opened,
    block_actions,
    event_callback,
    view_submission,
)
from tests.support.clock import FakeClock


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    """The adapter on a fresh database, talking to a fresh fake Slack."""
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Buttons of some blocks by their label."""
    return {e["text"]["text"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def typed(text: str) -> dict[str, dict[str, Any]]:
    """``state.values`` of an answer form with ``text`` typed in."""
    return {ANSWER_BLOCK: {ANSWER_INPUT: {"type": "plain_text_input", "value": text}}}


def in_view(request: SlackRequest, view_id: str, view_hash: str, kind: str = "modal") -> SlackRequest:
    """Turn a message click into a click inside a modal or the Home tab (no channel, no response_url)."""
    for key in ("channel", "message", "response_url"):
        request.payload.pop(key, None)
    request.payload["container"] = {"type": "view", "view_id": view_id}
    request.payload["view"] = {"id": view_id, "hash": view_hash, "type": kind, "blocks": []}
    return request


async def test_app_home_shows_numbers_a_practice_button_and_the_workspace_board(slack: SlackBot) -> None:
    await slack.command("daily set 09:30 UTC reveal 1h", user=ADMIN_ID, name=ADMIN_NAME)
    await slack.command("daily now", user=ADMIN_ID, name=ADMIN_NAME)
    await slack.command("answer a model learns patterns from data", user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(hours=1))
    await slack.core.dispatcher.run_due()
    assert (await slack.send(app_home_opened(ADMIN_ID))).status == 200
    await slack.settle()
    (published,) = slack.fake.calls("views.publish")  # exactly this, as the fake received it
    divider = {"type": "divider"}
    assert published.args == {
        "user_id": ADMIN_ID,
        "team_id": TEAM,
        "view": {
            "type": "home",
            "blocks": [
                {"type": "header", "text": plain("dailyq")},
                {
                    "type": "section",
                    "text": mrkdwn(
                        "A daily interview question for the team, answered privately and revealed later, "
                        "plus solo practice with spaced repetition (no points)."
                    ),
                },
                divider,
                {"type": "header", "text": plain("You")},
                {
                    "type": "section",
                    "fields": [
                        mrkdwn("*Points*\n10"),
                        mrkdwn("*Rank*\n1"),
                        mrkdwn("*Streak*\n1 (best 1); freezes: 0 banked, 0 used"),
                        mrkdwn("*Practice cards due*\n0 of 1"),
                    ],
                },
                {
                    "type": "actions",
                    "block_id": "dailyq-home",
                    "elements": [button("Practice a question", "dailyq:practice:", None, primary=True)],
                },
                divider,
                {"type": "header", "text": plain("Leaderboard: this workspace, this week (from Mon 23 Nov)")},
                {
                    "type": "section",
                    "text": mrkdwn(
                        ":first_place_medal: *ada* ← you — 10 pts · 1 answered · 0 strong · streak 1"
                    ),
                },
                divider,
                {
                    "type": "context",
                    "elements": [
                        mrkdwn(
                            "`/question help` lists every command. Admins schedule a channel with "
                            "`/question daily set 09:30 Europe/Berlin`."
                        )
                    ],
                },
            ],
        },
    }


async def test_a_redelivered_event_is_handled_once(slack: SlackBot) -> None:
    event = app_home_opened(USER_ID)
    assert (await slack.send(event)).status == 200
    assert (await slack.send(event)).status == 200  # Slack retries with the same event_id
    await slack.settle()
    assert len(slack.fake.calls("views.publish")) == 1
    await slack.send(app_home_opened(USER_ID))  # a new visit is a new event
    await slack.settle()
    assert len(slack.fake.calls("views.publish")) == 2


async def test_opening_the_messages_tab_publishes_nothing(slack: SlackBot) -> None:
    messages_tab = event_callback(
        {
            "type": "app_home_opened",
            "user": USER_ID,
            "channel": "D0HOME",
            "tab": "messages",
            "event_ts": "1.0",
        }
    )
    assert (await slack.send(messages_tab)).status == 200
    await slack.settle()
    assert slack.fake.calls("views.publish") == []


async def test_home_still_publishes_when_users_info_fails(slack: SlackBot) -> None:
    slack.fake.fail_next("users.info", status=500)
    await slack.send(app_home_opened(USER_ID))
    await slack.settle()
    (published,) = slack.fake.calls("views.publish")
    assert "not available right now" in json.dumps(published.args["view"])


async def test_practice_in_an_ephemeral_message_show_then_rate(slack: SlackBot) -> None:
    question = await slack.command("")
    assert question["response_type"] == "ephemeral"
    found = buttons(question["blocks"])
    assert set(found) == {"Answer", "Show answer"}
    show = block_actions(
        found["Show answer"]["action_id"],
        found["Show answer"]["value"],
        response_url=slack.fake.new_response_url(),
    )
    show.payload["container"]["is_ephemeral"] = True
    await slack.send(show)
    await slack.settle()
    revealed = slack.fake.calls("response_url")[-1].args
    assert revealed["replace_original"] is True and "Practice answer" in json.dumps(revealed["blocks"])
    rates = buttons(revealed["blocks"])
    assert list(rates) == ["Again", "Hard", "Good", "Easy"]
    rate = block_actions(
        rates["Good"]["action_id"], rates["Good"]["value"], response_url=slack.fake.new_response_url()
    )
    rate.payload["container"]["is_ephemeral"] = True
    await slack.send(rate)
    await slack.settle()
    rated = slack.fake.calls("response_url")[-1].args
    assert rated["replace_original"] is True and "Rated good" in json.dumps(rated["blocks"])


async def test_practice_answer_modal_is_graded_and_rated_in_place(slack: SlackBot) -> None:
    question = await slack.command("")
    answer = buttons(question["blocks"])["Answer"]
    await slack.click(answer["action_id"], answer["value"], message_blocks=question["blocks"])
    opened = slack.fake.calls("views.open")[-1].args["view"]
    assert opened["callback_id"] == PRACTICE_CALLBACK
    assert question["blocks"][1]["text"]["text"] in json.dumps(opened)
    empty = await slack.send(
        view_submission(PRACTICE_CALLBACK, typed(" "), private_metadata=opened["private_metadata"])
    )
    assert empty.json()["response_action"] == "errors"
    graded = (
        await slack.send(
            view_submission(
                PRACTICE_CALLBACK, typed("it learns from data"), private_metadata=opened["private_metadata"]
            )
        )
    ).json()
    assert graded["response_action"] == "update"
    assert "Your answer:" in json.dumps(graded["view"]) and "Suggested" in json.dumps(graded["view"])
    ((view_id, stored),) = slack.fake.views.items()
    good = buttons(graded["view"]["blocks"])["Good"]
    await slack.send(in_view(block_actions(good["action_id"], good["value"]), view_id, stored["hash"]))
    await slack.settle()
    (updated,) = slack.fake.calls("views.update")
    assert updated.args["view_id"] == view_id and "Rated good" in json.dumps(updated.args["view"])


async def test_practice_from_the_home_tab_runs_in_modals(slack: SlackBot) -> None:
    home_click = in_view(block_actions("dailyq:practice:", ""), "V0HOME", "h0", kind="home")
    await slack.send(home_click)
    await slack.settle()
    opened = slack.fake.calls("views.open")[-1].args["view"]
    assert "Practice question" in json.dumps(opened)
    ((view_id, stored),) = slack.fake.views.items()
    found = buttons(opened["blocks"])
    await slack.send(
        in_view(
            block_actions(found["Answer"]["action_id"], found["Answer"]["value"]), view_id, stored["hash"]
        )
    )
    await slack.settle()
    assert slack.fake.calls("views.push")[-1].args["view"]["callback_id"] == PRACTICE_CALLBACK
    await slack.send(
        in_view(
            block_actions(found["Show answer"]["action_id"], found["Show answer"]["value"]),
            view_id,
            stored["hash"],
        )
    )
    await slack.settle()
    assert "Practice answer" in json.dumps(slack.fake.calls("views.update")[-1].args["view"])


async def test_an_unknown_or_tampered_button_gets_a_polite_answer(slack: SlackBot) -> None:
    for action_id, value in (
        ("dailyq:teleport:1", "1"),
        ("dailyq:choose:x", "x:9"),
        ("dailyq:rate:q", "q:meh"),
    ):
        hook = slack.fake.new_response_url()
        await slack.click(action_id, value, response_url=hook)
        (answer,) = slack.fake.calls_for_hook(hook.rsplit("/", 1)[1])
        assert "out of date" in json.dumps(answer.args["blocks"])
