"""The Discord bot end to end: a real discord.py client against the fake Discord on loopback.

Gateway, command sync, every slash command, autocomplete, the practice buttons and forms.
Every test fails if a command, button or form handler caught an exception (see
``tests/support/discord_harness.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord_adapter import main
from bot.cards import Reply
from bot.commands import Command
from bot.context import Context
from tests.fakes.discord_payloads import JSON
from tests.fakes.fake_discord import FakeDiscord
from tests.support import secrets
from tests.support.discord_harness import DiscordHarness, checked_bot, custom_ids

EPHEMERAL = 64


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    async with checked_bot(tmp_path, caplog) as harness:
        yield harness


def embed(data: JSON, index: int = 0) -> JSON:
    result: JSON = data["embeds"][index]
    return result


def fields(embed_data: JSON) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed_data.get("fields", [])}


async def test_connects_reaches_ready_and_syncs_the_command_tree(h: DiscordHarness) -> None:
    fake = h.fake
    identify = next(f for f in fake.gateway_received if f["op"] == 2)
    assert identify["d"]["token"] == secrets.DISCORD_TOKEN
    assert identify["d"]["intents"] == 1  # Guilds only: no message content, no member list
    assert h.bot.get_guild(int(fake.guild.id)) is not None
    [put] = fake.requests_to("PUT", rf"/applications/{fake.app_id}/commands")
    tree = {c["name"]: c for c in put.json}
    assert set(tree) == {
        "question", "review", "answer", "grade", "appeal", "leaderboard", "stats", "topics", "export",
        "remind", "forget-me", "help", "daily", "bank", "submit", "privacy", "season", "team",
    }  # fmt: skip
    assert all(c["contexts"] == [0] for c in tree.values())  # server channels only
    daily = tree["daily"]
    assert int(daily["default_member_permissions"]) == 1 << 5  # Manage Server
    assert tree["question"]["default_member_permissions"] is None
    verbs = {o["name"]: o for o in daily["options"]}
    assert set(verbs) == {
        "set", "export", "status", "pause", "resume", "now", "reveal", "skip", "off",
        "appeals", "accept", "reject", "answers", "regrade", "roles",
    }  # fmt: skip
    roles = {o["name"]: o for o in verbs["roles"]["options"]}
    assert [(o["name"], o["type"], o.get("required", False)) for o in roles.values()] == [
        ("award", 3, False), ("role", 8, False), ("off", 5, False)  # 8: a role picker
    ]  # fmt: skip
    assert [c["value"] for c in roles["award"]["choices"]] == [
        "champion",
        "streak 7",
        "streak 30",
        "streak 100",
    ]
    set_options = {o["name"]: o for o in verbs["set"]["options"]}
    assert list(set_options) == [
        "time", "timezone", "reveal", "days", "mode", "topics", "difficulty", "banks"
    ]  # fmt: skip
    assert set_options["time"]["required"] and not set_options["timezone"]["required"]
    assert set_options["timezone"]["autocomplete"] and set_options["topics"]["autocomplete"]
    assert [c["value"] for c in set_options["mode"]["choices"]] == ["open", "quiz"]
    assert tree["question"]["options"][0]["autocomplete"] is True
    window = tree["leaderboard"]["options"][0]
    assert [c["value"] for c in window["choices"]] == ["week", "month", "season", "all"]
    assert tree["stats"]["options"][0]["type"] == 6  # a user picker


async def test_guild_sync_for_development(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with checked_bot(tmp_path, caplog, fake_options={}, DISCORD_GUILD_ID="424242") as h:
        [put] = h.fake.requests_to("PUT", rf"/applications/{h.fake.app_id}/guilds/424242/commands")
        assert "daily" in {c["name"] for c in put.json}
        assert h.fake.requests_to("PUT", rf"/applications/{h.fake.app_id}/commands") == []


async def test_shard_settings_reach_the_gateway(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shards = {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "1"}
    async with checked_bot(tmp_path, caplog, fake_options={"shard_count": 2}, **shards) as h:
        identify = next(f for f in h.fake.gateway_received if f["op"] == 2)
        assert identify["d"]["shard"] == [1, 2]
        assert h.bot.shard_count == 2 and h.bot.shard_ids == [1]


async def test_question_is_a_private_practice_card_with_buttons(h: DiscordHarness) -> None:
    response = await h.slash("question", {"topic": "ensemble"}, user="member")
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    card = embed(response["data"])
    assert card["title"] == "Practice question" and fields(card)["Topic"] == "Ensemble Methods"
    ids = custom_ids(response["data"])
    assert len(ids) == 2 and ids[0].startswith("dailyq:try:bagging-") and ids[1].startswith("dailyq:show:")
    assert response["data"]["allowed_mentions"] == {"parse": []}


async def test_every_slash_command_answers(h: DiscordHarness) -> None:
    member = h.fake.guild.members["member"]
    stats_of = [{"name": "user", "type": 6, "value": member["user"]["id"]}]
    resolved = {
        "users": {member["user"]["id"]: member["user"]},
        "members": {member["user"]["id"]: {k: v for k, v in member.items() if k != "user"}},
    }
    expected_titles = {
        ("leaderboard", None): "Leaderboard: this channel",
        ("leaderboard", "month"): "Leaderboard: this server",
        ("stats", None): "Stats: Admin",
        ("stats", "user"): None,  # nobody called Member has played yet: a private error
        ("topics", None): "Topics",
        ("help", None): "dailyq commands",
        ("forget-me", None): "Delete your data?",
        ("forget-me", "confirm"): None,
        ("daily status", None): None,
        ("answer", "text"): None,
    }
    calls: list[tuple[tuple[str, str | None], Any, dict[str, Any]]] = [
        (("leaderboard", None), None, {}),
        (("leaderboard", "month"), {"window": "month", "scope": "server"}, {}),
        (("stats", None), None, {}),
        (("stats", "user"), stats_of, {"resolved": resolved}),
        (("topics", None), None, {}),
        (("help", None), None, {}),
        (("forget-me", None), None, {}),
        (("forget-me", "confirm"), {"confirm": True}, {}),
        (("daily status", None), None, {}),
        (("answer", "text"), {"text": "averaging"}, {}),
    ]
    for key, options, extra in calls:
        response = await h.slash(key[0], options, **extra)
        assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL, key
        title = embed(response["data"]).get("title") or ""
        wanted = expected_titles[key]
        assert title.startswith(wanted) if wanted else True, (key, title)
    texts = [embed(m).get("description", "") for m in h.fake.channel_messages(h.channel_id)]
    assert any("/daily set <time>" in t for t in texts)  # help lists the slash commands themselves
    assert any("`/forget-me confirm:True`" in t for t in texts)  # asked first...
    assert any("Deleted everything" in t for t in texts)  # ...deleted once confirmed
    assert any("no daily question" in t for t in texts)
    assert any("no open daily question" in t for t in texts)  # /answer with no round
    assert any("No player" in t for t in texts)


async def test_answer_without_text_opens_the_form(h: DiscordHarness) -> None:
    response = await h.slash("answer", user="member")
    assert response["type"] == 9
    modal = response["data"]
    assert modal["custom_id"] == "dailyq:form:answer:" and len(modal["title"]) <= 45
    [label] = modal["components"]
    assert label["type"] == 18 and label["component"]["custom_id"] == "text"
    assert label["component"]["max_length"] == 4000
    assert h.bot._connection._view_store._modals == {}  # submits are decoded from the id: nothing kept


async def test_autocomplete_topics_and_time_zones(h: DiscordHarness) -> None:
    def autocomplete(command: str, name: str, value: str) -> JSON:
        payload = h.fake.slash_command(command, {name: value}, user="admin", channel_id=h.channel_id)
        payload["type"] = 4
        options = payload["data"]["options"]
        while options and options[0]["type"] in (1, 2):
            options = options[0]["options"]
        for option in options:
            option["focused"] = option["name"] == name
        return payload

    topics = await h.respond(autocomplete("question", "topic", "deep"))
    assert topics["type"] == 8 and topics["data"]["choices"] == [
        {"name": "Deep Learning", "value": "Deep Learning"}
    ]
    zones = await h.respond(autocomplete("daily set", "timezone", "berl"))
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in zones["data"]["choices"]
    listed = await h.respond(autocomplete("daily set", "topics", "Deep Learning, ens"))
    assert [c["value"] for c in listed["data"]["choices"]] == ["Deep Learning, Ensemble Methods"]


async def test_practice_show_answer_then_rate(h: DiscordHarness) -> None:
    asked = h.fake.slash_command("question", user="member", channel_id=h.channel_id)
    await h.respond(asked)
    question = h.response_message(asked)
    show_id = next(i for i in custom_ids(question) if i.startswith("dailyq:show:"))
    show = h.fake.component_click(show_id, message=question, user="member")
    response = await h.respond(show)
    assert response["type"] == 7 and response["data"]["components"] == []  # question buttons closed
    revealed = await h.followup(show)
    assert revealed["flags"] == EPHEMERAL and embed(revealed)["title"] == "Practice answer"
    rate_ids = custom_ids(revealed)
    assert [i.rsplit(":", 1)[1] for i in rate_ids] == ["again", "hard", "good", "easy"]
    rate = h.fake.component_click(rate_ids[2], message=revealed, user="member")
    assert (await h.respond(rate))["type"] == 7
    done = await h.followup(rate)
    assert done["flags"] == EPHEMERAL and embed(done)["description"].startswith("Rated good")


async def test_practice_typed_answer_through_the_form(h: DiscordHarness) -> None:
    asked = h.fake.slash_command("question", {"topic": "Deep"}, user="member", channel_id=h.channel_id)
    await h.respond(asked)
    question = h.response_message(asked)
    try_id = next(i for i in custom_ids(question) if i.startswith("dailyq:try:"))
    opened = await h.respond(h.fake.component_click(try_id, message=question, user="member"))
    assert opened["type"] == 9
    form_id = opened["data"]["custom_id"]
    assert form_id == "dailyq:form:try:" + try_id.rsplit(":", 1)[1]
    submit = h.fake.modal_submit(
        form_id, {"text": "less variance, by taking the average"}, labels=True, user="member"
    )
    response = await h.respond(submit)
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    graded = embed(response["data"])
    assert fields(graded)["Your answer"].startswith("Your answer: strong")
    assert "Suggested: good" in graded["footer"]["text"]
    styles = [c["style"] for row in response["data"]["components"] for c in row["components"]]
    assert styles == [2, 2, 1, 2]  # the suggested rating is highlighted


async def test_a_slow_core_is_deferred_within_three_seconds_then_shown(h: DiscordHarness) -> None:
    handle = h.bot.responder.service.handle

    async def slow(ctx: Context, command: Command) -> Reply:
        await asyncio.sleep(0.05)
        return await handle(ctx, command)

    h.bot.responder.service.handle = slow  # type: ignore[method-assign]
    h.bot.responder.defer_after = 0.01  # the core takes longer than the responder waits
    topics = h.fake.slash_command("topics", user="member", channel_id=h.channel_id)
    response = await h.respond(topics)
    assert response["type"] == 5 and response["data"]["flags"] == EPHEMERAL  # "thinking", privately
    assert embed(await h.final(topics, response))["title"] == "Topics"

    asked = h.fake.slash_command("question", user="member", channel_id=h.channel_id)
    await h.final(asked, await h.respond(asked))
    question = h.response_message(asked)
    show_id = next(i for i in custom_ids(question) if i.startswith("dailyq:show:"))
    show = h.fake.component_click(show_id, message=question, user="member")
    assert (await h.respond(show))["type"] == 6  # deferred update of the clicked message
    token = show["token"]
    closed = await h.fake.wait_for_request("PATCH", rf"/webhooks/\d+/{token}/messages/@original")
    assert closed.json["components"] == []
    followup = await h.fake.wait_for_request("POST", rf"/webhooks/\d+/{token}")
    assert followup.json["flags"] == EPHEMERAL and embed(followup.json)["title"] == "Practice answer"


async def test_stale_or_crafted_buttons_get_a_private_message(h: DiscordHarness) -> None:
    response = await h.respond(h.fake.component_click("dailyq:choose:999999:9", user="member"))
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    assert "no open daily question" in embed(response["data"])["description"]
    crafted = await h.respond(h.fake.component_click("dailyq:rate:x:meh", user="member"))
    assert "no longer works" in embed(crafted["data"])["description"]


async def test_a_stale_client_with_wrongly_typed_options_gets_a_hint_and_nothing_runs(
    h: DiscordHarness,
) -> None:
    # an outdated command list: a role where /question now takes a topic name, a number for /answer
    stale = [{"name": "topic", "type": 8, "value": "42270251724828368"}]
    response = await h.slash("question", stale, user="member")
    assert response["data"]["flags"] == EPHEMERAL
    assert "could not read that command" in embed(response["data"])["description"]
    response = await h.slash("answer", [{"name": "text", "type": 4, "value": 7}], user="member")
    assert "could not read that command" in embed(response["data"])["description"]
    unknown = await h.slash("nope", user="member")
    assert "could not read that command" in embed(unknown["data"])["description"]
    assert h.errors == []  # refused as input, not reported as a failure of ours


async def test_a_failing_handler_is_caught_reported_and_told_to_the_user(
    h: DiscordHarness, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(ctx: Context, command: Command) -> Reply:
        raise RuntimeError("boom")

    h.bot.responder.service.handle = broken  # type: ignore[method-assign]
    response = await h.slash("topics")
    assert "Something went wrong" in embed(response["data"])["description"]
    assert len(h.errors) == 1 and "RuntimeError: boom" in str(h.errors[0])
    h.errors.clear()  # the harness would fail the test on a collected error: this one is expected
    caplog.clear()


@pytest.fixture
def run_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What ``dailyq run discord`` reads, and nothing from the developer's environment."""
    for name in (
        "DISCORD_GUILD_ID",
        "DISCORD_SHARD_COUNT",
        "DISCORD_SHARD_IDS",
        "DISCORD_REQUESTS_PER_SECOND",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", secrets.DISCORD_TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'run.db'}")
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("run_environment")
async def test_dailyq_run_discord_syncs_starts_and_stops_on_sigterm(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with FakeDiscord() as fake:
        running = asyncio.create_task(main.run())
        deadline = time.monotonic() + 10
        while not any(r.getMessage().startswith("dailyq is ready") for r in caplog.records):
            assert not running.done(), running
            assert time.monotonic() < deadline, "never ready"
            await asyncio.sleep(0.02)
        assert fake.requests_to("PUT", rf"/applications/{fake.app_id}/commands")
        os.kill(os.getpid(), signal.SIGTERM)  # what a platform sends to stop the process
        assert await asyncio.wait_for(running, 5) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.usefixtures("run_environment")
async def test_a_rejected_token_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    async with FakeDiscord() as fake:
        fake.error_next("GET", "/users/@me", 401)
        assert await asyncio.wait_for(main.run(), 5) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dailyq: bad setting: DISCORD_TOKEN: Discord rejected")
