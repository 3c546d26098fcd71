"""A real dailyq Slack adapter (Bolt over HTTP on 127.0.0.1) wired to the fake Slack Web API.

Each test module wraps ``running_slack_bot`` in its own fixture. Tests drive the bot with signed
requests, move the fake clock, call ``rounds.run_due()`` instead of sleeping, and wait for the
adapter's follow-up work with ``settle()``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from sqlalchemy import Row, select

from adapters.metrics import PrometheusMetrics
from adapters.slack_adapter.bank_listeners import SlackNotifier
from adapters.slack_adapter.bolt_app import HttpServer, SlackParts, build_bolt_app
from adapters.slack_adapter.client import make_client, open_session
from adapters.slack_adapter.directory import Directory
from adapters.slack_adapter.groups import SlackGroups
from adapters.slack_adapter.messenger import EVENT_TYPE, SlackMessenger
from adapters.slack_adapter.settings import SlackSettings
from bot.app import App, build_app
from bot.bank.model import Bank, Question, QuizForm, WrongOption
from bot.config import Settings
from bot.store.tables import answers, channels, rounds
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_payloads import (
    CHANNEL_ID,
    USER_ID,
    USER_NAME,
    BoltReply,
    SlackRequest,
    block_actions,
    post_signed,
    slash_command,
)
from tests.support import secrets
from tests.support.clock import FakeClock

SECRET = secrets.SLACK_SIGNING_SECRET
ADMIN_ID = "U0ADMIN"
ADMIN_NAME = "ada"


QUIZ_QUESTIONS = tuple(
    Question(
        id=f"quiz-{n}",
        topic="Slack Quiz",
        difficulty="easy",
        question=f"Quiz question {n}: which structure gives O(1) average lookup?",
        answer="A hash table",
        explanation="Hashing maps keys to buckets directly.",
        key_points=(("hash", "hashing"), ("constant", "o(1)")),
        quiz=QuizForm(
            correct="A hash table",
            wrong=tuple(
                WrongOption(text=t, why="Lookup there is slower than O(1) on average.")
                for t in ("A linked list", "A binary heap", "A sorted array")
            ),
        ),
    )
    for n in range(1, 4)
)


def slack_bank(bundled: Bank) -> Bank:
    """The bundled bank plus three quiz questions of their own topic."""
    return Bank(bundled.questions + QUIZ_QUESTIONS)


def clear_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bolt and the settings read SLACK_* variables: tests must only see their own."""
    for name in list(os.environ):
        if name.startswith("SLACK_") or name in ("PORT", "DAILYQ_SLACK_ADMINS", "DAILYQ_HTTP_HOST"):
            monkeypatch.delenv(name)


@dataclass
class SlackBot:
    """The adapter under test, its core and the fake Slack it talks to."""

    fake: FakeSlack
    core: App
    bolt: AsyncApp
    parts: SlackParts
    url: str
    clock: FakeClock
    session: aiohttp.ClientSession

    async def send(self, request: SlackRequest, **kwargs: Any) -> BoltReply:
        """POST a signed request to /slack/events."""
        return await post_signed(self.url, request, secret=SECRET, session=self.session, **kwargs)

    async def settle(self) -> None:
        """Wait until Bolt's listener tasks and the adapter's follow-up work are done."""
        for _ in range(3):
            await asyncio.sleep(0.02)
            assert await self.parts.tasks.drain(timeout=15), "follow-up work did not finish"

    async def command(
        self,
        text: str,
        *,
        user: str = USER_ID,
        name: str = USER_NAME,
        channel: str = CHANNEL_ID,
    ) -> dict[str, Any]:
        """Run ``/question <text>``; return what the user saw (the ack body or the response)."""
        hook = self.fake.new_response_url(channel)
        hook_id = hook.rsplit("/", 1)[1]
        reply = await self.send(
            slash_command(text, response_url=hook, user_id=user, user_name=name, channel_id=channel)
        )
        assert reply.status == 200, reply.text
        await self.settle()
        if reply.text:
            return dict(reply.json())
        posts = self.fake.calls_for_hook(hook_id)
        assert len(posts) == 1, f"expected one response for {text!r}, got {len(posts)}"
        return posts[0].args

    async def click(
        self, action_id: str, value: str, *, user: str = USER_ID, name: str = USER_NAME, **kwargs: Any
    ) -> BoltReply:
        """Click a button on a channel message; its response_url lands in the fake."""
        kwargs.setdefault("response_url", self.fake.new_response_url(CHANNEL_ID))
        reply = await self.send(block_actions(action_id, value, user_id=user, user_name=name, **kwargs))
        assert reply.status == 200, reply.text
        await self.settle()
        return reply

    async def answers(self) -> list[Row[Any]]:
        """Every stored answer."""
        async with self.core.engine.connect() as conn:
            return list((await conn.execute(select(answers).order_by(answers.c.id))).all())

    async def round(self, round_id: int) -> Row[Any]:
        """One round row."""
        async with self.core.engine.connect() as conn:
            return (await conn.execute(select(rounds).where(rounds.c.id == round_id))).one()

    async def channel(self, channel_id: str = CHANNEL_ID) -> Row[Any]:
        """One channel row."""
        async with self.core.engine.connect() as conn:
            return (await conn.execute(select(channels).where(channels.c.channel_id == channel_id))).one()

    def posts(self, channel: str = CHANNEL_ID) -> list[dict[str, Any]]:
        """Top-level dailyq posts in a channel (messages carrying our metadata, not replies)."""
        return [
            m
            for m in self.fake.messages(channel)
            if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE and "thread_ts" not in m
        ]

    def replies(self, channel: str = CHANNEL_ID) -> list[dict[str, Any]]:
        """Threaded dailyq replies (the reveals) in a channel."""
        return [
            m
            for m in self.fake.messages(channel)
            if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE and "thread_ts" in m
        ]


@asynccontextmanager
async def running_slack_bot(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    bank: Bank,
    clock: FakeClock,
    admins: frozenset[str] = frozenset(),
    metrics: PrometheusMetrics | None = None,
) -> AsyncIterator[SlackBot]:
    """Start the fake Slack, the core on a fresh SQLite file and the Bolt app on loopback.

    ``admins`` plays ``DAILYQ_SLACK_ADMINS``; ``U0ADMIN`` is a workspace admin in the fake."""
    clear_slack_env(monkeypatch)
    async with FakeSlack(reject_invalid=True) as fake:  # answers invalid_blocks, like Slack
        fake.add_user(ADMIN_ID, name=ADMIN_NAME, is_admin=True)
        settings = SlackSettings(
            bot_token=secrets.SLACK_BOT_TOKEN,
            signing_secret=SECRET,
            api_url=fake.api_url,
            admins=admins,
            _env_file=None,
        )
        on_429 = None if metrics is None else lambda: metrics.rate_limited("slack")
        api_session = open_session()  # as adapters/slack_adapter/main.py: one for every call
        posting = make_client(settings, session=api_session, posting=True, on_rate_limited=on_429)
        messenger = SlackMessenger(posting)
        if metrics is not None:
            messenger.pacer.on_wait = lambda seconds: metrics.pacer_waited("slack", seconds)
        client = make_client(settings, session=api_session)
        directory = Directory(client, settings.admins)
        core = await build_app(
            Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/slack.db"),
            messenger,
            clock,
            bank,
            metrics,
            nudger=messenger,  # as adapters/slack_adapter/main.py builds it
            notifier=SlackNotifier(posting),
            groups=SlackGroups(client, directory),
        )
        parts = SlackParts(directory)
        bolt = build_bolt_app(settings, core.service, client, parts)
        server = HttpServer(bolt, "127.0.0.1", 0)
        await server.start()
        session = aiohttp.ClientSession()
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        try:
            yield SlackBot(fake, core, bolt, parts, url, clock, session)
        finally:
            fake.release_hangs()
            await parts.tasks.drain(timeout=15)
            await session.close()
            await server.close()
            await core.close()
            await api_session.close()
        assert fake.violations == []
