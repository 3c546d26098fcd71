"""Signed ``/question`` slash commands through the real Bolt app: every subcommand, admin, signing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.bank.model import Bank
from tests.adapters.slack_harness import (
    ADMIN_ID,
    ADMIN_NAME,
    SlackBot,
    running_slack_bot,
    slack_bank,
)
from tests.fakes.slack_payloads import CHANNEL_ID, slash_command
from tests.support.clock import FakeClock


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    """The adapter on a fresh database, talking to a fresh fake Slack."""
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


def shown(response: dict[str, Any]) -> str:
    """All text a user sees in a response (fallback text and every block)."""
    return json.dumps(response.get("blocks", [])) + response.get("text", "")


async def admin(slack: SlackBot, text: str) -> dict[str, Any]:
    """``/question <text>`` from a workspace admin."""
    return await slack.command(text, user=ADMIN_ID, name=ADMIN_NAME)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Practice question"),
        ("ensemble", "Practice question"),
        ("question time series", "Practice question"),
        ("help", "leaderboard"),
        ("topics", "Ensemble Methods"),
        ("today", "no open daily question"),
        ("answer a hash table", "no open daily question"),
        ("leaderboard", "Leaderboard"),
        ("leaderboard week", "Leaderboard"),
        ("leaderboard month server", "Leaderboard"),
        ("lb all channel", "Leaderboard"),
        ("stats", "Stats: alice"),
        ("show", "no practice question open"),
        ("try it learns from data", "no practice question open"),
        ("rate good", "no practice question open"),
        ("daily", "no daily question"),
        ("daily status", "no daily question"),
        ("forget-me", "`/question forget-me confirm`"),
        ("forget-me confirm", "Deleted everything"),
    ],
)
async def test_every_subcommand_replies_privately(slack: SlackBot, text: str, expected: str) -> None:
    response = await slack.command(text)
    assert response["response_type"] == "ephemeral"
    assert expected.lower() in shown(response).lower()
    assert slack.fake.messages(CHANNEL_ID) == []  # nothing public


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("hlep", "Did you mean `help`?"), ("anwser it is bagging", "Did you mean `answer`?")],
)
async def test_a_mistyped_subcommand_is_suggested(slack: SlackBot, text: str, suggestion: str) -> None:
    # `/question <word>` is a practice topic unless it is a command: a near miss says which it meant
    response = await slack.command(text)
    assert response["response_type"] == "ephemeral"
    assert "Unknown topic" in shown(response) and suggestion in shown(response)


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("leaderboard yearly", "use week, month or all"),
        ("daily set 25:00", "use 24-hour HH:MM"),
        ("daily set 09:30 Mars/Olympus", "IANA name such as Europe/Berlin"),
        ("daily set 09:30 UTC reveal soon", "such as 30m, 4h"),
        ("daily explode", "daily status|pause|resume"),
        ("rate maybe", "rate again, rate hard"),
    ],
)
async def test_bad_input_is_answered_in_the_ack_saying_what_is_accepted(
    slack: SlackBot, text: str, accepted: str
) -> None:
    response = await admin(slack, text)
    assert response["response_type"] == "ephemeral"
    assert accepted in shown(response)
    assert slack.fake.calls("response_url") == []


async def test_help_explains_the_slash_command(slack: SlackBot) -> None:
    response = await slack.command("help")
    assert "/question leaderboard week" in shown(response)


async def test_admin_schedules_a_channel_and_anyone_sees_the_status(slack: SlackBot) -> None:
    response = await admin(slack, "daily set 09:30 Europe/Berlin reveal 4h")
    assert "Daily question scheduled" in shown(response)
    assert "09:30 Europe/Berlin" in shown(response)
    assert slack.fake.calls("conversations.join")[0].args["channel"] == CHANNEL_ID
    status = await slack.command("daily status")
    assert "09:30 Europe/Berlin" in shown(status)
    assert "after 4h" in shown(status)
    assert slack.fake.messages(CHANNEL_ID) == []


async def test_owner_is_admin_too_and_lookups_are_cached(slack: SlackBot) -> None:
    slack.fake.add_user("U0OWNER", name="olga", is_owner=True)
    await slack.command("daily set 08:00 UTC", user="U0OWNER", name="olga")
    await slack.command("daily pause", user="U0OWNER", name="olga")
    assert "paused" in shown(await slack.command("daily status"))
    assert len([c for c in slack.fake.calls("users.info") if c.args["user"] == "U0OWNER"]) == 1


async def test_non_admin_is_refused_and_nothing_changes(slack: SlackBot) -> None:
    response = await slack.command("daily set 09:30 Europe/Berlin")
    assert "Only admins" in shown(response)
    assert slack.fake.calls("users.info")  # asked Slack whether the caller is an admin
    assert slack.fake.calls("conversations.join") == []
    assert "no daily question" in shown(await slack.command("daily status"))
    for verb in ("now", "pause", "off"):
        assert "Only admins" in shown(await slack.command(f"daily {verb}"))
    assert slack.fake.messages(CHANNEL_ID) == []


async def test_users_listed_in_dailyq_slack_admins_are_admins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> None:
    async with running_slack_bot(monkeypatch, tmp_path, bank, clock, admins=frozenset({"U0LEAD"})) as slack:
        response = await slack.command("daily set 07:00 UTC", user="U0LEAD", name="lea")
        assert "Daily question scheduled" in shown(response)
        assert slack.fake.calls("users.info") == []  # no need to ask Slack


async def test_private_channel_the_bot_cannot_see_gets_a_warning(slack: SlackBot) -> None:
    slack.fake.set_response("conversations.join", {"ok": False, "error": "channel_not_found"})
    response = await admin(slack, "daily set 09:30 UTC")
    assert "Daily question scheduled" in shown(response)
    assert "/invite @dailyq" in shown(response)


@pytest.mark.parametrize(
    "breakage",
    [
        {"missing_signature": True},
        {"bad_signature": True},
        {"age_seconds": 360},
        {"missing_timestamp": True},
    ],
)
async def test_unsigned_wrongly_signed_or_stale_requests_get_401_and_change_nothing(
    slack: SlackBot, breakage: dict[str, Any]
) -> None:
    hook = slack.fake.new_response_url(CHANNEL_ID)
    request = slash_command("daily set 09:30 UTC", response_url=hook, user_id=ADMIN_ID, user_name=ADMIN_NAME)
    reply = await slack.send(request, **breakage)
    assert reply.status == 401
    await slack.settle()
    assert slack.fake.recorded == []
    assert "no daily question" in shown(await slack.command("daily status"))


async def test_admin_manages_the_schedule_end_to_end(slack: SlackBot) -> None:
    await admin(slack, "daily set 09:30 Europe/Berlin")
    assert "Posted today's question" in shown(await admin(slack, "daily now"))
    assert len(slack.posts()) == 1
    assert "Skipped the question and posted a new one" in shown(await admin(slack, "daily skip"))
    first, second = slack.posts()
    assert "actions" not in json.dumps(first["blocks"])  # the skipped post was closed
    sent = slack.fake.calls("chat.postMessage")
    assert sent[1].time - sent[0].time >= 0.95  # paced: about one post per second per channel
    assert "Revealed the answer" in shown(await admin(slack, "daily reveal"))
    assert [r["thread_ts"] for r in slack.replies()] == [second["ts"]]
    assert "paused" in shown(await admin(slack, "daily pause"))
    assert "resumed" in shown(await admin(slack, "daily resume"))
    assert "turned off" in shown(await admin(slack, "daily off"))
    assert "no daily question" in shown(await slack.command("daily status"))


async def test_mentions_in_user_text_are_escaped(slack: SlackBot) -> None:
    await admin(slack, "daily set 09:30 UTC")
    await admin(slack, "daily now")
    response = await slack.command("answer <!channel> it is <@U0ADMIN>", name="<!here>")
    text = shown(response)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "<@U0ADMIN>" not in text
    unknown = await slack.command("stats <!everyone>")
    assert "<!everyone>" not in shown(unknown)


async def test_team_add_takes_a_user_groups_members_at_that_moment(slack: SlackBot) -> None:
    slack.fake.add_user("U0ANN", name="ann")
    slack.fake.add_user("U0BOB", name="bob")
    slack.fake.add_usergroup("S0DATA", ["U0ANN", "U0BOB"], handle="data-team")
    added = await slack.command("team add data <!subteam^S0DATA|@data-team>", user=ADMIN_ID, name=ADMIN_NAME)
    assert "Team data: added ann, bob." in json.dumps(added)
    [listed] = slack.fake.calls("usergroups.users.list")
    assert listed.args["usergroup"] == "S0DATA" and listed.args["team_id"] == "T0TEAM"
    teams = json.dumps(await slack.command("team list"))
    assert "*data* \\u2014 ann, bob" in teams
    # a snapshot: a newcomer to the group joins the team when the admin runs it again
    slack.fake.add_user("U0CY", name="cy")
    slack.fake.add_usergroup("S0DATA", ["U0ANN", "U0BOB", "U0CY"], handle="data-team")
    assert "cy" not in json.dumps(await slack.command("team list"))
    # the app does not escape slash-command text, so the group usually arrives as typed
    again = await slack.command("team add data @data-team", user=ADMIN_ID, name=ADMIN_NAME)
    assert "Team data: added cy." in json.dumps(again)
    assert [c.args["usergroup"] for c in slack.fake.calls("usergroups.users.list")] == ["S0DATA", "S0DATA"]
    unknown = await slack.command("team add ops <!subteam^S0NOPE|@ops>", user=ADMIN_ID, name=ADMIN_NAME)
    assert "Slack could not list that user group (no_such_subteam)" in json.dumps(unknown)
    nobody = await slack.command("team add ops @nobody", user=ADMIN_ID, name=ADMIN_NAME)
    assert "No player called '@nobody' here yet" in json.dumps(nobody)


async def test_daily_roles_on_slack_says_roles_are_a_discord_feature(slack: SlackBot) -> None:
    reply = json.dumps(await slack.command("daily roles champion <@&123456>", user=ADMIN_ID, name=ADMIN_NAME))
    assert "Roles are a Discord feature; on Slack the champion post mentions the champions" in reply
