"""The adapter as a process: ``dailyq run slack`` settings errors, kill -9 mid-send, and Socket Mode."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.cli import build_parser
from adapters.slack_adapter.bolt_app import SocketServer, build_bolt_app
from adapters.slack_adapter.client import make_client
from adapters.slack_adapter.settings import SlackSettings
from bot.app import build_app
from bot.bank.model import Bank
from bot.config import Settings
from bot.store.tables import rounds
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SECRET, clear_slack_env
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_payloads import CHANNEL_ID, post_signed, slash_command
from tests.support import secrets
from tests.support.messenger import RecordingMessenger

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
# What `python -m adapters run slack` runs, for when the CLI does not offer `run slack` (yet)
DIRECT = "import asyncio, sys\nfrom adapters.slack_adapter.main import run\nsys.exit(asyncio.run(run()))\n"


def cli_runs_slack() -> bool:
    """Whether ``dailyq run slack`` is wired in ``adapters/cli.py``."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            build_parser().parse_args(["run", "slack"])
    except SystemExit:
        return False
    return True


def bot_argv() -> list[str]:
    """The command line of a bot process: the real CLI when it offers ``run slack``."""
    if cli_runs_slack():
        return [sys.executable, "-m", "adapters", "run", "slack"]
    return [sys.executable, "-c", DIRECT]


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process: this one's, minus any Slack or dailyq settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DAILYQ_")) and k not in ("PORT", "DATABASE_URL")
    }
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db", **extra)
    return env


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),  # Socket Mode is the default
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "eighty"}, "PORT"),
        ({"SLACK_BOT_TOKEN": "not-a-token-hunter2", "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ],
)
def test_bad_settings_print_one_line_naming_the_variable_and_exit_2(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    import subprocess

    if not cli_runs_slack():
        pytest.skip("adapters/cli.py does not offer `dailyq run slack`: the CLI wiring is missing")

    done = subprocess.run(
        [sys.executable, "-m", "adapters", "run", "slack"],
        env=child_env(tmp_path, **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and "hunter2" not in done.stderr


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """``python -m adapters run slack`` against the fake, restartable, killable with SIGKILL."""

    def __init__(self, env: dict[str, str], cwd: Path, port: int) -> None:
        self.env, self.cwd, self.port = env, cwd, port
        self.proc: asyncio.subprocess.Process | None = None
        self.log = cwd / "bot.log"

    async def start(self) -> None:
        """Start and wait until the HTTP endpoint answers."""
        with self.log.open("a") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *bot_argv(), env=self.env, cwd=self.cwd, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 20
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.proc.returncode is None, self.log.read_text()
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as res:
                        if res.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("bot did not start:\n" + self.log.read_text())

    async def kill(self) -> None:
        """kill -9, as a crash would."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        """Graceful stop (SIGTERM); the exit code must be 0."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(self.proc.wait(), 15) == 0, self.log.read_text()

    async def command(self, text: str, fake: FakeSlack) -> None:
        """A signed ``/question`` from the admin."""
        request = slash_command(
            text, response_url=fake.new_response_url(CHANNEL_ID), user_id=ADMIN_ID, user_name=ADMIN_NAME
        )
        reply = await post_signed(f"http://127.0.0.1:{self.port}/slack/events", request, secret=SECRET)
        assert reply.status == 200, reply.text


async def wait_for_state(db: str, state: str, timeout: float = 15) -> None:
    """Poll the bot's database until round 1 reaches ``state``."""
    engine = create_async_engine(db)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                found = (await conn.execute(select(rounds.c.state).where(rounds.c.id == 1))).scalar()
            if found == state:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"round 1 is {found!r}, not {state!r}")
    finally:
        await engine.dispose()


def keyed(fake: FakeSlack, prefix: str) -> list[dict[str, Any]]:
    """Messages in the test channel whose metadata key starts with ``prefix``."""
    return [
        m
        for m in fake.messages(CHANNEL_ID)
        if str(((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")).startswith(prefix)
    ]


async def test_kill_9_mid_post_and_mid_reveal_leaves_exactly_one_of_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_slack_env(monkeypatch)
    async with FakeSlack() as fake:
        fake.add_user(ADMIN_ID, name=ADMIN_NAME, is_admin=True)
        port = free_port()
        env = child_env(
            tmp_path,
            SLACK_BOT_TOKEN=secrets.SLACK_BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.api_url,
            PORT=str(port),
            DAILYQ_HTTP_HOST="127.0.0.1",
            DAILYQ_TICK="1s",
            DAILYQ_LEASE="2s",
        )
        bot = BotProcess(env, tmp_path, port)
        try:
            await bot.start()
            later = datetime.now(UTC) + timedelta(hours=12)  # far from the scheduled time
            await bot.command(f"daily set {later:%H:%M} UTC", fake)
            died = fake.die_after_accept("chat.postMessage", mode="hang")
            await bot.command("daily now", fake)
            await asyncio.wait_for(died.wait(), 10)  # the post reached Slack; the bot never heard back
            await bot.kill()
            fake.release_hangs()
            died.clear()
            assert len(keyed(fake, "post-")) == 1
            await bot.start()
            await wait_for_state(env["DATABASE_URL"], "open")
            assert len(keyed(fake, "post-")) == 1
            assert len(fake.calls("chat.postMessage")) == 1  # adopted, never re-sent
            assert fake.calls("conversations.history")

            fake.die_after_accept("chat.postMessage", mode="hang")
            await bot.command("daily reveal", fake)
            await asyncio.wait_for(died.wait(), 10)
            await bot.kill()
            fake.release_hangs()
            assert len(keyed(fake, "reveal-")) == 1
            await bot.start()
            await wait_for_state(env["DATABASE_URL"], "revealed")
            (reply,) = keyed(fake, "reveal-")
            (post,) = keyed(fake, "post-")
            assert reply["thread_ts"] == post["ts"] and fake.calls("conversations.replies")
            assert len(fake.calls("chat.postMessage")) == 2
            await bot.stop()
        finally:
            if bot.proc is not None and bot.proc.returncode is None:
                await bot.kill()
        assert fake.violations == []


@pytest.fixture
async def socket_endpoint() -> AsyncIterator[tuple[str, asyncio.Queue[dict[str, Any]], list[dict[str, Any]]]]:
    """A stand-in for Slack's Socket Mode websocket: sends queued envelopes, records the acks."""
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    acks: list[dict[str, Any]] = []

    async def link(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))

        async def pump() -> None:
            while True:
                await ws.send_str(json.dumps(await outbox.get()))

        sender = asyncio.create_task(pump())
        async for msg in ws:
            acks.append(json.loads(msg.data))
        sender.cancel()
        return ws

    app = web.Application()
    app.router.add_get("/link", link)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"ws://127.0.0.1:{runner.addresses[0][1]}/link", outbox, acks
    await runner.cleanup()


async def test_socket_mode_receives_a_slash_command_without_a_public_url(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bank: Bank,
    socket_endpoint: tuple[str, asyncio.Queue[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    clear_slack_env(monkeypatch)
    url, outbox, acks = socket_endpoint
    async with FakeSlack() as fake:
        fake.set_response("apps.connections.open", {"ok": True, "url": url})
        settings = SlackSettings(
            bot_token=secrets.SLACK_BOT_TOKEN,
            app_token=secrets.SLACK_APP_TOKEN,
            api_url=fake.api_url,
            _env_file=None,
        )
        core = await build_app(
            Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/s.db"), RecordingMessenger(), bank=bank
        )
        server = SocketServer(
            build_bolt_app(settings, core.service, make_client(settings)), secrets.SLACK_APP_TOKEN
        )
        try:
            await server.start()
            hook = fake.new_response_url(CHANNEL_ID)
            await outbox.put(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": slash_command("help", response_url=hook).payload,
                }
            )
            response = await fake.wait_for_call("response_url", timeout=10)
            assert "dailyq commands" in json.dumps(response.args["blocks"])
            deadline = time.monotonic() + 5
            while not any(a.get("envelope_id") == "env-1" for a in acks):
                assert time.monotonic() < deadline, f"no ack for the envelope: {acks}"
                await asyncio.sleep(0.02)
            assert (
                fake.calls("apps.connections.open")[0].headers["Authorization"]
                == f"Bearer {secrets.SLACK_APP_TOKEN}"
            )
        finally:
            await server.close()
            await core.close()
        assert fake.violations == []
