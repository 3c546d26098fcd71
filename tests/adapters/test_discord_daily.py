"""Daily rounds on Discord end to end: /daily set, the post, answers, the reveal, pacing, failures.

A real discord.py client against the fake Discord; the rounds logic is driven with a fake clock
and ``app.dispatcher.run_due()`` instead of waiting for the timer.
"""

from __future__ import annotations

import copy
import time as monotonic
from collections.abc import AsyncIterator
from datetime import time, timedelta
from pathlib import Path

import pytest

from adapters.discord_adapter.permissions import invite_permissions
from adapters.pacing import Pacer
from bot.bank.model import Bank, Question, QuizForm, WrongOption
from bot.cards import Notice, QuestionCard, TableCard
from bot.commands import ConfigureDaily, DailyAction, ManageDaily
from bot.ports import ChannelRef
from tests.fakes.discord_payloads import JSON, text_channel_payload
from tests.fakes.fake_discord import FakeDiscord
from tests.support.clock import FakeClock
from tests.support.discord_harness import (
    MESSAGES,
    DiscordHarness,
    assert_message_limits,
    checked_bot,
    custom_ids,
    running_bot,
)

EPHEMERAL = 64


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    async with checked_bot(tmp_path, caplog) as harness:
        yield harness


async def schedule(h: DiscordHarness, mode: str = "open", channel_id: str | None = None) -> None:
    """Schedule 09:00 UTC daily, reveal after 4 h (the fake clock starts at 08:00 UTC)."""
    command = ConfigureDaily(time(9, 0), reveal_after=timedelta(hours=4), mode=mode)
    reply = await h.app.service.handle(h.ctx("admin", channel_id), command)
    assert isinstance(reply.cards[0], TableCard), reply


async def post_today(h: DiscordHarness, mode: str = "open") -> JSON:
    await schedule(h, mode)
    h.clock.advance(timedelta(hours=1))
    await h.app.dispatcher.run_due()
    [post] = h.posts()
    return copy.deepcopy(post)  # as it was posted (the fake's copy changes with later edits)


def round_of(post: JSON) -> str:
    return str(custom_ids(post)[0].split(":")[2])


async def status(h: DiscordHarness) -> dict[str, str]:
    reply = await h.app.service.handle(h.ctx("admin"), ManageDaily(DailyAction.STATUS))
    card = reply.cards[0]
    if isinstance(card, Notice):
        return {"notice": card.text}
    assert isinstance(card, TableCard)
    return {row[0]: row[1] for row in card.rows}


def text_of(data: JSON) -> str:
    return " ".join(str(e.get("description", "")) for e in data.get("embeds") or [])


# -- /daily set ---------------------------------------------------------------------------------


async def test_admin_schedules_with_daily_set(h: DiscordHarness) -> None:
    options = {"time": "09:30", "timezone": "Europe/Berlin", "reveal": "2h", "days": "weekdays",
               "mode": "quiz", "topics": "Ensemble", "difficulty": "any"}  # fmt: skip
    response = await h.slash("daily set", options)
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    table = response["data"]["embeds"][0]
    assert table["title"] == "Daily question scheduled"
    for shown in ("09:30 Europe/Berlin", "weekdays", "after 2h", "quiz", "Ensemble Methods"):
        assert shown in table["description"]
    assert (await status(h))["state"] == "active"


async def test_daily_set_options_left_out_keep_their_values(h: DiscordHarness) -> None:
    first = {"time": "09:30", "timezone": "Europe/Berlin", "reveal": "2h", "mode": "quiz", "topics": "dl"}
    await h.slash("daily set", first)
    again = (await h.slash("daily set", {"time": "10:15"}))["data"]["embeds"][0]["description"]
    for kept in ("10:15 Europe/Berlin", "after 2h", "quiz", "Deep Learning"):
        assert kept in again
    lifted = await h.slash("daily set", {"time": "10:15", "topics": "all", "difficulty": "any"})
    assert "**topics** — all" in lifted["data"]["embeds"][0]["description"]
    too_long = await h.slash("daily set", {"time": "10:15", "reveal": "100h"})
    assert "use a reveal shorter than 23h" in text_of(too_long["data"])
    zero = await h.slash("daily set", {"time": "10:15", "reveal": "0m"})
    assert "a duration from 1m to 7d is accepted" in text_of(zero["data"])
    assert "after 2h" in str(await status(h))  # neither refusal changed the schedule


async def test_members_cannot_run_daily_set(h: DiscordHarness) -> None:
    response = await h.slash("daily set", {"time": "09:00"}, user="member")
    assert response["data"]["flags"] == EPHEMERAL
    assert "Only admins" in text_of(response["data"])
    assert "no daily question" in (await status(h))["notice"]


async def test_daily_set_says_what_is_accepted(h: DiscordHarness) -> None:
    response = await h.slash("daily set", {"time": "25:00"})
    assert "24-hour HH:MM" in text_of(response["data"]) and response["data"]["flags"] == EPHEMERAL
    unknown = await h.slash("daily set", {"time": "09:00", "topics": "Astrology"})
    assert "Unknown topic 'Astrology'" in text_of(unknown["data"])
    assert "no daily question" in (await status(h))["notice"]


async def test_daily_set_names_a_missing_channel_permission(h: DiscordHarness) -> None:
    no_embeds = invite_permissions()
    no_embeds.embed_links = False
    payload = h.fake.slash_command("daily set", {"time": "09:00"}, user="admin", channel_id=h.channel_id)
    payload["app_permissions"] = str(no_embeds.value)
    response = await h.respond(payload)
    assert "missing Embed Links" in text_of(response["data"])
    assert "no daily question" in (await status(h))["notice"]

    no_threads = invite_permissions()
    no_threads.create_public_threads = False
    payload = h.fake.slash_command("daily set", {"time": "09:00"}, user="admin", channel_id=h.channel_id)
    payload["app_permissions"] = str(no_threads.value)
    response = await h.respond(payload)
    titles = [e.get("title") for e in response["data"]["embeds"]]
    assert titles == ["Daily question scheduled", "Heads-up"]
    assert "Create Public Threads" in response["data"]["embeds"][1]["description"]


# -- the post -----------------------------------------------------------------------------------


async def test_daily_post_has_embed_persistent_button_and_round_nonce(h: DiscordHarness) -> None:
    post = await post_today(h)
    [sent] = h.fake.requests_to("POST", rf"/channels/{h.channel_id}/messages")
    round_id = round_of(post)
    assert sent.json["nonce"] == f"post-{round_id}" and sent.json["enforce_nonce"] is True
    assert sent.json["allowed_mentions"] == {"parse": []}
    embed = sent.json["embeds"][0]
    assert embed["title"] == "Question of the day"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    reveal_at = int((h.clock.now() + timedelta(hours=4)).timestamp())
    assert fields["Reveal"] == f"<t:{reveal_at}:f> (<t:{reveal_at}:R>)"
    assert custom_ids(sent.json) == [f"dailyq:answer:{round_id}"]
    assert_message_limits(sent.json)


async def test_answer_button_opens_a_form_and_the_answer_is_stored(h: DiscordHarness) -> None:
    post = await post_today(h)
    click = h.fake.component_click(custom_ids(post)[0], message=post, user="member")
    modal = await h.respond(click)
    assert modal["type"] == 9 and modal["data"]["custom_id"] == f"dailyq:form:answer:{round_of(post)}"
    submit = h.fake.modal_submit(
        modal["data"]["custom_id"],
        {"text": "less variance by taking the average"},
        labels=True,
        user="member",
    )
    saved = await h.respond(submit)
    assert saved["type"] == 4 and saved["data"]["flags"] == EPHEMERAL
    assert saved["data"]["embeds"][0]["title"] == "Answer received"
    again = await h.slash("answer", {"text": "spread"}, user="admin")  # /answer text: the open round
    assert again["data"]["embeds"][0]["title"] == "Answer received"

    h.clock.advance(timedelta(hours=4))
    await h.app.dispatcher.run_due()
    [edit] = h.fake.requests_to("PATCH", rf"/channels/{h.channel_id}/messages/{post['id']}")
    assert edit.json["components"] == []  # answering closed
    assert {f["name"]: f["value"] for f in edit.json["embeds"][0]["fields"]}["Answers"] == "Closed"
    [thread] = h.fake.requests_to("POST", rf"/channels/{h.channel_id}/messages/{post['id']}/threads")
    assert thread.json["name"].startswith("Answer: What does")
    [reveal] = h.fake.requests_to("POST", rf"/channels/{post['id']}/messages")  # the thread has the post's id
    assert reveal.json["nonce"] == f"reveal-{round_of(post)}"
    embed = reveal.json["embeds"][0]
    results = {f["name"]: f["value"] for f in embed["fields"]}
    assert embed["title"] == "Answer revealed" and results["Results"].startswith("2 answered")
    assert "Member" in results["Best answers"]
    assert_message_limits(reveal.json)


async def test_quiz_buttons_take_one_locked_pick(h: DiscordHarness) -> None:
    post = await post_today(h, mode="quiz")
    ids = custom_ids(post)
    assert ids == [f"dailyq:choose:{round_of(post)}:{i}" for i in range(4)]
    assert "**A.**" in post["embeds"][0]["description"]
    first = await h.respond(h.fake.component_click(ids[1], message=post, user="member"))
    assert first["type"] == 4 and first["data"]["flags"] == EPHEMERAL
    assert first["data"]["embeds"][0]["title"] == "Pick received"
    second = await h.respond(h.fake.component_click(ids[2], message=post, user="member"))
    assert "locked: you chose B" in text_of(second["data"])
    assert h.fake.messages[post["id"]]["components"] == post["components"]  # the post is untouched

    h.clock.advance(timedelta(hours=4))
    await h.app.dispatcher.run_due()
    [reveal] = h.fake.requests_to("POST", rf"/channels/{post['id']}/messages")
    results = {f["name"]: f["value"] for f in reveal.json["embeds"][0]["fields"]}["Results"]
    assert "1 answered" in results and results.count("✅") == 1


async def test_reveal_replies_to_the_post_when_threads_are_not_allowed(h: DiscordHarness) -> None:
    post = await post_today(h)
    h.fake.error_next("POST", rf"/channels/{h.channel_id}/messages/\d+/threads", 403)
    h.clock.advance(timedelta(hours=4))
    await h.app.dispatcher.run_due()
    reveal = h.posts()[-1]
    assert str(reveal["message_reference"]["message_id"]) == post["id"]
    assert reveal["nonce"] == f"reveal-{round_of(post)}" and reveal["embeds"][0]["title"] == "Answer revealed"
    assert "open round" not in await status(h)


async def test_a_post_made_before_a_restart_keeps_working(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    async with FakeDiscord() as fake:
        async with running_bot(fake, tmp_path, clock=clock) as first:
            post = await post_today(first)
        async with running_bot(fake, tmp_path, clock=clock) as second:  # a new process, same database
            assert second.bot._connection._get_message(int(post["id"])) is None
            click = fake.component_click(custom_ids(post)[0], message=post, user="member")
            modal = await second.respond(click)
            assert modal["type"] == 9
            submit = fake.modal_submit(modal["data"]["custom_id"], {"text": "variance"}, user="member")
            assert (await second.respond(submit))["data"]["embeds"][0]["title"] == "Answer received"
        assert fake.unhandled == []
    assert not [r for r in caplog.records if r.levelno >= 40]


async def test_daily_now_defers_then_posts(h: DiscordHarness) -> None:
    await schedule(h)
    payload = h.fake.slash_command("daily now", user="admin", channel_id=h.channel_id)
    response = await h.respond(payload)
    assert response["type"] == 5 and response["data"]["flags"] == EPHEMERAL  # thinking, privately
    final = await h.final(payload, response)
    assert "Posted today's question" in text_of(final)
    assert len(h.posts()) == 1


# -- pacing and failures ------------------------------------------------------------------------


async def test_a_429_is_honoured_and_the_post_arrives_once(h: DiscordHarness) -> None:
    h.fake.rate_limit_next("POST", MESSAGES, retry_after=0.3)
    started = monotonic.monotonic()
    post = await post_today(h)
    assert monotonic.monotonic() - started >= 0.3
    assert [r.status for r in h.fake.requests_to("POST", MESSAGES)] == [429, 200]
    assert [m["id"] for m in h.posts()] == [post["id"]]
    assert (await status(h))["state"] == "active"


async def test_a_resend_with_the_same_key_returns_the_first_message(h: DiscordHarness) -> None:
    channel = ChannelRef("discord", h.fake.guild.id, h.channel_id)
    card = QuestionCard("q", "t", "easy", "text?", round_id=99)
    first = await h.app.messenger.post(channel, card, key="post-99")
    again = await h.app.messenger.post(channel, card, key="post-99", resend=True)
    assert first == again and len(h.posts()) == 1
    reply = await h.app.messenger.reply(first, card, key="reveal-99")
    retry = await h.app.messenger.reply(first, card, key="reveal-99", resend=True)
    assert reply == retry and reply.thread_id == first.message_id
    assert len(h.fake.channel_messages(first.message_id)) == 1


@pytest.mark.parametrize("status_code", [403, 404])
async def test_a_channel_the_bot_cannot_post_in_is_paused_not_retried(
    h: DiscordHarness, status_code: int
) -> None:
    await schedule(h)
    h.fake.error_next("POST", MESSAGES, status_code)
    h.clock.advance(timedelta(hours=1))
    await h.app.dispatcher.run_due()
    h.clock.advance(timedelta(hours=1))
    await h.app.dispatcher.run_due()
    assert len(h.fake.requests_to("POST", MESSAGES)) == 1 and h.posts() == []  # no second 4xx
    shown = await status(h)
    assert shown["state"] == "paused" and f"Discord {status_code}" in shown["last error"]
    resumed = await h.slash("daily resume")  # the admin fixed the permissions
    assert "resumed" in text_of(resumed["data"])
    h.clock.advance(timedelta(hours=1))
    await h.app.dispatcher.run_due()
    assert len(h.posts()) == 1


async def test_fan_out_stays_under_the_global_rate_limit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    channels = 24
    fake_options = {"global_rate_limit": 25, "global_rate_window": 1.0}
    pacer = Pacer(rate=20, burst=2)  # at most 22 requests in any second
    async with checked_bot(tmp_path, caplog, fake_options=fake_options, pacer=pacer) as h:
        guild = h.fake.guild
        ids = []
        for n in range(channels):
            channel = text_channel_payload(h.fake.ids.next(), guild.id, f"team-{n}", 10 + n)
            guild.channels.append(channel)
            ids.append(channel["id"])
            await schedule(h, channel_id=channel["id"])
        h.clock.advance(timedelta(hours=1))
        await h.app.dispatcher.run_due()
        sent = h.fake.requests_to("POST", MESSAGES)
        assert h.fake.global_rate_limited_count == 0
        assert sorted(r.path.split("/")[2] for r in sent) == sorted(ids)
        times = [r.time for r in sent]
        assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 22


async def test_longest_questions_stay_within_discord_limits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    longest = Question(
        id="q-" + "x" * 78, topic="T" * 80, difficulty="hard", question="Q" * 1000, answer="A" * 1500,
        explanation="E" * 2000, key_points=tuple(("k" * 200,) for _ in range(5)),
        quiz=QuizForm(correct="C" * 160, wrong=tuple(WrongOption(text=c * 160, why=c * 300) for c in "def")),
        follow_up="F" * 500,
    )  # fmt: skip
    async with checked_bot(tmp_path, caplog, bank=Bank((longest,))) as h:
        post = await post_today(h, mode="quiz")
        await h.respond(h.fake.component_click(custom_ids(post)[0], message=post, user="member"))
        practice = await h.slash("question", user="member")
        h.clock.advance(timedelta(hours=4))
        await h.app.dispatcher.run_due()
        bodies = [
            r.json for r in h.fake.requests if r.method in ("POST", "PATCH") and r.json and "embeds" in r.json
        ]
        assert len(bodies) >= 3 and all(r.status < 400 for r in h.fake.requests)
        for body in [*bodies, practice["data"]]:
            assert_message_limits(body)


async def test_reveal_quotes_the_best_answers_with_mentions_and_markdown_neutralised(
    h: DiscordHarness,
) -> None:
    post = await post_today(h)
    ping = " @everyone <@123456789012345678> **bold**"
    for user in ("member", "admin"):
        answer = await h.slash("answer", {"text": "less variance by averaging" + ping}, user=user)
        assert answer["data"]["embeds"][0]["title"] == "Answer received"
    off = await h.slash("privacy", {"quote": "off"}, user="admin")
    assert off["data"]["flags"] == EPHEMERAL and "will not be quoted" in text_of(off["data"])
    h.clock.advance(timedelta(hours=4))
    await h.app.dispatcher.run_due()
    [reveal] = h.fake.requests_to("POST", rf"/channels/{post['id']}/messages")
    assert reveal.json["allowed_mentions"] == {"parse": []}
    fields = {f["name"]: f["value"] for f in reveal.json["embeds"][0]["fields"]}
    words = "less variance by averaging @\u200beveryone <@\u200b123456789012345678> \\*\\*bold\\*\\*"
    assert fields["In their words"] == f"**Member:** \u201c{words}\u201d"  # the admin opted out
    assert_message_limits(reveal.json)


async def test_season_board_and_the_season_command_on_discord(h: DiscordHarness) -> None:
    board = await h.slash("leaderboard", {"window": "season"}, user="member")
    assert board["data"]["flags"] == EPHEMERAL
    assert board["data"]["embeds"][0]["title"].startswith("Leaderboard: this server, season ")
    refused = await h.slash("season", {"length": "quarter"}, user="member")
    assert "Only admins" in text_of(refused["data"])
    done = await h.slash("season", {"length": "off"}, user="admin")
    assert "Seasons are off" in text_of(done["data"])
    off = await h.slash("leaderboard", {"window": "season"}, user="member")
    assert "Seasons are off in this server" in text_of(off["data"])
    bad = await h.slash("leaderboard", {"season": "autumn"}, user="member")
    assert "a month like 2026-11 or a quarter like 2026-Q4" in text_of(bad["data"])


async def test_teams_on_discord_from_mentions(h: DiscordHarness) -> None:
    member_id = h.fake.guild.members["member"]["user"]["id"]
    made = await h.slash(
        "team", {"action": "add", "name": "data", "members": f"<@{member_id}>"}, user="admin"
    )
    assert "Team data: added" in text_of(made["data"])
    refused = await h.slash("team", {"action": "remove", "name": "data"}, user="member")
    assert "Only admins" in text_of(refused["data"])
    board = await h.slash("leaderboard", {"window": "all", "scope": "teams"}, user="member")
    assert board["data"]["embeds"][0]["title"] == "Teams: all time"
    listed = await h.slash("team", {"action": "list"}, user="member")
    assert listed["data"]["embeds"][0]["title"] == "Teams"


async def test_the_champion_post_at_the_season_end_is_one_nonced_message(h: DiscordHarness) -> None:
    post = await post_today(h)  # 25 November, 09:00 UTC
    await h.slash("answer", {"text": "less variance by averaging"}, user="member")
    h.clock.advance(timedelta(hours=4))
    await h.app.dispatcher.run_due()  # revealed: the member has November points
    for _ in range(6 * 48):  # through 1 December 13:00 UTC, every half hour as the timer would
        h.clock.advance(timedelta(minutes=30))
        await h.app.dispatcher.run_due()
    sent = h.fake.requests_to("POST", rf"/channels/{h.channel_id}/messages")
    champions = [r for r in sent if str(r.json.get("nonce", "")).startswith("season-")]
    assert len(champions) == 1 and post["id"]
    [message] = champions
    assert message.json["allowed_mentions"] == {"parse": []}
    embed = message.json["embeds"][0]
    assert embed["title"] == "Season champions: November 2026"
    assert embed["description"] == "**1** \u2014 Member \u00b7 15 \u00b7 1 \u00b7 0"
    assert embed["footer"]["text"] == (
        "Champion: Member. This server: 1 player, 1 answer, 0 strong. A new season has begun: "
        "`leaderboard season`; this one stays readable as `leaderboard season 2026-11`."
    )
    assert_message_limits(message.json)
