"""A running dailyq Discord bot against the fake Discord, on a real SQLite database.

``running_bot`` builds the bot exactly as ``dailyq run discord`` does (``main.build``), with a fake
clock, a small bank and a test pacer, starts it against a ``FakeDiscord`` and checks at teardown
that no command, button or form handler caught an exception. The rounds timer is not started:
tests drive the rounds logic with ``app.dispatcher.run_due()``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from adapters.discord_adapter import main
from adapters.discord_adapter.client import DailyqBot
from adapters.discord_adapter.settings import DiscordSettings
from adapters.metrics import PrometheusMetrics
from adapters.pacing import Pacer
from bot.app import App
from bot.bank.model import Bank, Question, QuizForm, WrongOption
from bot.config import Settings
from bot.context import Context
from tests.fakes.discord_payloads import JSON
from tests.fakes.fake_discord import FakeDiscord
from tests.support import secrets
from tests.support.clock import FakeClock

MESSAGES = r"/channels/\d+/messages"


def quiz_question(qid: str, topic: str, *, difficulty: str = "medium") -> Question:
    """A question usable in open and quiz mode."""
    return Question(
        id=qid,
        topic=topic,
        difficulty=difficulty,  # type: ignore[arg-type]
        question=f"What does {qid} reduce?",
        answer=f"{qid} reduces variance",
        explanation=f"Because {qid} averages many noisy estimates.",
        key_points=(("variance", "spread"), ("average", "mean")),
        quiz=QuizForm(
            correct=f"{qid} reduces variance",
            wrong=tuple(
                WrongOption(text=t, why=f"{qid} does not change {t}") for t in ("bias", "latency", "memory")
            ),
        ),
        follow_up="When does it not help?",
    )


def small_bank() -> Bank:
    """Six questions in two topics, all quizzable."""
    return Bank(
        tuple(quiz_question(f"bagging-{i}", "Ensemble Methods") for i in range(3))
        + tuple(quiz_question(f"dropout-{i}", "Deep Learning", difficulty="hard") for i in range(3))
    )


@dataclass
class DiscordHarness:
    """The fake Discord, the running bot, the core behind it, and what went wrong."""

    fake: FakeDiscord
    bot: DailyqBot
    app: App
    clock: FakeClock
    errors: list[BaseException] = field(default_factory=list)

    @property
    def channel_id(self) -> str:
        """The #daily channel."""
        return self.fake.guild.channel_id("daily")

    def ctx(self, user: str = "admin", channel_id: str | None = None) -> Context:
        """The neutral context of a guild member (to drive the core directly)."""
        member = self.fake.guild.user(user)
        return Context(
            "discord",
            self.fake.guild.id,
            channel_id or self.channel_id,
            member["id"],
            member["global_name"] or member["username"],
            is_admin=user in ("admin", "owner"),
        )

    async def respond(self, payload: JSON, timeout: float = 3.0) -> JSON:
        """Dispatch an interaction and return the body of its callback."""
        await self.fake.dispatch_interaction(payload)
        return await self.fake.wait_for_interaction_response(payload, timeout=timeout)

    async def slash(
        self, command: str, options: Mapping[str, Any] | None = None, *, user: str = "admin", **extra: Any
    ) -> JSON:
        """Run a slash command in #daily and return its interaction response."""
        payload = self.fake.slash_command(command, options, user=user, channel_id=self.channel_id, **extra)
        return await self.respond(payload)

    async def final(self, payload: JSON, response: JSON) -> JSON:
        """The message the user finally sees: the response itself, or the edit after a deferral."""
        if response["type"] != 5:
            return response["data"]
        token = re.escape(payload["token"])
        edit = await self.fake.wait_for_request("PATCH", rf"/webhooks/\d+/{token}/messages/@original")
        body: JSON = edit.json
        return body

    def response_message(self, payload: JSON) -> JSON:
        """The message an interaction's response created or updated (ephemeral ones included)."""
        original = self.fake.interactions[payload["id"]].original_id
        assert original is not None, "the interaction has no response message"
        return self.fake.messages[original]

    async def followup(self, payload: JSON) -> JSON:
        """The follow-up message an interaction sent (waits until the fake has answered it)."""
        token = re.escape(payload["token"])
        await self.fake.wait_for_request("POST", rf"/webhooks/\d+/{token}")
        return self.last_message()

    def last_message(self) -> JSON:
        """The newest message in #daily (follow-ups included)."""
        return self.fake.channel_messages(self.channel_id)[-1]

    def posts(self) -> list[JSON]:
        """Messages the bot created in #daily (not interaction responses)."""
        return [m for m in self.fake.channel_messages(self.channel_id) if "interaction_metadata" not in m]


def custom_ids(message: JSON) -> list[str]:
    """Custom ids of every component of a message body."""
    found = []
    stack = list(message.get("components") or [])
    while stack:
        item = stack.pop(0)
        if "custom_id" in item:
            found.append(item["custom_id"])
        stack.extend(item.get("components") or [])
        if isinstance(item.get("component"), dict):
            stack.append(item["component"])
    return found


def assert_no_leaks() -> None:
    """discord.py's heartbeat threads are gone."""
    for thread in threading.enumerate():
        if thread.name.startswith("keep-alive-handler"):
            thread.join(timeout=1)
            assert not thread.is_alive(), "discord.py heartbeat thread leaked"


@asynccontextmanager
async def running_bot(
    fake: FakeDiscord,
    tmp_path: Path,
    *,
    clock: FakeClock | None = None,
    bank: Bank | None = None,
    pacer: Pacer | None = None,
    db_name: str = "dailyq.db",
    metrics: PrometheusMetrics | None = None,
    **settings: Any,
) -> AsyncIterator[DiscordHarness]:
    """Start a dailyq bot against ``fake``; at exit close it and check no handler failed."""
    isolated = {"DISCORD_GUILD_ID": None, "DISCORD_SHARD_COUNT": None, "DISCORD_SHARD_IDS": None}
    # explicit values win over the developer's environment and .env
    discord_settings = DiscordSettings(
        _env_file=None, DISCORD_TOKEN=secrets.DISCORD_TOKEN, **{**isolated, **settings}
    )
    core = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / db_name}")
    clock = clock or FakeClock()
    bot, app = await main.build(
        discord_settings,
        core,
        clock=clock,
        bank=bank or small_bank(),
        pacer=pacer or Pacer(rate=500, burst=50),
        metrics=metrics,
        guild_ready_timeout=0.1,
    )
    harness = DiscordHarness(fake, bot, app, clock)
    bot.responder.error_listeners.append(harness.errors.append)
    runner = asyncio.create_task(bot.start(secrets.DISCORD_TOKEN))
    try:
        ready = await asyncio.wait_for(main.until_ready(bot, runner), 5)
        if not ready:
            runner.result()
            raise AssertionError("bot.start() ended before ready")
        yield harness
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 5)
        await app.close()
    assert runner.exception() is None
    assert harness.errors == [], harness.errors


@asynccontextmanager
async def checked_bot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, *, fake_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> AsyncIterator[DiscordHarness]:  # fmt: skip
    """A fake Discord and a running bot; fails if a handler failed, a route was unknown to the
    fake, an error was logged, or a heartbeat thread leaked."""
    caplog.set_level(logging.WARNING)
    async with FakeDiscord(**(fake_options or {})) as fake, running_bot(fake, tmp_path, **options) as harness:
        yield harness
        assert fake.unhandled == [], fake.unhandled
    assert_no_leaks()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], errors


def assert_message_limits(body: Mapping[str, Any]) -> None:
    """A sent message body respects every embed and component limit of Discord."""
    embeds = body.get("embeds") or []
    assert len(embeds) <= 10
    total = 0
    for embed in embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        assert len(title) <= 256 and len(description) <= 4096 and len(footer) <= 2048
        fields = embed.get("fields") or []
        assert len(fields) <= 25
        for item in fields:
            assert 0 < len(item["name"]) <= 256 and 0 < len(item["value"]) <= 1024
        total += len(title) + len(description) + len(footer)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000
    buttons = [c for row in body.get("components") or [] for c in row.get("components") or []]
    assert len(body.get("components") or []) <= 5 and len(buttons) <= 25
    for button in buttons:
        assert len(button.get("label") or "") <= 80 and len(button.get("custom_id") or "") <= 100
