"""SIGTERM and SIGINT stop every bot process within 5 s, exit 0, no traceback; a restart finishes
the work once: ``run slack`` retrying an unreachable Slack, ``run discord`` mid fan-out against
the fake Discord, ``play --serve`` mid reveal."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.app import build_app
from bot.bank.model import Bank
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, SubmitAnswer
from bot.config import Settings
from bot.context import Context
from bot.store.tables import channels, rounds
from tests.fakes.discord_payloads import text_channel_payload
from tests.fakes.fake_discord import FakeDiscord
from tests.support import secrets
from tests.support.messenger import RecordingMessenger

ROOT = Path(__file__).resolve().parents[2]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


pytestmark = pytest.mark.slow
STOP_WITHIN_S = 5.0
# `dailyq run discord` with discord.py pointed at the fake (what its tests patch in-process)
DISCORD_CHILD = (
    "import sys, discord, yarl\n"
    "discord.http.Route.BASE = sys.argv[1]\n"
    "discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])\n"
    "from adapters.cli import main\n"
    "main(['run', 'discord'])\n"
)


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment minus any platform or dailyq setting, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DAILYQ_", "DISCORD_")) and k not in ("PORT", "DATABASE_URL")
    }
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=sqlite_url(tmp_path / "bot.db"), DAILYQ_TICK="1s")
    env.update(extra)
    return env


async def spawn(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            *args, env=env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out
        )


async def wait_until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def stop(proc: asyncio.subprocess.Process, sig: signal.Signals = signal.SIGTERM) -> tuple[int, float]:
    """Send ``sig``; the exit code and how long the process took to end (killed after 10 s)."""
    started = time.monotonic()
    proc.send_signal(sig)
    try:
        code = await asyncio.wait_for(proc.wait(), 10)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return -9, time.monotonic() - started
    return code, time.monotonic() - started


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_run_slack_retries_an_unreachable_slack_quietly_and_stops_on_a_signal(
    tmp_path: Path, sig: signal.Signals
) -> None:
    port = 9  # the discard port: nothing listens on 127.0.0.1
    env = child_env(
        tmp_path,
        SLACK_BOT_TOKEN=secrets.SLACK_BOT_TOKEN,
        SLACK_APP_TOKEN=secrets.SLACK_APP_TOKEN,
        SLACK_API_URL=f"http://127.0.0.1:{port}/api/",
    )
    log = tmp_path / "slack.log"
    proc = await spawn([sys.executable, "-m", "adapters", "run", "slack"], env, tmp_path, log)
    await wait_until(lambda: log.read_text().count("cannot reach Slack") >= 2, 30, "two attempts")
    code, took = await stop(proc, sig)
    out = log.read_text()
    assert (code, "Traceback" in out) == (0, False), out
    assert took < STOP_WITHIN_S
    attempts = [line for line in out.splitlines() if "cannot reach Slack" in line]
    assert "at 127.0.0.1:9 (attempt 1, ClientConnectorError" in attempts[0]
    assert "check the network, a proxy or firewall, and SLACK_API_URL if set; retrying in 1s" in attempts[0]
    assert "(attempt 2," in attempts[1] and "retrying in 2s" in attempts[1]  # backing off
    # one line per attempt: nothing else is logged while retrying
    assert len(out.splitlines()) <= len(attempts) + 2, out
    assert secrets.SLACK_APP_TOKEN not in out and secrets.SLACK_BOT_TOKEN not in out


async def test_run_discord_retries_an_unreachable_discord_quietly_and_stops(tmp_path: Path) -> None:
    env = child_env(tmp_path, DISCORD_TOKEN=secrets.DISCORD_TOKEN)
    argv = [sys.executable, "-c", DISCORD_CHILD, "http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9/gateway"]
    log = tmp_path / "discord.log"
    proc = await spawn(argv, env, tmp_path, log)
    await wait_until(lambda: log.read_text().count("cannot reach Discord") >= 2, 30, "two attempts")
    code, took = await stop(proc)
    out = log.read_text()
    assert (code, "Traceback" in out) == (0, False), out
    assert took < STOP_WITHIN_S
    attempts = [line for line in out.splitlines() if "cannot reach Discord" in line]
    assert "at 127.0.0.1:9 (attempt 1, ClientConnectorError" in attempts[0]
    assert "check the network, a proxy or firewall (discord.com" in attempts[0]
    assert "(attempt 2," in attempts[1] and "retrying in 2s" in attempts[1]
    assert secrets.DISCORD_TOKEN not in out


CHANNELS = 40


async def schedule_discord_channels(db: Path, guild_id: str, channel_ids: list[str], bank: Bank) -> None:
    """Every channel scheduled, with its post due now (so the bot's first run is a fan-out)."""
    app = await build_app(Settings(database_url=sqlite_url(db)), RecordingMessenger(), bank=bank)
    try:
        for cid in channel_ids:
            ctx = Context("discord", guild_id, cid, "1", "admin", is_admin=True)
            await app.service.handle(ctx, ConfigureDaily(post_time=clock_time(9, 0), timezone="UTC"))
        async with app.engine.begin() as conn:
            await conn.execute(update(channels).values(next_post_at=datetime.now(UTC)))
    finally:
        await app.close()


async def test_run_discord_stops_mid_fan_out_and_a_restart_posts_the_rest_once(
    tmp_path: Path, bank: Bank
) -> None:
    async with FakeDiscord() as fake:
        guild = fake.guild
        ids = []
        for i in range(CHANNELS):
            payload = text_channel_payload(fake.ids.next(), guild.id, f"team-{i}", len(guild.channels))
            guild.channels.append(payload)
            ids.append(str(payload["id"]))
        await schedule_discord_channels(tmp_path / "bot.db", str(guild.id), ids, bank)
        env = child_env(
            tmp_path,
            DISCORD_TOKEN=secrets.DISCORD_TOKEN,
            DISCORD_REQUESTS_PER_SECOND="8",  # a fan-out of 40 posts takes about 5 s
            DAILYQ_LEASE="2s",  # a post abandoned mid-way is taken over soon after the restart
        )
        argv = [sys.executable, "-c", DISCORD_CHILD, fake.base_url, fake.gateway_url]

        def posted() -> Counter[str]:
            return Counter(str(m["channel_id"]) for m in fake.messages.values())

        first = await spawn(argv, env, tmp_path, tmp_path / "first.log")
        await wait_until(lambda: sum(posted().values()) >= 8, 60, "the fan-out to start")
        code, took = await stop(first)
        out = (tmp_path / "first.log").read_text()
        assert (code, "Traceback" in out) == (0, False), out
        assert took < STOP_WITHIN_S
        before = sum(posted().values())
        assert before < CHANNELS, "the fan-out was over before the stop: nothing was tested"

        second = await spawn(argv, env, tmp_path, tmp_path / "second.log")
        try:
            await wait_until(lambda: len(posted()) == CHANNELS, 60, "every channel posted")
            await asyncio.sleep(1.5)  # a double post would show up now
        finally:
            code, _ = await stop(second)
        out = (tmp_path / "second.log").read_text()
        assert (code, "Traceback" in out) == (0, False), out
    assert posted() == Counter(dict.fromkeys(ids, 1))  # every channel exactly once
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        states = conn.execute("SELECT state, count(*) FROM rounds GROUP BY state").fetchall()
    assert states == [("open", CHANNELS)]


READERS = 300


async def open_console_rounds(db: Path, bank: Bank) -> None:
    """``READERS`` console channels, each with a posted round and one answer, reveal due now."""
    app = await build_app(Settings(database_url=sqlite_url(db)), RecordingMessenger(), bank=bank)
    try:
        for n in range(READERS):
            ctx = Context("console", "local", f"room-{n}", f"user-{n}", f"user-{n}", is_admin=True)
            await app.service.handle(ctx, ConfigureDaily(post_time=clock_time(9, 0), timezone="UTC"))
            await app.service.handle(ctx, ManageDaily(DailyAction.NOW))
            await app.service.handle(ctx, SubmitAnswer(text=f"answer {n} averaging reduces variance"))
        async with app.engine.begin() as conn:
            await conn.execute(update(rounds).values(reveal_at=datetime.now(UTC)))
    finally:
        await app.close()


async def test_play_serve_stops_mid_reveal_and_a_restart_reveals_the_rest_once(
    tmp_path: Path, bank: Bank
) -> None:
    db, transcript = tmp_path / "bot.db", tmp_path / "transcript.jsonl"
    await open_console_rounds(db, bank)
    env = child_env(tmp_path, DAILYQ_LEASE="2s")
    argv = [sys.executable, "-m", "adapters", "play", "--db", str(db), "--transcript", str(transcript)]
    argv += ["--user", "host", "--serve"]

    def reveals() -> list[int]:
        if not transcript.exists():
            return []
        entries = [json.loads(line) for line in transcript.read_text().splitlines() if line.strip()]
        return [e["round_id"] for e in entries if e["kind"] == "reply"]

    first = await spawn(argv, env, tmp_path, tmp_path / "first.log")
    await wait_until(lambda: len(reveals()) >= 10, 60, "reveals to start")
    code, took = await stop(first)
    out = (tmp_path / "first.log").read_text()
    assert (code, "Traceback" in out) == (0, False), out[-3000:]
    assert took < STOP_WITHIN_S
    assert len(reveals()) < READERS, "every reveal was done before the stop: nothing was tested"

    second = await spawn(argv, env, tmp_path, tmp_path / "second.log")
    try:
        await wait_until(lambda: len(set(reveals())) >= READERS, 90, "every round revealed")
        await asyncio.sleep(1.5)
    finally:
        code, _ = await stop(second, signal.SIGINT)
    assert code == 0 and "Traceback" not in (tmp_path / "second.log").read_text()
    assert len(reveals()) == len(set(reveals())) == READERS  # each revealed once
    with sqlite3.connect(db) as conn:
        states = conn.execute(
            "SELECT state, scored, count(*) FROM rounds JOIN channels c ON c.id = channel_pk"
            " WHERE c.channel_id LIKE 'room-%' GROUP BY 1, 2"
        ).fetchall()  # (the terminal channel of the host has a round of its own)
        # every answer scored exactly once: one answer counted per user in the all-time standings
        counted = conn.execute(
            "SELECT sum(answers), count(*) FROM standings WHERE \"window\" = 'all'"
        ).fetchone()
    assert states == [("revealed", 1, READERS)]
    assert tuple(counted) == (READERS, READERS)
