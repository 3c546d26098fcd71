"""Prometheus metrics scraped from ``/metrics`` during a Discord fan-out and a Slack answer burst
against the fakes: the counts are exactly what the test sent."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from adapters.metrics import MetricsServer, PrometheusMetrics
from adapters.pacing import Pacer
from bot.bank.model import Bank
from bot.commands import ConfigureDaily
from bot.context import Context
from bot.store.tables import channels
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, running_slack_bot, slack_bank
from tests.fakes.discord_payloads import text_channel_payload
from tests.fakes.fake_discord import FakeDiscord
from tests.support.clock import FakeClock
from tests.support.discord_harness import MESSAGES, running_bot

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(server: MetricsServer) -> Samples:
    """Every sample of ``/metrics``, by name and labels."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.bound_port}/metrics") as res,
    ):
        assert res.status == 200 and res.headers["Content-Type"].startswith("text/plain")
        text = await res.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


CHANNELS = 20


async def test_a_discord_fan_out_counts_posts_429s_pacer_waits_and_the_backlog(tmp_path: Path) -> None:
    metrics = PrometheusMetrics()
    async with FakeDiscord() as fake:
        guild = fake.guild
        ids = []
        for i in range(CHANNELS):
            payload = text_channel_payload(fake.ids.next(), guild.id, f"team-{i}", len(guild.channels))
            guild.channels.append(payload)
            ids.append(str(payload["id"]))
        clock = FakeClock()
        # 10 posts/s: the fan-out of 20 takes about 2 s, long enough to scrape in the middle
        async with running_bot(
            fake, tmp_path, clock=clock, pacer=Pacer(rate=10, burst=1), metrics=metrics
        ) as bot:
            server = MetricsServer(metrics, 0, bot.app.dispatcher.backlog, host="127.0.0.1")
            await server.start()
            try:
                for cid in ids:
                    ctx = Context("discord", str(guild.id), cid, "1", "admin", is_admin=True)
                    await bot.app.service.handle(
                        ctx, ConfigureDaily(post_time=clock_time(9, 0), timezone="UTC")
                    )
                async with bot.app.engine.begin() as conn:
                    await conn.execute(update(channels).values(next_post_at=clock.now()))
                idle = await scrape(server)
                fake.rate_limit_next("POST", MESSAGES, times=2, retry_after=0.1)
                fan_out = asyncio.create_task(bot.app.dispatcher.run_due())
                await fake.wait_for_requests("POST", MESSAGES, count=6, timeout=10)
                during = await scrape(server)
                await asyncio.wait_for(fan_out, 30)
                after = await scrape(server)
            finally:
                await server.close()
    assert value(idle, "dailyq_rounds_due") == CHANNELS and value(idle, "dailyq_posts_total") == 0
    assert 0 < value(during, "dailyq_posts_total", platform="discord") < CHANNELS
    assert 0 < value(during, "dailyq_rounds_due") <= CHANNELS
    assert value(after, "dailyq_posts_total", platform="discord") == CHANNELS
    assert value(after, "dailyq_rounds_due") == 0 and value(after, "dailyq_rounds_overdue") == 0
    assert value(after, "dailyq_rate_limited_total", platform="discord") == fake.rate_limited_count == 2
    # every post took one pacer slot (discord.py retries a 429 itself); at 10/s most of them waited
    assert value(after, "dailyq_pacer_wait_seconds_count", platform="discord") == CHANNELS
    assert value(after, "dailyq_pacer_wait_seconds_sum", platform="discord") > 1.0
    assert value(after, "dailyq_command_seconds_count", command="ConfigureDaily") == CHANNELS
    assert value(after, "dailyq_send_retries_total", platform="discord") == 0


ANSWERS = 40


async def test_a_slack_answer_burst_counts_every_answer_and_its_latency(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank
) -> None:
    metrics = PrometheusMetrics()
    clock = FakeClock()
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock, metrics=metrics) as slack:
        server = MetricsServer(metrics, 0, slack.core.dispatcher.backlog, host="127.0.0.1")
        await server.start()
        try:
            await slack.command("daily set 09:30 Europe/Berlin reveal 4h", user=ADMIN_ID, name=ADMIN_NAME)
            slack.clock.advance(timedelta(minutes=30))
            slack.fake.fail_next("chat.postMessage", 1, status=429, retry_after=1)
            await slack.core.dispatcher.run_due()
            burst = asyncio.gather(
                *(
                    slack.command(f"answer bagging reduces variance {n}", user=f"U{n:04d}")
                    for n in range(ANSWERS)
                )
            )
            during = await scrape(server)
            await burst
            await slack.command("answer", user="U9999")  # an empty answer is refused: not counted
            slack.clock.advance(timedelta(hours=4))
            await slack.core.dispatcher.run_due()
            after = await scrape(server)
        finally:
            await server.close()
    assert 0 <= value(during, "dailyq_answers_total", platform="slack") <= ANSWERS
    assert value(after, "dailyq_answers_total", platform="slack") == ANSWERS
    assert value(after, "dailyq_command_seconds_count", command="SubmitAnswer") == ANSWERS + 1
    assert value(after, "dailyq_command_seconds_bucket", command="SubmitAnswer", le="+Inf") == ANSWERS + 1
    assert value(after, "dailyq_posts_total", platform="slack") == 1
    assert value(after, "dailyq_reveals_total", platform="slack") == 1
    assert value(after, "dailyq_rate_limited_total", platform="slack") == 1
    assert value(after, "dailyq_pacer_wait_seconds_count", platform="slack") >= 1


@pytest.mark.slow
async def test_dailyq_metrics_port_serves_metrics_from_a_bot_process(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAILYQ_", "SLACK_", "DISCORD_"))}
    env.update(
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        DAILYQ_METRICS_PORT=str(port),
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters", "run", "console",
        env=env, cwd=tmp_path, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(
            b"room1 ada daily set 09:00 UTC\nroom1 ada daily now\nroom1 bob answer it averages\n"
        )
        await proc.stdin.drain()
        seen = b""
        while b"[room1 bob]" not in seen:
            seen += await asyncio.wait_for(proc.stdout.read(4096), 30)
        await asyncio.sleep(0.3)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as res,
        ):
            text = await res.text()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 10)
    assert code == 0
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert value(samples, "dailyq_posts_total", platform="console") == 1
    assert value(samples, "dailyq_answers_total", platform="console") == 1
    assert value(samples, "dailyq_rounds_due") == 0


@pytest.mark.slow
async def test_play_serve_is_a_bot_process_and_serves_metrics_too(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAILYQ_", "SLACK_", "DISCORD_"))}
    env.update(PYTHONPATH=str(Path(__file__).resolve().parents[2]), DAILYQ_METRICS_PORT=str(port))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters", "play", "--db", str(tmp_path / "p.db"), "--user", "ada", "--serve",
        env=env, cwd=tmp_path, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"answer it averages bootstrap models\n")
        proc.stdin.close()
        seen = b""
        while b"Saved your answer" not in seen:
            seen += await asyncio.wait_for(proc.stdout.read(4096), 30)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as res,
        ):
            text = await res.text()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 10)
    assert code == 0
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert value(samples, "dailyq_answers_total", platform="console") == 1
    assert value(samples, "dailyq_posts_total", platform="console") == 1  # the terminal channel's round
