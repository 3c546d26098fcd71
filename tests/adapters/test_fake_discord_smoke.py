"""Smoke test: a stock discord.py ``commands.Bot`` works against the fake Discord on loopback."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakes.fake_discord import FakeDiscord

ANSWER_ID = "dailyq:answer"
MESSAGES = r"/channels/\d+/messages"
CALLBACK = r"/interactions/\d+/[^/]+/callback"


@dataclass
class Harness:
    """A fake Discord, a running stock bot and what the bot's handlers saw."""

    fake: FakeDiscord
    bot: commands.Bot
    seen: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)

    def saw(self, key: str, value: Any) -> None:
        """Record something a handler observed."""
        self.seen.setdefault(key, []).append(value)

    def channel(self, name: str = "daily") -> discord.TextChannel:
        """The bot's cached text channel called ``name``."""
        channel = self.bot.get_channel(int(self.fake.guild.channel_id(name)))
        assert isinstance(channel, discord.TextChannel)
        return channel

    async def until(self, key: str, count: int = 1, timeout: float = 2.0) -> list[Any]:
        """Poll until a handler recorded ``count`` values under ``key``."""
        deadline = time.monotonic() + timeout
        while len(self.seen.get(key, [])) < count:
            assert time.monotonic() < deadline, f"{key!r} not seen; errors={self.errors}"
            await asyncio.sleep(0.005)
        return self.seen[key]


class AnswerView(discord.ui.View):
    """Persistent view: no timeout, fixed custom id."""

    def __init__(self, harness: Harness) -> None:
        super().__init__(timeout=None)
        self.harness = harness

    @discord.ui.button(label="Answer", custom_id=ANSWER_ID, style=discord.ButtonStyle.primary)
    async def answer(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        """Record the click and update the clicked message."""
        assert interaction.message is not None
        self.harness.saw("click", interaction.message.id)
        await interaction.response.edit_message(content="answered", view=self)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Collect instead of only logging."""
        self.harness.errors.append(error)


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """A modal whose submit defers and then sends a follow-up."""

    answer: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Answer", custom_id="text")

    def __init__(self, harness: Harness) -> None:
        super().__init__(custom_id="dailyq:modal")
        self.harness = harness

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Record the value, defer, follow up."""
        self.harness.saw("modal", self.answer.value)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"got {self.answer.value}", ephemeral=True)

    async def on_error(  # type: ignore[override]  # Modal narrows BaseView.on_error
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        """Collect instead of only logging."""
        self.harness.errors.append(error)


def _install_commands(h: Harness) -> None:
    tree = h.bot.tree

    @tree.command(name="ping", description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    daily = app_commands.Group(name="daily", description="Daily question")

    @daily.command(name="set", description="Set the posting time")
    async def daily_set(interaction: discord.Interaction, time: str, enabled: bool = True) -> None:
        assert isinstance(interaction.user, discord.Member)
        h.saw("daily set", (time, enabled, interaction.user.guild_permissions.manage_guild))
        await interaction.response.send_message(f"set {time}", ephemeral=True)

    @tree.command(name="answer", description="Answer via a modal")
    async def answer(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AnswerModal(h))

    tree.add_command(daily)

    @tree.error
    async def on_tree_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        h.errors.append(error)

    @h.bot.event
    async def on_error(event: str, *args: Any, **kwargs: Any) -> None:
        h.errors.append(sys.exc_info()[1] or RuntimeError(event))

    @h.bot.event
    async def on_resumed() -> None:
        h.saw("resumed", True)


AnyBot = commands.Bot | commands.AutoShardedBot


async def _start(bot: AnyBot) -> asyncio.Task[None]:
    start = asyncio.create_task(bot.start("fake-token"))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({start, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    if start in done:
        ready.cancel()
        start.result()
        raise AssertionError("bot.start() returned before ready")
    assert ready in done, "bot never became ready"
    return start


async def _stop(bot: AnyBot, start: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(start, 5)
    assert start.exception() is None


async def _assert_no_leaks() -> None:
    me = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
    if pending:
        _, still = await asyncio.wait(pending, timeout=1)
        assert not still, f"leaked tasks: {still}"
    for thread in threading.enumerate():
        if thread.name.startswith("keep-alive-handler"):
            thread.join(timeout=1)
            assert not thread.is_alive(), "discord.py heartbeat thread leaked"


@pytest.fixture
async def harness(caplog: pytest.LogCaptureFixture) -> AsyncIterator[Harness]:
    """Fake Discord plus a started stock ``commands.Bot``; checks errors and leaks on teardown."""
    caplog.set_level(logging.WARNING)
    async with FakeDiscord() as fake:
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1)
        h = Harness(fake, bot)
        _install_commands(h)
        bot.add_view(AnswerView(h))
        start = await _start(bot)
        try:
            yield h
        finally:
            await _stop(bot, start)
        assert h.errors == []
        assert fake.unhandled == []
    await _assert_no_leaks()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


async def test_ready_guild_cache_and_sync(harness: Harness) -> None:
    fake, bot = harness.fake, harness.bot
    identify = next(f for f in fake.gateway_received if f["op"] == 2)
    assert identify["d"]["token"] == "fake-token"
    assert fake.requests_to("GET", "/users/@me")[0].headers["Authorization"] == "Bot fake-token"
    assert bot.user is not None and str(bot.user.id) == fake.bot_user["id"]
    guild = bot.get_guild(int(fake.guild.id))
    assert guild is not None and {c.name for c in guild.text_channels} == {"general", "daily"}
    moderator = guild.get_role(int(fake.guild.role_id("Moderator")))
    member = guild.get_role(int(fake.guild.role_id("Member")))
    assert moderator is not None and moderator.permissions.manage_guild
    assert member is not None and not member.permissions.manage_guild
    assert guild.me is not None and harness.channel().permissions_for(guild.me).send_messages

    synced = await bot.tree.sync()
    assert {c.name for c in synced} == {"ping", "daily", "answer"}
    assert all(c.id for c in synced)
    put = fake.requests_to("PUT", rf"/applications/{fake.app_id}/commands")
    assert len(put) == 1 and {c["name"] for c in put[0].json} == {"ping", "daily", "answer"}
    guild_synced = await bot.tree.sync(guild=guild)
    assert guild_synced == [] and fake.guild_commands[fake.guild.id] == []


async def test_slash_command_ephemeral_reply(harness: Harness) -> None:
    fake = harness.fake
    await harness.bot.tree.sync()
    ping = fake.slash_command("ping")
    await fake.dispatch_interaction(ping)
    body = await fake.wait_for_interaction_response(ping)
    assert body["type"] == 4 and body["data"]["content"] == "pong"
    assert body["data"]["flags"] == 64
    request = fake.requests_to("POST", CALLBACK)[0]
    assert request.query == {"with_response": "1"} and request.status == 200
    assert fake.channel_messages(fake.guild.text_channel_id)[-1]["flags"] == 64


async def test_subcommand_and_member_permissions(harness: Harness) -> None:
    fake = harness.fake
    admin = fake.slash_command("daily set", {"time": "09:00"}, user="admin")
    await fake.dispatch_interaction(admin)
    await fake.dispatch_interaction(
        fake.slash_command("daily set", {"time": "10:00", "enabled": False}, user="member")
    )
    seen = await harness.until("daily set", 2)
    assert sorted(seen) == [("09:00", True, True), ("10:00", False, False)]
    await fake.wait_for_requests("POST", CALLBACK, count=2)


async def test_send_with_enforced_nonce_is_idempotent(harness: Harness) -> None:
    fake, channel = harness.fake, harness.channel()
    first = await channel.send("question of the day", nonce="daily-2024-06-01")
    second = await channel.send("question of the day", nonce="daily-2024-06-01")
    assert first.id == second.id
    assert len(fake.channel_messages(str(channel.id))) == 1
    sent = fake.requests_to("POST", MESSAGES)
    assert len(sent) == 2 and all(r.json["enforce_nonce"] is True for r in sent)
    other = await channel.send("question of the day", nonce="daily-2024-06-02")
    assert other.id != first.id


async def test_429_is_honoured_and_message_arrives_once(harness: Harness) -> None:
    fake, channel = harness.fake, harness.channel()
    fake.rate_limit_next("POST", MESSAGES, retry_after=0.2)
    started = time.monotonic()
    message = await channel.send("after a rate limit")
    assert time.monotonic() - started >= 0.2
    assert [r.status for r in fake.requests_to("POST", MESSAGES)] == [429, 200]
    assert [m["id"] for m in fake.channel_messages(str(channel.id))] == [str(message.id)]
    assert fake.rate_limited_count == 1


async def test_error_injection_raises_discord_errors(harness: Harness) -> None:
    fake, channel = harness.fake, harness.channel()
    fake.error_next("POST", MESSAGES, 403)
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("nope")
    assert forbidden.value.code == 50013
    fake.error_next("POST", MESSAGES, 404)
    with pytest.raises(discord.NotFound) as not_found:
        await channel.send("nope")
    assert not_found.value.code == 10003
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    assert fake.channel_messages(str(channel.id)) == []


async def test_global_rate_limit_is_enforced_and_retried(harness: Harness) -> None:
    fake, channel = harness.fake, harness.channel()
    fake.global_rate_limit, fake.global_rate_window = 3, 0.2
    for i in range(5):
        await channel.send(f"burst {i}")
    assert fake.global_rate_limited_count >= 1
    assert [m["content"] for m in fake.channel_messages(str(channel.id))] == [f"burst {i}" for i in range(5)]


async def test_persistent_view_handles_click_on_unseen_message(harness: Harness) -> None:
    fake = harness.fake
    click = fake.component_click(ANSWER_ID)
    message_id = int(click["message"]["id"])
    assert harness.bot._connection._get_message(message_id) is None
    await fake.dispatch_interaction(click)
    assert await harness.until("click") == [message_id]
    body = await fake.wait_for_interaction_response(click)
    assert body["type"] == 7 and body["data"]["content"] == "answered"
    assert fake.messages[str(message_id)]["content"] == "answered"


async def test_modal_submit_defer_and_followup(harness: Harness) -> None:
    fake = harness.fake
    command = fake.slash_command("answer")
    await fake.dispatch_interaction(command)
    modal = await fake.wait_for_interaction_response(command)
    assert modal["type"] == 9 and modal["data"]["custom_id"] == "dailyq:modal"
    await fake.dispatch_interaction(fake.modal_submit("dailyq:modal", {"text": "a B-tree"}))
    assert await harness.until("modal") == ["a B-tree"]
    followup = await fake.wait_for_request("POST", rf"/webhooks/{fake.app_id}/[^/]+")
    assert followup.json["content"] == "got a B-tree" and followup.json["flags"] == 64
    assert followup.query.get("wait") in ("1", "true")


async def test_thread_from_message(harness: Harness) -> None:
    fake, channel = harness.fake, harness.channel()
    message = await channel.send("Q: what is a B-tree?")
    thread = await message.create_thread(name="answers")
    assert thread.id == message.id and thread.type is discord.ChannelType.public_thread
    await thread.send("an answer")
    assert [m["content"] for m in fake.channel_messages(str(thread.id))] == ["an answer"]
    assert (await harness.bot.fetch_channel(thread.id)).id == thread.id


async def test_gateway_reconnect_resumes(harness: Harness) -> None:
    fake = harness.fake
    await fake.request_reconnect()
    await harness.until("resumed")
    resume = next(f for f in fake.gateway_received if f["op"] == 6)
    assert resume["d"]["token"] == "fake-token"
    assert [c.path for c in fake.connections if c.ready] == ["/resume-gateway"]
    ping = fake.slash_command("ping")
    await harness.bot.tree.sync()
    await fake.dispatch_interaction(ping)
    assert (await fake.wait_for_interaction_response(ping))["type"] == 4


async def test_sharded_bot_uses_gateway_bot() -> None:
    async with FakeDiscord() as fake:
        bot = commands.AutoShardedBot(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1
        )
        start = await _start(bot)
        try:
            assert fake.requests_to("GET", "/gateway/bot")
            assert bot.get_guild(int(fake.guild.id)) is not None
            identify = next(f for f in fake.gateway_received if f["op"] == 2)
            assert identify["d"]["shard"] == [0, 1]
        finally:
            await _stop(bot, start)
    await _assert_no_leaks()
