"""Reminder fan-out: 1,000 members of one Discord server reminded by DM, through the real adapter.

Set-up (fresh for every repeat):

- a ``FakeDiscord`` on 127.0.0.1 enforcing Discord's global limit of 50 requests per second (as
  ``bench.fanout``), one guild with 1,000 members and the #daily channel;
- a fresh SQLite database (the app's migrations) in which the channel has an open round revealed
  in 2 h and every member opted in with ``remind on 2h`` (so all 1,000 reminders are due at once);
- the bot built exactly as ``dailyq run discord`` builds it (``main.build``: the messenger is the
  nudger, with its own pacer at the default rate), connected to the fake gateway.

Measured: once the bot is ready, ``app.start()`` runs the rounds logic, whose reminder fan-out
claims the 1,000 reminders (50 per transaction) and sends each as a DM (open the DM channel, then
post: two requests). The clock stops when the last DM arrives at the fake. Every member must have
exactly one DM and every claim must be recorded as sent; anything else raises.

Baseline: the floor of 2,000 requests / 50 per second = 40 s.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import time as day_time
from datetime import timedelta
from pathlib import Path

from adapters.discord_adapter import main
from adapters.discord_adapter.settings import DEFAULT_REQUESTS_PER_SECOND, DiscordSettings
from bench.common import NOW, Figure, FixedClock, InstantMessenger, median, scratch_dir, sqlite_url
from bench.fanout import FAKE_LIMIT, READY_TIMEOUT_S, TICK, peak_in_window, route_of
from bot.app import build_app
from bot.bank.model import load_bank
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, Remind
from bot.config import BUNDLED_BANK, Settings
from bot.context import Context
from tests.fakes.discord_payloads import member_payload, user_payload
from tests.fakes.fake_discord import FakeDiscord
from tests.support import secrets

MEMBERS = 1_000
REQUESTS_PER_REMINDER = 2
FLOOR_S = MEMBERS * REQUESTS_PER_REMINDER / FAKE_LIMIT
GOAL_RATIO = 1.25
REPEATS = 1
RUN_TIMEOUT_S = 240.0


@dataclass(frozen=True)
class Run:
    """What one reminder fan-out took and cost."""

    total_s: float
    dms: int
    requests: Counter[str]
    rate_limited: int
    peak_per_s: int


def add_members(fake: FakeDiscord, count: int) -> list[str]:
    """``count`` plain members in the fake's guild; their user ids."""
    guild = fake.guild
    ids = []
    for n in range(count):
        user = user_payload(fake.ids.next(), f"member{n:04d}")
        guild.members[f"m{n:04d}"] = member_payload(user, [])
        ids.append(str(user["id"]))
    return ids


async def seed(path: Path, guild_id: str, channel_id: str, member_ids: list[str]) -> None:
    """An open round in #daily revealed in 2 h, and every member's ``remind on 2h``."""
    bank = load_bank([BUNDLED_BANK])
    settings = Settings(_env_file=None, database_url=sqlite_url(path))  # type: ignore[call-arg]
    app = await build_app(settings, InstantMessenger(), FixedClock(NOW), bank)
    try:
        admin = Context("discord", guild_id, channel_id, "admin", "admin", is_admin=True)
        await app.service.handle(admin, ConfigureDaily(day_time(9, 0), reveal_after=timedelta(hours=2)))
        await app.service.handle(admin, ManageDaily(DailyAction.NOW))
        for user_id in member_ids:
            ctx = Context("discord", guild_id, channel_id, user_id, user_id)
            await app.service.handle(ctx, Remind(on=True, lead=timedelta(hours=2)))
    finally:
        await app.close()


def sent_states(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT state, count(*) FROM reminders_sent GROUP BY state").fetchall())
    finally:
        con.close()


async def fan_out(tmp: Path) -> Run:
    """One reminder fan-out to ``MEMBERS`` members through the Discord adapter."""
    fake = FakeDiscord(global_rate_limit=FAKE_LIMIT, global_rate_window=1.0)
    async with fake:
        member_ids = add_members(fake, MEMBERS)
        path = tmp / "dailyq.db"
        await seed(path, fake.guild.id, fake.guild.channel_id("daily"), member_ids)
        settings = DiscordSettings(
            _env_file=None, DISCORD_TOKEN=secrets.DISCORD_TOKEN, DISCORD_GUILD_ID=None,
            DISCORD_SHARD_COUNT=None, DISCORD_SHARD_IDS=None,
            DISCORD_REQUESTS_PER_SECOND=DEFAULT_REQUESTS_PER_SECOND,
        )  # type: ignore[call-arg]  # fmt: skip
        core = Settings(_env_file=None, database_url=sqlite_url(path), tick=TICK)  # type: ignore[call-arg]
        bot, app = await main.build(settings, core, clock=FixedClock(NOW), bank=load_bank([BUNDLED_BANK]),
                                    guild_ready_timeout=0.1)  # fmt: skip
        runner = asyncio.create_task(bot.start(secrets.DISCORD_TOKEN))
        try:
            if not await asyncio.wait_for(main.until_ready(bot, runner), READY_TIMEOUT_S):
                runner.result()
                raise RuntimeError("the bot stopped before it was ready")
            before = len(fake.requests)
            started = time.monotonic()
            await asyncio.wait_for(app.start(), RUN_TIMEOUT_S)
            during = fake.requests[before:]
        finally:
            await bot.close()
            await asyncio.wait_for(runner, 10)
            await app.close()
        dm_ids = {str(c["id"]) for c in fake.dm_channels.values()}
        per_dm = Counter(
            str(m["channel_id"]) for m in fake.messages.values() if str(m["channel_id"]) in dm_ids
        )
        if len(fake.dm_channels) != MEMBERS or set(per_dm.values()) != {1} or len(per_dm) != MEMBERS:
            raise RuntimeError(
                f"{len(per_dm)} members got DMs ({sum(per_dm.values())} DMs), expected {MEMBERS}"
            )
        states = sent_states(path)
        if states != {"sent": MEMBERS}:
            raise RuntimeError(f"reminder claims after the fan-out: {states}")
        arrivals = [r.time for r in during if r.status == 200 and r.path.split("/")[2:3] and
                    r.path.split("/")[2] in dm_ids]  # fmt: skip
        return Run(
            total_s=max(arrivals) - started,
            dms=sum(per_dm.values()),
            requests=Counter(route_of(r) for r in during),
            rate_limited=fake.rate_limited_count,
            peak_per_s=peak_in_window([r.time for r in during]),
        )


def run() -> list[Figure]:
    """The reminder fan-out figure."""
    runs = []
    for _ in range(REPEATS):
        with scratch_dir("reminders") as tmp:
            runs.append(asyncio.run(fan_out(tmp)))
    total = median([r.total_s for r in runs])
    requests: Counter[str] = sum((r.requests for r in runs), Counter())
    per_reminder = sum(requests.values()) / (MEMBERS * len(runs))
    limited = sum(r.rate_limited for r in runs)
    result = (
        f"{total:.1f} s, {MEMBERS / total:.1f} reminders/s (median of {len(runs)}); "
        f"{per_reminder:.2f} requests per reminder ("
        + ", ".join(f"{n:,} {route}" for route, n in requests.most_common(3))
        + f"); busiest second {max(r.peak_per_s for r in runs)} requests; {limited} x 429; "
        f"{runs[0].dms:,} DMs, one per member; every claim recorded as sent"
    )
    ratio = total / FLOOR_S
    return [
        Figure(
            "reminder fan-out (1,000 Discord members, DMs)",
            result,
            f"floor {MEMBERS * REQUESTS_PER_REMINDER:,} requests / {FAKE_LIMIT} req/s = {FLOOR_S:.0f} s",
            f"{ratio:.2f}",
            f"<= {GOAL_RATIO} x floor, zero 429s",
            ratio <= GOAL_RATIO and limited == 0,
        )
    ]
