"""My grade, appeals and regrades on Slack: the real Bolt app over HTTP against the fake Slack.

The reveal reply carries a "My grade" button answered with an ephemeral message (through the
click's response_url); its "Appeal" button opens a modal; admins decide with
``/question daily ...`` and the player is told with ``chat.postEphemeral`` in the channel.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.slack_adapter.views import ANSWER_BLOCK, ANSWER_CALLBACK, ANSWER_INPUT, APPEAL_CALLBACK
from bot.bank.model import Bank
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, QUIZ_QUESTIONS, SlackBot, running_slack_bot
from tests.adapters.test_slack_rounds import answer_values, buttons, open_answer_modal, schedule
from tests.fakes.slack_payloads import CHANNEL_ID, USER_ID, USER_NAME, view_submission
from tests.support.clock import FakeClock

ANSWER = "It uses hashing to find the bucket of a key directly"
REASON = "a hash table lookup is constant time on average, which I described"


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clock: FakeClock) -> AsyncIterator[SlackBot]:
    """The adapter on a bank of three questions with known key points (hash, constant)."""
    async with running_slack_bot(monkeypatch, tmp_path, Bank(QUIZ_QUESTIONS), clock) as bot:
        yield bot


async def click_for_response(
    slack: SlackBot, button: dict[str, Any], message: dict[str, Any], user: str = USER_ID
) -> dict[str, Any]:
    """Click a button; return the one response posted to the click's response_url."""
    hook = slack.fake.new_response_url(CHANNEL_ID)
    await slack.click(
        button["action_id"],
        button["value"],
        user=user,
        response_url=hook,
        message_ts=message.get("ts", "1700000000.000200"),
        message_blocks=message.get("blocks") or [],
    )
    (response,) = slack.fake.calls_for_hook(hook.rsplit("/", 1)[1])
    return dict(response.args)


async def answered_and_revealed(slack: SlackBot) -> tuple[str, dict[str, Any]]:
    """The member answers in the modal; an admin reveals. (round id, reveal reply)"""
    post = await schedule(slack)
    rid = str(buttons(post)[0]["value"])
    modal = await open_answer_modal(slack, post)
    submit = view_submission(
        ANSWER_CALLBACK, answer_values(ANSWER), private_metadata=modal["private_metadata"]
    )
    assert (await slack.send(submit)).status == 200
    await slack.command("daily reveal", user=ADMIN_ID, name=ADMIN_NAME)
    (reveal,) = slack.replies()
    return rid, reveal


def question_text(slack: SlackBot) -> str:
    """The question of the (only) daily post."""
    posted = json.dumps(slack.fake.calls("chat.postMessage")[0].args)
    return next(q.question for q in QUIZ_QUESTIONS if q.question in posted)


async def test_my_grade_ephemeral_appeal_modal_accept_and_player_told(slack: SlackBot) -> None:
    rid, reveal = await answered_and_revealed(slack)
    question = question_text(slack)
    (grade_button,) = buttons(reveal)
    assert grade_button == {
        "type": "button",
        "text": {"type": "plain_text", "text": "My grade", "emoji": True},
        "action_id": f"dailyq:grade:{rid}",
        "value": rid,
    }

    mine = await click_for_response(slack, grade_button, reveal)
    assert mine["response_type"] == "ephemeral"
    assert mine["text"] == "Your grade: partial, 15 points"
    assert mine["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "Your grade", "emoji": True}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*Question:* {question}"}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Your answer:* {ANSWER}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Verdict:* partial \u00b7 *Points:* 15"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Key points found*\n:white_check_mark: hash\n*Key points missed*\n:x: constant",
            },
        },
        {
            "type": "actions",
            "block_id": "dailyq-grade",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Appeal", "emoji": True},
                    "action_id": f"dailyq:appeal:{rid}",
                    "value": rid,
                }
            ],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Round #{rid}"}]},
    ]

    appeal_button = mine["blocks"][5]["elements"][0]
    await slack.click(appeal_button["action_id"], appeal_button["value"], message_blocks=mine["blocks"])
    form = slack.fake.calls("views.open")[-1].args["view"]
    assert form["callback_id"] == APPEAL_CALLBACK
    assert json.loads(form["private_metadata"]) == {"round": int(rid), "channel": CHANNEL_ID}
    (reason_input,) = form["blocks"]
    assert reason_input["label"]["text"] == "Why should it be graded again?"
    assert (reason_input["element"]["max_length"], reason_input["element"]["min_length"]) == (500, 1)

    blank = view_submission(APPEAL_CALLBACK, answer_values("  "), private_metadata=form["private_metadata"])
    kept = (await slack.send(blank)).json()
    assert kept == {
        "response_action": "errors",
        "errors": {ANSWER_BLOCK: "Say why your answer deserves another grade: `appeal \u2039reason\u203a`."},
    }
    values = {ANSWER_BLOCK: {ANSWER_INPUT: {"type": "plain_text_input", "value": REASON}}}
    filed = (
        await slack.send(view_submission(APPEAL_CALLBACK, values, private_metadata=form["private_metadata"]))
    ).json()
    assert filed["response_action"] == "update"
    assert filed["view"]["blocks"] == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*Appeal filed*\n:white_check_mark: Appeal #1 filed for round #{rid} (now partial, "
                "15 points). An admin of this channel will decide; you will be told privately.",
            },
        }
    ]
    twice = await slack.command("appeal once more")
    assert "You already appealed this grade (appeal #1, open)." in json.dumps(twice)

    refused = await slack.command("daily accept 1 strong")
    assert refused["response_type"] == "ephemeral" and "Only admins" in json.dumps(refused)
    queue = await slack.command("daily appeals", user=ADMIN_ID, name=ADMIN_NAME)
    assert f"*#1* \u2014 {USER_NAME} \u00b7 round #{rid}" in json.dumps(queue, ensure_ascii=False)
    assert "daily accept &lt;appeal&gt; strong|partial|missed" in json.dumps(queue)

    before = len(slack.fake.calls("chat.postEphemeral"))
    decided = await slack.command("daily accept 1 strong fair point", user=ADMIN_ID, name=ADMIN_NAME)
    assert decided["blocks"] == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*Appeal decided*\n:white_check_mark: Appeal #1 accepted: {USER_NAME}'s answer "
                "is now strong (15 \u2192 20 points); leaderboards are updated. They were told privately.",
            },
        }
    ]
    (told,) = slack.fake.calls("chat.postEphemeral")[before:]
    assert (told.args["channel"], told.args["user"]) == (CHANNEL_ID, USER_ID)
    assert told.args["blocks"] == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*Your grade was changed*\n:white_check_mark: Your appeal was accepted "
                f"(round #{rid}, 2026-11-25: {question})\n"
                "Verdict: partial \u2192 strong; points: 15 \u2192 20. Leaderboards are updated.\n"
                "Note: fair point",
            },
        }
    ]
    board = await slack.command("leaderboard all")
    assert f"*{USER_NAME}* \u2190 you \u2014 20 pts \u00b7 1 answered \u00b7 1 strong" in json.dumps(
        board, ensure_ascii=False
    )
    stats = await slack.command("stats")
    assert "\u2022 2026-11-25 strong, 20 pts: " in json.dumps(stats, ensure_ascii=False)
    after = await click_for_response(slack, grade_button, reveal)
    assert after["text"] == "Your grade: strong, 20 points"
    assert not any(b["type"] == "actions" for b in after["blocks"])  # decided: no second appeal


async def test_regrade_and_crafted_ids_on_slack(slack: SlackBot) -> None:
    rid, reveal = await answered_and_revealed(slack)
    crafted = await click_for_response(slack, {"action_id": "dailyq:grade:424242", "value": "424242"}, reveal)
    assert "There is no round #424242 here." in json.dumps(crafted)
    stranger = await click_for_response(slack, buttons(reveal)[0], reveal, user="U0OTHER")
    assert f"You did not answer round #{rid}" in json.dumps(stranger)
    listed = await slack.command("daily answers", user=ADMIN_ID, name=ADMIN_NAME)
    assert f"*#1* \u2014 {USER_NAME} \u00b7 partial, 15 pts" in json.dumps(listed, ensure_ascii=False)
    bad = await slack.command("daily regrade 1 great", user=ADMIN_ID, name=ADMIN_NAME)
    assert "Give the new verdict, strong, partial or missed." in json.dumps(bad)
    done = await slack.command("daily regrade #1 missed off topic", user=ADMIN_ID, name=ADMIN_NAME)
    assert "Answer #1 of" in json.dumps(done) and "(15 \u2192 10 points)" in json.dumps(
        done, ensure_ascii=False
    )
    board = await slack.command("leaderboard week")
    assert "10 pts \u00b7 1 answered \u00b7 0 strong" in json.dumps(board, ensure_ascii=False)
