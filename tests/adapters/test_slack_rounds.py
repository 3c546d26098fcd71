"""Daily rounds on Slack: Block Kit posts, the answer modal, quiz buttons, the reveal, 429s, resends."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack_adapter.views import ANSWER_BLOCK, ANSWER_CALLBACK, ANSWER_INPUT
from bot.bank.model import Bank
from bot.store import seasons as season_store
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SECRET, SlackBot, running_slack_bot, slack_bank
from tests.fakes.slack_payloads import CHANNEL_ID, USER_ID, block_actions, post_signed, view_submission
from tests.support.clock import FakeClock


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    """The adapter on a fresh database, talking to a fresh fake Slack."""
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


async def schedule(slack: SlackBot, options: str = "") -> dict[str, Any]:
    """Schedule the test channel at 09:30 Berlin (08:30 UTC, half an hour after the fake clock's start)
    and let the rounds logic post; return the post."""
    await slack.command(f"daily set 09:30 Europe/Berlin reveal 4h {options}", user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(minutes=30))
    await slack.core.dispatcher.run_due()
    (post,) = slack.posts()
    return post


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of a message."""
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def answer_values(text: str) -> dict[str, dict[str, Any]]:
    """``state.values`` of the answer modal with ``text`` typed in."""
    return {ANSWER_BLOCK: {ANSWER_INPUT: {"type": "plain_text_input", "value": text}}}


async def open_answer_modal(slack: SlackBot, post: dict[str, Any], user: str = USER_ID) -> dict[str, Any]:
    """Click the post's Answer button; return the modal that was opened."""
    (answer,) = buttons(post)
    await slack.click(
        answer["action_id"], answer["value"], user=user, message_ts=post["ts"], message_blocks=post["blocks"]
    )
    return dict(slack.fake.calls("views.open")[-1].args["view"])


async def test_scheduled_post_is_block_kit_with_metadata_and_an_answer_button(slack: SlackBot) -> None:
    post = await schedule(slack)
    kinds = [b["type"] for b in post["blocks"]]
    assert kinds == ["header", "section", "context", "actions"]
    facts = json.dumps(post["blocks"][2])
    assert "Topic:" in facts and "Difficulty:" in facts and "<!date^" in facts
    (answer,) = buttons(post)
    assert answer["action_id"].startswith("dailyq:answer:")
    assert post["metadata"] == {
        "event_type": "dailyq_message",
        "event_payload": {"key": f"post-{answer['value']}"},
    }
    call = slack.fake.calls("chat.postMessage")[0]
    assert call.args["unfurl_links"] is False and call.args["text"].startswith("Daily question: ")


async def test_answer_button_opens_a_modal_and_the_submission_is_stored_before_the_ack(
    slack: SlackBot,
) -> None:
    post = await schedule(slack)
    modal = await open_answer_modal(slack, post)
    assert modal["callback_id"] == ANSWER_CALLBACK
    assert post["blocks"][1]["text"]["text"] in json.dumps(modal)  # the question is shown
    assert modal["blocks"][-1]["element"]["multiline"] is True
    submit = view_submission(
        ANSWER_CALLBACK,
        answer_values("It is an <!channel> autoregressive model"),
        private_metadata=modal["private_metadata"],
    )
    reply = await slack.send(submit)
    assert (reply.status, reply.text) == (200, "")  # the modal closes
    (stored,) = await slack.answers()  # stored by the time Slack got the ack
    assert stored.text == "It is an <!channel> autoregressive model"
    await slack.settle()
    (confirmation,) = slack.fake.calls("chat.postEphemeral")
    assert (confirmation.args["channel"], confirmation.args["user"]) == (CHANNEL_ID, USER_ID)
    assert "Answer received" in json.dumps(confirmation.args["blocks"])
    assert "&lt;!channel&gt;" in json.dumps(confirmation.args["blocks"])
    assert "<!channel>" not in json.dumps(confirmation.args)
    # changing the answer before the reveal replaces it
    again = view_submission(
        ANSWER_CALLBACK, answer_values("moving averages"), private_metadata=modal["private_metadata"]
    )
    assert (await slack.send(again)).status == 200
    assert [a.text for a in await slack.answers()] == ["moving averages"]


async def test_modal_shows_errors_in_place(slack: SlackBot) -> None:
    post = await schedule(slack)
    modal = await open_answer_modal(slack, post)
    blank = view_submission(ANSWER_CALLBACK, answer_values("   "), private_metadata=modal["private_metadata"])
    reply = (await slack.send(blank)).json()
    assert reply["response_action"] == "errors" and "needs some text" in reply["errors"][ANSWER_BLOCK]
    stale = view_submission(ANSWER_CALLBACK, answer_values("x"), private_metadata="not json")
    assert (await slack.send(stale)).json()["response_action"] == "errors"
    await slack.command("daily reveal", user=ADMIN_ID, name=ADMIN_NAME)
    late = view_submission(
        ANSWER_CALLBACK, answer_values("too late"), private_metadata=modal["private_metadata"]
    )
    closed = (await slack.send(late)).json()
    assert closed["response_action"] == "update" and "Answers are closed" in json.dumps(closed["view"])
    assert await slack.answers() == []
    # the fake notes every refused trigger as a violation; this one is the point of the test
    assert [v for v in slack.fake.violations if "trigger_id" not in v] == []
    slack.fake.violations.clear()


async def test_quiz_buttons_lock_one_pick_and_confirm_privately(slack: SlackBot) -> None:
    post = await schedule(slack, "mode quiz")
    options = buttons(post)
    assert [b["text"]["text"] for b in options] == ["A", "B", "C", "D"]
    assert len({b["action_id"] for b in options}) == 4
    assert "*A.*" in json.dumps(post["blocks"])
    hook = slack.fake.new_response_url(CHANNEL_ID)
    await slack.click(options[1]["action_id"], options[1]["value"], response_url=hook)
    (confirmation,) = slack.fake.calls_for_hook(hook.rsplit("/", 1)[1])
    assert confirmation.args["response_type"] == "ephemeral"
    assert confirmation.args["replace_original"] is False  # the public post stays as it is
    assert "Locked in B" in json.dumps(confirmation.args["blocks"])
    second = slack.fake.new_response_url(CHANNEL_ID)
    await slack.click(options[2]["action_id"], options[2]["value"], response_url=second)
    assert "Your pick is locked: you chose B" in json.dumps(
        slack.fake.calls_for_hook(second.rsplit("/", 1)[1])[0].args
    )
    assert [a.choice for a in await slack.answers()] == [1]


async def test_reveal_closes_the_post_and_replies_in_its_thread(slack: SlackBot) -> None:
    post = await schedule(slack)
    round_id = buttons(post)[0]["value"]
    modal = await open_answer_modal(slack, post)
    submit = view_submission(
        ANSWER_CALLBACK,
        answer_values("autoregression, differencing, moving average"),
        private_metadata=modal["private_metadata"],
        user_name="<!here>",
    )
    await slack.send(submit)
    slack.clock.advance(timedelta(hours=4))
    await slack.core.dispatcher.run_due()
    (update,) = slack.fake.calls("chat.update")
    assert update.args["ts"] == post["ts"]
    assert buttons(update.args) == [] and "Answers are closed" in json.dumps(update.args["blocks"])
    (reply,) = slack.replies()
    assert reply["thread_ts"] == post["ts"]
    assert reply["metadata"]["event_payload"] == {"key": f"reveal-{round_id}"}
    shown = json.dumps(reply["blocks"])
    assert "Answer revealed" in shown and "1 answered" in shown
    assert "<!here>" not in shown


async def test_rate_limited_post_waits_for_retry_after_and_arrives_once(slack: SlackBot) -> None:
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    await schedule(slack)
    first, second = slack.fake.calls("chat.postMessage")
    assert second.time - first.time >= 1.0
    assert len(slack.posts()) == 1


async def test_a_post_accepted_before_the_connection_dropped_is_adopted_not_doubled(slack: SlackBot) -> None:
    slack.fake.die_after_accept("chat.postMessage", mode="close")
    await slack.command("daily set 09:30 Europe/Berlin", user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(minutes=30))
    await slack.core.dispatcher.run_due()
    assert len(slack.posts()) == 1 and (await slack.round(1)).state == "claimed"
    slack.clock.advance(timedelta(minutes=1))  # past the retry back-off
    await slack.core.dispatcher.run_due()
    history = slack.fake.calls("conversations.history")
    assert history and history[0].args["include_all_metadata"] in (True, "true", "1")
    assert len(slack.fake.calls("chat.postMessage")) == 1
    adopted = await slack.round(1)
    assert (adopted.state, adopted.message_id) == ("open", slack.posts()[0]["ts"])


async def test_a_post_that_never_arrived_is_sent_on_retry(slack: SlackBot) -> None:
    slack.fake.fail_next("chat.postMessage", status=500)
    await slack.command("daily set 09:30 Europe/Berlin", user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(minutes=30))
    await slack.core.dispatcher.run_due()
    assert slack.posts() == []
    slack.clock.advance(timedelta(minutes=1))
    await slack.core.dispatcher.run_due()
    assert len(slack.posts()) == 1 and slack.fake.calls("conversations.history")


async def test_a_reveal_reply_accepted_before_the_drop_is_adopted(slack: SlackBot) -> None:
    await schedule(slack)
    slack.fake.die_after_accept("chat.postMessage", mode="close")
    slack.clock.advance(timedelta(hours=4))
    await slack.core.dispatcher.run_due()
    assert len(slack.replies()) == 1 and (await slack.round(1)).state == "revealing"
    slack.clock.advance(timedelta(minutes=1))
    await slack.core.dispatcher.run_due()
    assert slack.fake.calls("conversations.replies")
    assert len(slack.replies()) == 1 and (await slack.round(1)).state == "revealed"


async def test_a_channel_the_bot_lost_is_paused_with_the_reason(slack: SlackBot) -> None:
    slack.fake.set_response("chat.postMessage", {"ok": False, "error": "is_archived"})
    await slack.command("daily set 09:30 Europe/Berlin", user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(minutes=30))
    await slack.core.dispatcher.run_due()
    channel = await slack.channel()
    assert channel.paused and "is_archived" in channel.last_error


async def test_200_concurrent_clicks_are_acknowledged_within_3s_and_stored_once(slack: SlackBot) -> None:
    post = await schedule(slack, "mode quiz")
    options = buttons(post)
    users = [f"U{n:04d}" for n in range(200)]
    hooks = [slack.fake.new_response_url(CHANNEL_ID) for _ in users]

    async def click(session: aiohttp.ClientSession, n: int, user: str) -> float:
        choice = options[n % 4]
        request = block_actions(
            choice["action_id"],
            choice["value"],
            user_id=user,
            user_name=f"player{n}",
            response_url=hooks[n],
            message_ts=post["ts"],
        )
        started = time.monotonic()
        reply = await post_signed(slack.url, request, secret=SECRET, session=session)
        assert reply.status == 200
        return time.monotonic() - started

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        waits = await asyncio.gather(*(click(session, n, user) for n, user in enumerate(users)))
    assert max(waits) < 3.0, f"slowest ack took {max(waits):.2f}s"
    await slack.settle()
    stored = await slack.answers()
    assert len(stored) == 200 and len({a.user_pk for a in stored}) == 200
    confirmations = [c for hook in hooks for c in slack.fake.calls_for_hook(hook.rsplit("/", 1)[1])]
    assert len(confirmations) == 200
    assert all("Locked in" in json.dumps(c.args["blocks"]) for c in confirmations)


async def test_the_same_user_clicking_five_times_at_once_is_stored_once(slack: SlackBot) -> None:
    post = await schedule(slack, "mode quiz")
    options = buttons(post)
    requests = [
        block_actions(
            options[n % 4]["action_id"],
            options[n % 4]["value"],
            message_ts=post["ts"],
            response_url=slack.fake.new_response_url(CHANNEL_ID),
        )
        for n in range(5)
    ]
    replies = await asyncio.gather(*(slack.send(r) for r in requests))
    assert [r.status for r in replies] == [200] * 5
    await slack.settle()
    assert len(await slack.answers()) == 1
    texts = [json.dumps(c.args["blocks"]) for c in slack.fake.calls("response_url")]
    assert sum("Locked in" in t for t in texts) == 1 and sum("is locked" in t for t in texts) == 4


async def test_an_answer_click_whose_trigger_expired_asks_to_press_again(
    slack: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    post = await schedule(slack)
    (answer,) = buttons(post)
    hook = slack.fake.new_response_url(CHANNEL_ID)
    stale_trigger = f"{time.time() - 10:.3f}.abcdef012345"  # issued 10 s ago: Slack refuses it
    await slack.click(
        answer["action_id"],
        answer["value"],
        message_ts=post["ts"],
        response_url=hook,
        trigger_id=stale_trigger,
    )
    (told,) = slack.fake.calls_for_hook(hook.rsplit("/", 1)[1])
    assert "Press the button again" in json.dumps(told.args["blocks"])
    assert told.args["response_type"] == "ephemeral"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert await slack.answers() == []
    # the fake notes every refused trigger as a violation; this one is the point of the test
    assert [v for v in slack.fake.violations if "trigger_id" not in v] == []
    slack.fake.violations.clear()


async def test_reveal_quotes_the_best_answers_escaped_and_skips_opt_outs(slack: SlackBot) -> None:
    post = await schedule(slack)
    words = "autoregression, differencing, moving average <!here> <@U999> & *bold*"
    await slack.command(f"answer {words}", user="U0ANN", name="Ann")
    await slack.command(f"answer {words}", user="U0ZED", name="Zed")
    await slack.command("privacy quote off", user="U0ZED", name="Zed")
    slack.clock.advance(timedelta(hours=4))
    await slack.core.dispatcher.run_due()
    (reply,) = slack.replies()
    assert reply["thread_ts"] == post["ts"]
    escaped = "autoregression, differencing, moving average &lt;!here&gt; &lt;@U999&gt; &amp; *bold*"
    quoted = [b for b in reply["blocks"] if b["type"] == "section" and "In their words" in b["text"]["text"]]
    assert quoted == [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*In their words*\n> *Ann:* {escaped}"}}
    ]
    assert "<!here>" not in json.dumps(reply)


async def test_a_champion_post_accepted_before_the_drop_is_adopted_not_doubled(slack: SlackBot) -> None:
    await schedule(slack)  # Europe/Berlin: November ends at 23:00 UTC on the 30th
    await slack.command("answer autoregression, differencing, moving average", user="U0ANN", name="Ann")
    end = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    while slack.clock.now() < end - timedelta(minutes=30):
        slack.clock.advance(timedelta(minutes=30))
        await slack.core.dispatcher.run_due()
    assert not [m for m in slack.fake.messages(CHANNEL_ID) if "Season champions" in json.dumps(m)]
    slack.fake.die_after_accept("chat.postMessage", mode="close")
    slack.clock.advance(timedelta(minutes=30))
    await slack.core.dispatcher.run_due()  # accepted by Slack, the bot never heard back
    slack.clock.advance(timedelta(minutes=1))  # past the retry back-off
    await slack.core.dispatcher.run_due()
    champions = [
        m
        for m in slack.fake.messages(CHANNEL_ID)
        if (m.get("metadata") or {}).get("event_payload", {}).get("key", "").startswith("season-")
    ]
    assert len(champions) == 1
    assert champions[0]["metadata"]["event_payload"] == {"key": "season-1-2026-11"}
    assert "Season champions: November 2026" in json.dumps(champions[0]["blocks"])
    assert slack.fake.calls("conversations.history")  # looked for it before sending again
    async with slack.core.engine.connect() as conn:
        [row] = await season_store.posts_of(conn)
    assert (row.state, row.attempts, row.message_id) == ("sent", 2, champions[0]["ts"])


async def test_the_champion_post_mentions_the_champions_and_nothing_else(slack: SlackBot) -> None:
    await schedule(slack)  # Europe/Berlin: November ends at 23:00 UTC on the 30th
    words = "autoregression, differencing, moving average"
    await slack.command(f"answer {words}", user="U0ANN", name="Ann <!channel>")
    await slack.command(f"answer {words}", user="U0BOB", name="Bob")
    await slack.command("answer no idea", user="U0CY", name="Cy <@U0ANN>")
    end = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    while slack.clock.now() < end:
        slack.clock.advance(timedelta(minutes=30))
        await slack.core.dispatcher.run_due()
    [call] = [c for c in slack.fake.calls("chat.postMessage") if "Season champions" in json.dumps(c.args)]
    # the champions are mentioned (notified) in the text and one line; names elsewhere stay inert
    assert call.args["text"] == "Season champions: November 2026: <@U0ANN>, <@U0BOB>"
    assert call.args["blocks"] == [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": "Season champions: November 2026", "emoji": True},
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*1* \u2014 Ann &lt;!channel&gt; \u00b7 15 \u00b7 1 \u00b7 0\n"
                "*1* \u2014 Bob \u00b7 15 \u00b7 1 \u00b7 0\n"
                "*3* \u2014 Cy &lt;@U0ANN&gt; \u00b7 10 \u00b7 1 \u00b7 0",
            },
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": ":trophy: Congratulations <@U0ANN>, <@U0BOB>!"},
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Champions: Ann &lt;!channel&gt;, Bob. "
                    "This workspace: 3 players, 3 answers, 0 strong. "
                    "A new season has begun: `leaderboard season`; "
                    "this one stays readable as `leaderboard season 2026-11`.",
                }
            ],
        },
    ]
    assert call.args["metadata"] == {
        "event_type": "dailyq_message",
        "event_payload": {"key": "season-1-2026-11"},
    }
    assert "<!channel>" not in json.dumps(call.args)
