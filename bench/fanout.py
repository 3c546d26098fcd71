"""Daily fan-out: 1,000 channels due in the same minute, posted through the real Discord adapter.

Set-up (fresh for every repeat):

- a ``FakeDiscord`` on 127.0.0.1 that enforces Discord's global limit of 50 requests per second
  per bot token (sliding one-second window; beyond it a global 429, as Discord answers), with
  1,000 text channels spread over two guilds (Discord caps a guild at 500 channels);
- a fresh SQLite database (the app's migrations, ``seed.scheduled_channels_db``) with those 1,000
  channels scheduled and due at ``common.NOW``, the bundled bank, and the core on a fixed clock
  standing at ``NOW``;
- the bot built exactly as ``dailyq run discord`` builds it (``adapters.discord_adapter.main.build``,
  default settings, so the messenger's own pacer at ``DISCORD_REQUESTS_PER_SECOND``'s default),
  connected to the fake gateway.

Measured: once the bot is ready, ``app.start()`` starts the rounds timer, which runs the rounds
logic at once (everything is due); the clock starts there. It stops when the last of the 1,000
channels' posts (``POST /channels/{id}/messages`` answered 200) arrives at the fake, so it covers
claiming the 1,000 rounds, the paced sends and recording each post. The run must deliver exactly one
message to each of the 1,000 channels (checked on the fake) and leave 1,000 open rounds (checked
in the database); anything else raises.

Baseline: the floor of 1,000 posts / 50 requests per second = 20 s, what a bot sending exactly one
request per post at the limit would need. The result also shows posts/s, how many REST requests
the fan-out cost per post, the process CPU per post (bot, core and fake share the process), the
busiest one-second window the fake saw and how many 429s it sent.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from adapters.discord_adapter import main
from adapters.discord_adapter.messenger import DiscordMessenger
from adapters.discord_adapter.settings import DEFAULT_REQUESTS_PER_SECOND, DiscordSettings
from adapters.pacing import Pacer
from bench import fanout_slack, seed
from bench.common import NOW, Figure, FixedClock, median, scratch_dir, sqlite_url
from bot.app import App
from bot.bank.model import load_bank
from bot.config import BUNDLED_BANK, Settings
from tests.fakes.discord_payloads import text_channel_payload
from tests.fakes.discord_traffic import RecordedRequest
from tests.fakes.fake_discord import FakeDiscord
from tests.support import secrets

CHANNELS = 1_000
GUILDS = 2
FAKE_LIMIT = 50  # requests per second the fake enforces (Discord's global limit)
FLOOR_S = CHANNELS / FAKE_LIMIT
GOAL_RATIO = 1.1
REPEATS = 2
READY_TIMEOUT_S = 10.0
RUN_TIMEOUT_S = 180.0
# The timer's first run does the whole fan-out; a 30 s safety tick would only queue behind it
# (and be cancelled at teardown), so it is pushed out of the way, as tests/core/test_timer.py does.
TICK = timedelta(minutes=10)
POST_PATH = "POST /channels/{id}/messages"


@dataclass(frozen=True)
class Run:
    """What one fan-out took and cost."""

    total_s: float  # rounds logic started -> 1,000th post arrived at the fake
    first_post_s: float  # rounds logic started -> first post arrived (claiming the rounds)
    posts: int  # messages the fake stored in the 1,000 channels
    requests: Counter[str]  # REST requests during the fan-out, by method and route
    rate_limited: int  # 429s the fake answered
    peak_per_s: int  # most rate-limited requests the fake saw in one second
    pacer: tuple[float, int]  # the messenger's pacer: sustained rate, burst
    cpu_s: float  # CPU time of the process (bot, core, SQLite thread and the fake) during the fan-out


def route_of(rec: RecordedRequest) -> str:
    """``METHOD /path`` with ids replaced by ``{id}``."""
    parts = ["{id}" if part.isdigit() else part for part in rec.path.split("/")]
    return f"{rec.method} {'/'.join(parts)}"


def peak_in_window(times: list[float], window: float = 1.0) -> int:
    """The most timestamps in any half-open window of ``window`` seconds."""
    ordered = sorted(times)
    peak, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def add_channels(fake: FakeDiscord, count: int) -> list[str]:
    """Add ``count`` text channels, round-robin over the fake's guilds; their ids in order.

    Channel ``i`` goes to guild ``i % len(fake.guilds)``, as ``seed.scheduled_channels_db`` expects.
    """
    ids = []
    for i in range(count):
        guild = fake.guilds[i % len(fake.guilds)]
        channel = text_channel_payload(fake.ids.next(), guild.id, f"team-{i}", len(guild.channels))
        guild.channels.append(channel)
        ids.append(str(channel["id"]))
    return ids


def bot_pacer(app: App) -> Pacer:
    """The pacer the Discord messenger behind ``app`` sends through."""
    messenger = app.messenger
    if not isinstance(messenger, DiscordMessenger):
        raise TypeError(f"not the Discord messenger: {messenger!r}")
    return messenger.pacer


def open_rounds(path: Path) -> int:
    """How many rounds the database holds as open (posted)."""
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM rounds WHERE state = 'open'").fetchone()[0])
    finally:
        con.close()


def check_posts(fake: FakeDiscord, channel_ids: list[str]) -> int:
    """Exactly one message in each channel (raises otherwise); the number of messages."""
    per_channel = Counter(str(m["channel_id"]) for m in fake.messages.values())
    wrong = {cid: per_channel[cid] for cid in channel_ids if per_channel[cid] != 1}
    strays = set(per_channel) - set(channel_ids)
    if wrong or strays:
        sample = dict(list(wrong.items())[:5])
        raise RuntimeError(
            f"fan-out delivered {sum(per_channel.values())} messages: {len(wrong)} channels without "
            f"exactly one (e.g. {sample}), {len(strays)} unexpected channels"
        )
    return sum(per_channel[cid] for cid in channel_ids)


async def fan_out(tmp: Path) -> Run:
    """One fan-out of ``CHANNELS`` due posts through the Discord adapter to a rate-limited fake."""
    fake = FakeDiscord(guild_count=GUILDS, global_rate_limit=FAKE_LIMIT, global_rate_window=1.0)
    async with fake:
        channel_ids = add_channels(fake, CHANNELS)  # before the bot connects: in GUILD_CREATE
        path = tmp / "dailyq.db"
        await asyncio.to_thread(
            seed.scheduled_channels_db, path, CHANNELS, platform="discord",
            workspaces=[g.id for g in fake.guilds], channel_ids=channel_ids, next_post=NOW,
        )  # fmt: skip
        settings = DiscordSettings(  # explicit values win over the environment
            _env_file=None, DISCORD_TOKEN=secrets.DISCORD_TOKEN, DISCORD_GUILD_ID=None,
            DISCORD_SHARD_COUNT=None, DISCORD_SHARD_IDS=None,
            DISCORD_REQUESTS_PER_SECOND=DEFAULT_REQUESTS_PER_SECOND,
        )  # type: ignore[call-arg]  # fmt: skip
        core = Settings(_env_file=None, database_url=sqlite_url(path), tick=TICK)  # type: ignore[call-arg]
        bank = load_bank([BUNDLED_BANK])
        bot, app = await main.build(settings, core, clock=FixedClock(NOW), bank=bank, guild_ready_timeout=0.1)
        pacer = bot_pacer(app)
        runner = asyncio.create_task(bot.start(secrets.DISCORD_TOKEN))
        try:
            if not await asyncio.wait_for(main.until_ready(bot, runner), READY_TIMEOUT_S):
                runner.result()
                raise RuntimeError("the bot stopped before it was ready")
            before = len(fake.requests)
            started, cpu_started = time.monotonic(), time.process_time()
            await asyncio.wait_for(app.start(), RUN_TIMEOUT_S)  # the first run does every due post
            cpu_s = time.process_time() - cpu_started
            during = fake.requests[before:]
        finally:
            await bot.close()
            await asyncio.wait_for(runner, 10)
            await app.close()
        arrivals: dict[str, float] = {}  # channel -> arrival of its first accepted post
        wanted = set(channel_ids)
        for r in during:
            channel = r.path.split("/")[2] if route_of(r) == POST_PATH else ""
            if r.status == 200 and channel in wanted:
                arrivals.setdefault(channel, r.time)
        if len(arrivals) < CHANNELS:
            raise RuntimeError(f"only {len(arrivals)} of {CHANNELS} channels got a post accepted")
        delivered = check_posts(fake, channel_ids)
        opened = open_rounds(path)
        if opened != CHANNELS:
            raise RuntimeError(f"{opened} rounds open after the fan-out, expected {CHANNELS}")
        limited = [r.time for r in during if not r.path.startswith(("/interactions/", "/webhooks/"))]
        return Run(
            total_s=max(arrivals.values()) - started,
            first_post_s=min(arrivals.values()) - started,
            posts=delivered,
            requests=Counter(route_of(r) for r in during),
            rate_limited=fake.rate_limited_count,
            peak_per_s=peak_in_window(limited),
            pacer=(pacer.rate, pacer.burst),
            cpu_s=cpu_s,
        )


def describe(runs: list[Run], total: float) -> str:
    """The result column: time and rate, what a post cost, the fake's view, and the pacer."""
    first = median([r.first_post_s for r in runs])
    sending = median([(CHANNELS - 1) / (r.total_s - r.first_post_s) for r in runs])
    requests: Counter[str] = sum((r.requests for r in runs), Counter())
    per_post = sum(requests.values()) / sum(r.posts for r in runs)
    kinds = ", ".join(f"{n / len(runs):,.0f} {route}" for route, n in requests.most_common())
    pacer = runs[0].pacer
    cpu_ms = median([1000 * r.cpu_s / r.posts for r in runs])
    return (
        f"{total:.1f} s, {CHANNELS / total:.1f} posts/s (median of {len(runs)}: "
        f"{' / '.join(f'{r.total_s:.1f}' for r in runs)} s; first post at {first:.1f} s, then "
        f"{sending:.1f} posts/s); {per_post:.2f} requests per post ({kinds}); busiest second "
        f"{max(r.peak_per_s for r in runs)} requests; {sum(r.rate_limited for r in runs)} x 429; "
        f"posts arrived: {' / '.join(f'{r.posts:,}' for r in runs)}, one per channel; {cpu_ms:.1f} ms "
        f"CPU per post (bot, core and fake in one process); adapter pacer {pacer[0]:g}/s + burst {pacer[1]}"
    )


def run() -> list[Figure]:
    """The daily fan-out rows: Discord, then Slack (bench/fanout_slack.py)."""
    runs = []
    for repeat in range(REPEATS):
        with scratch_dir(f"fanout-{repeat}") as tmp:
            runs.append(asyncio.run(fan_out(tmp)))
    total = median([r.total_s for r in runs])
    ratio = total / FLOOR_S
    limited = sum(r.rate_limited for r in runs)
    return [
        Figure(
            f"daily fan-out ({CHANNELS:,} Discord channels)",
            describe(runs, total),
            f"floor {CHANNELS:,} / {FAKE_LIMIT} req/s = {FLOOR_S:.0f} s",
            f"{ratio:.2f}",
            f"<= {GOAL_RATIO} x floor, zero 429s",
            ratio <= GOAL_RATIO and limited == 0,
        ),
        *fanout_slack.run(),
    ]
