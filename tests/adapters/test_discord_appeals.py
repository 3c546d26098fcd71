"""My grade, appeals and regrades on Discord: the real discord.py bot against the fake Discord.

The reveal carries a persistent "My grade" button; its reply is ephemeral with an "Appeal"
button that opens a modal; admins decide with /daily subcommands and the player gets a DM.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.adapters.test_discord_daily import EPHEMERAL, post_today, round_of, text_of
from tests.fakes.discord_payloads import JSON
from tests.support.discord_harness import DiscordHarness, assert_message_limits, checked_bot, custom_ids

ANSWER = "Bagging lowers the variance of the predictions"
REASON = "averaging is what bagging does, I implied it"


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    async with checked_bot(tmp_path, caplog) as harness:
        yield harness


async def answered_and_revealed(h: DiscordHarness) -> tuple[JSON, JSON]:
    """The member answers through the button and form; the round is revealed. (post, reveal)"""
    post = await post_today(h)
    modal = await h.respond(h.fake.component_click(custom_ids(post)[0], message=post, user="member"))
    submit = h.fake.modal_submit(modal["data"]["custom_id"], {"text": ANSWER}, labels=True, user="member")
    assert (await h.respond(submit))["data"]["embeds"][0]["title"] == "Answer received"
    h.clock.advance(timedelta(hours=4))
    await h.app.dispatcher.run_due()
    [reveal] = h.fake.channel_messages(post["id"])  # the thread started from the post
    return post, copy.deepcopy(reveal)


def button(label: str, custom_id: str) -> JSON:
    """A secondary button as Discord stores it."""
    return {"type": 2, "style": 2, "disabled": False, "label": label, "custom_id": custom_id}


def question_of(h: DiscordHarness, post: JSON) -> str:
    return str(post["embeds"][0]["description"])


async def test_my_grade_button_appeal_form_accept_and_dm(h: DiscordHarness) -> None:
    post, reveal = await answered_and_revealed(h)
    rid = round_of(post)
    assert reveal["components"] == [
        {
            "type": 1,
            "components": [
                button("My grade", f"dailyq:grade:{rid}"),
            ],
        }
    ]

    click = h.fake.component_click(f"dailyq:grade:{rid}", message=reveal, user="member")
    mine = await h.respond(click)
    assert mine["type"] == 4 and mine["data"]["flags"] == EPHEMERAL
    assert mine["data"]["embeds"] == [
        {
            "type": "rich",
            "flags": 0,
            "title": "Your grade",
            "description": f"**Question:** {question_of(h, post)}",
            "color": 0xF1C40F,
            "fields": [
                {"name": "Your answer", "value": ANSWER, "inline": False},
                {"name": "Verdict", "value": "partial", "inline": True},
                {"name": "Points", "value": "15", "inline": True},
                {"name": "Key points found", "value": "• variance", "inline": False},
                {"name": "Key points missed", "value": "• average", "inline": False},
            ],
            "footer": {"text": f"Round #{rid} · you can appeal within a day of the reveal"},
        }
    ]
    assert mine["data"]["components"] == [
        {
            "type": 1,
            "components": [button("Appeal", f"dailyq:appeal:{rid}")],
        }
    ]
    assert_message_limits(mine["data"])

    ephemeral = h.response_message(click)
    form = await h.respond(h.fake.component_click(f"dailyq:appeal:{rid}", message=ephemeral, user="member"))
    assert form["type"] == 9
    assert form["data"]["custom_id"] == f"dailyq:form:appeal:{rid}"
    assert form["data"]["title"] == "Appeal your grade"
    [label] = form["data"]["components"]
    assert label["label"] == "Why should it be graded again?"
    assert (label["component"]["max_length"], label["component"]["min_length"]) == (500, 1)

    submit = h.fake.modal_submit(form["data"]["custom_id"], {"text": REASON}, labels=True, user="member")
    filed = await h.respond(submit)
    assert filed["data"]["flags"] == EPHEMERAL
    assert filed["data"]["embeds"][0]["title"] == "Appeal filed"
    assert filed["data"]["embeds"][0]["description"] == (
        f"Appeal #1 filed for round #{rid} (now partial, 15 points). An admin of this channel will "
        "decide; you will be told privately."
    )
    again = await h.slash("appeal", {"reason": "once more"}, user="member")
    assert "You already appealed this grade (appeal #1, open)." in text_of(again["data"])

    refused = await h.slash("daily appeals", user="member")
    assert refused["data"]["flags"] == EPHEMERAL and "Only admins" in text_of(refused["data"])
    queue = await h.slash("daily appeals")
    queue_embed = queue["data"]["embeds"][0]
    assert queue_embed["title"] == "Open appeals"
    line = f"**#1** — Member · round #{rid} (2026-11-25) · answer #1 · "
    assert queue_embed["description"].startswith(line)
    assert f"reason: {REASON}" in queue_embed["description"]

    accepted = await h.slash("daily accept", {"appeal": 1, "verdict": "strong", "note": "fair point"})
    assert accepted["data"]["flags"] == EPHEMERAL
    assert text_of(accepted["data"]) == (
        "Appeal #1 accepted: Member's answer is now strong (15 → 20 points); leaderboards are updated. "
        "They were told privately."
    )
    member_id = h.fake.guild.user("member")["id"]
    [dm] = h.fake.direct_messages(member_id)
    [opened] = h.fake.requests_to("POST", r"/users/@me/channels")
    assert opened.json == {"recipient_id": int(member_id)}
    assert dm["embeds"] == [
        {
            "type": "rich",
            "flags": 0,
            "title": "Your grade was changed",
            "description": (
                f"Your appeal was accepted (round #{rid}, 2026-11-25: {question_of(h, post)})\n"
                "Verdict: partial → strong; points: 15 → 20. Leaderboards are updated.\nNote: fair point"
            ),
            "color": 0x2ECC71,
        }
    ]
    board = await h.slash("leaderboard", {"window": "all"}, user="member")
    assert "**Member** — 20 pts · 1 answered · 1 strong" in text_of(board["data"])
    after = await h.respond(h.fake.component_click(f"dailyq:grade:{rid}", message=reveal, user="member"))
    fields = {f["name"]: f["value"] for f in after["data"]["embeds"][0]["fields"]}
    assert (fields["Verdict"], fields["Points"]) == ("strong", "20")
    assert fields["Status"] == "Changed on appeal from partial to strong. Note: fair point"
    assert after["data"].get("components", []) == []  # decided: no second appeal


async def test_regrade_by_answer_number_and_a_member_who_refuses_dms(h: DiscordHarness) -> None:
    await answered_and_revealed(h)
    listed = await h.slash("daily answers")
    assert listed["data"]["embeds"][0]["description"].startswith(
        f"**#1** — Member · partial, 15 pts · “{ANSWER}”"
    )
    h.fake.dm_blocked.add(h.fake.guild.user("member")["id"])
    done = await h.slash("daily regrade", {"answer": 1, "verdict": "missed", "note": "off topic"})
    assert text_of(done["data"]) == (
        "Answer #1 of Member is now missed (15 → 10 points); leaderboards are updated. "
        "They could not be told (see the log)."
    )
    board = await h.slash("leaderboard", {"window": "week"}, user="member")
    assert "**Member** — 10 pts · 1 answered · 0 strong" in text_of(board["data"])
    refused = await h.slash("daily regrade", {"answer": 1, "verdict": "strong"}, user="member")
    assert "Only admins" in text_of(refused["data"])


async def test_crafted_buttons_and_ids_are_refused(h: DiscordHarness) -> None:
    post = await post_today(h)
    rid = round_of(post)
    early = await h.respond(h.fake.component_click(f"dailyq:grade:{rid}", user="member"))
    assert "not revealed yet" in text_of(early["data"]) and early["data"]["flags"] == EPHEMERAL
    crafted = await h.respond(h.fake.component_click("dailyq:grade:999999", user="member"))
    assert "There is no round #999999 here." in text_of(crafted["data"])
    stale = await h.respond(h.fake.component_click("dailyq:grade:abc", user="member"))
    assert "That button no longer works" in text_of(stale["data"])
    unknown = await h.slash("daily accept", {"appeal": 424242, "verdict": "strong"})
    assert "There is no appeal #424242 in this workspace." in text_of(unknown["data"])
    h.clock.advance(timedelta(hours=4))
    await h.app.dispatcher.run_due()
    nobody = await h.slash("grade", user="member")
    assert f"You did not answer round #{rid}" in text_of(nobody["data"])


async def test_grade_and_appeal_typed_in_the_reveal_thread_mean_that_round(h: DiscordHarness) -> None:
    post, reveal = await answered_and_revealed(h)
    thread = reveal["channel_id"]
    assert thread == post["id"]  # the reveal's thread was started from the post
    payload = h.fake.slash_command("grade", user="member", channel_id=thread)
    mine = await h.respond(payload)
    assert mine["data"]["flags"] == EPHEMERAL
    assert {f["name"]: f["value"] for f in mine["data"]["embeds"][0]["fields"]}["Verdict"] == "partial"
    payload = h.fake.slash_command("appeal", {"reason": REASON}, user="member", channel_id=thread)
    filed = await h.respond(payload)
    assert filed["data"]["embeds"][0]["title"] == "Appeal filed"
