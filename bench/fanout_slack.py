"""Slack fan-out: 500 channels of one workspace due in the same minute, through the real Slack messenger.

Set-up: a ``FakeSlack`` on 127.0.0.1 that enforces Slack's posting limits on ``chat.postMessage``
(``limit_posts``: at most 2 posts per channel in any second, at most 300 per workspace in any
minute; beyond either a 429 with ``Retry-After``); a fresh SQLite database with the 500 channels
scheduled and due at ``common.NOW``; the bundled bank; the core built as ``dailyq run slack``
builds it (the posting client on the shared session, ``SlackMessenger`` with its default pacer)
on a fixed clock standing at ``NOW``.

Measured: ``app.start()`` runs the rounds logic at once (everything is due); the clock starts
there and stops when the 500th channel's post arrives at the fake. Exactly one post per channel
(checked on the fake) and 500 open rounds (checked in the database), else ``RuntimeError``.

The pacing floor: the messenger sends one workspace's posts ``pacing.WORKSPACE_RATE`` a second
(4/s, 240 a minute: under Slack's several hundred a minute, leaving room for reveals, ephemerals
and other apps' traffic), each channel at most once a second. 500 posts in one workspace cannot
go faster than the first at once and one every 0.25 s after it: 499 / 4 = 124.75 s.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from adapters.pacing import WORKSPACE_RATE
from adapters.slack_adapter.bank_listeners import SlackNotifier
from adapters.slack_adapter.client import make_client, open_session
from adapters.slack_adapter.messenger import SlackMessenger
from adapters.slack_adapter.settings import SlackSettings
from bench import seed
from bench.common import NOW, Figure, FixedClock, scratch_dir, sqlite_url
from bot.app import build_app
from bot.bank.model import load_bank
from bot.config import BUNDLED_BANK, Settings
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_payloads import TEAM_ID
from tests.support import secrets

CHANNELS = 500
FLOOR_S = (CHANNELS - 1) / WORKSPACE_RATE
GOAL_RATIO = 1.1
PER_CHANNEL_SECOND = 2
PER_WORKSPACE_MINUTE = 300
RUN_TIMEOUT_S = 400.0
TICK = timedelta(minutes=10)  # the first timer run does the whole fan-out (see bench/fanout.py)


@dataclass(frozen=True)
class SlackRun:
    """What one Slack fan-out took."""

    total_s: float  # rounds logic started -> 500th post arrived
    first_post_s: float
    posts: int
    rate_limited: int
    calls: Counter[str]  # Web API calls during the fan-out, by method


def open_rounds(path: Path) -> int:
    """How many rounds the database holds as open (posted)."""
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM rounds WHERE state = 'open'").fetchone()[0])
    finally:
        con.close()


async def fan_out(tmp: Path) -> SlackRun:
    """One fan-out of ``CHANNELS`` due posts in one workspace through the Slack messenger."""
    channel_ids = [f"C0FAN{i:04d}" for i in range(CHANNELS)]
    async with FakeSlack() as fake:
        fake.limit_posts(PER_CHANNEL_SECOND, PER_WORKSPACE_MINUTE)
        path = tmp / "dailyq.db"
        await asyncio.to_thread(
            seed.scheduled_channels_db, path, CHANNELS, platform="slack",
            workspaces=[TEAM_ID], channel_ids=channel_ids, next_post=NOW,
        )  # fmt: skip
        slack = SlackSettings(  # type: ignore[call-arg]
            bot_token=SecretStr(secrets.SLACK_BOT_TOKEN),
            signing_secret=SecretStr("unused: no requests come in"),
            api_url=fake.api_url,
            _env_file=None,
        )
        session = open_session()
        posting = make_client(slack, session=session, posting=True)
        messenger = SlackMessenger(posting)
        core = Settings(_env_file=None, database_url=sqlite_url(path), tick=TICK)  # type: ignore[call-arg]
        app = await build_app(
            core, messenger, FixedClock(NOW), load_bank([BUNDLED_BANK]),
            nudger=messenger, notifier=SlackNotifier(posting),
        )  # fmt: skip
        before = len(fake.recorded)
        try:
            started = time.monotonic()
            await asyncio.wait_for(app.start(), RUN_TIMEOUT_S)
        finally:
            await app.close()
            await session.close()
        during = fake.recorded[before:]
        per_channel = Counter(ch for ch in channel_ids for _ in fake.messages(ch))
        wrong = [ch for ch in channel_ids if per_channel[ch] != 1]
        if wrong:
            raise RuntimeError(f"{len(wrong)} channels without exactly one post (e.g. {wrong[:3]})")
        opened = open_rounds(path)
        if opened != CHANNELS:
            raise RuntimeError(f"{opened} rounds open after the fan-out, expected {CHANNELS}")
        arrivals = [c.time for c in during if c.method == "chat.postMessage"]
        return SlackRun(
            total_s=max(arrivals) - started,
            first_post_s=min(arrivals) - started,
            posts=sum(per_channel.values()),
            rate_limited=fake.rate_limited,
            calls=Counter(c.method for c in during),
        )


def run() -> list[Figure]:
    """The Slack fan-out row."""
    with scratch_dir("fanout-slack") as tmp:
        result = asyncio.run(fan_out(tmp))
    ratio = result.total_s / FLOOR_S
    calls = ", ".join(f"{n:,} {method}" for method, n in result.calls.most_common())
    return [
        Figure(
            f"daily fan-out ({CHANNELS:,} Slack channels, one workspace)",
            f"{result.total_s:.1f} s (first post at {result.first_post_s:.2f} s, then "
            f"{(CHANNELS - 1) / (result.total_s - result.first_post_s):.2f} posts/s); {result.posts:,} "
            f"posts, one per channel; {result.rate_limited} x 429 from a fake enforcing "
            f"{PER_CHANNEL_SECOND}/s per channel and {PER_WORKSPACE_MINUTE}/min per workspace; "
            f"calls: {calls}",
            f"pacing floor {CHANNELS - 1} / {WORKSPACE_RATE:g} posts/s = {FLOOR_S:.2f} s",
            f"{ratio:.3f}",
            f"<= {GOAL_RATIO} x floor, zero 429s",
            ratio <= GOAL_RATIO and result.rate_limited == 0,
        )
    ]
