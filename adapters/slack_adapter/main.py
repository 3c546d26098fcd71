"""``dailyq run slack``: settings, core, Bolt app, server; runs until SIGTERM or SIGINT.

Bad settings raise pydantic's ``ValidationError`` (the CLI prints the variable and exits 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from adapters.slack_adapter.bolt_app import HttpServer, SlackParts, SocketServer, build_bolt_app
from adapters.slack_adapter.client import make_client
from adapters.slack_adapter.directory import Directory
from adapters.slack_adapter.messenger import SlackMessenger
from adapters.slack_adapter.settings import SlackSettings
from bot.app import build_app
from bot.config import Settings

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0


def _quiet_token_warning(record: logging.LogRecord) -> bool:
    # Bolt warns that SLACK_BOT_TOKEN "will be unused" whenever a client is passed; ours holds
    # that very token (with our retry handlers), so the warning is noise.
    return "will be unused" not in record.getMessage()


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def run() -> int:
    """Run the Slack bot until stopped; returns the process exit code."""
    slack = SlackSettings()  # type: ignore[call-arg]  # read from the environment
    settings = Settings()
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_quiet_token_warning)
    client = make_client(slack)
    messenger = SlackMessenger(make_client(slack, posting=True))
    core = await build_app(settings, messenger, nudger=messenger)
    parts = SlackParts(Directory(client, slack.admins))
    bolt = build_bolt_app(slack, core.service, client, parts)
    server: HttpServer | SocketServer
    if slack.app_token is not None:
        server = SocketServer(bolt, slack.app_token.get_secret_value())
        where = "Socket Mode"
    else:
        server = HttpServer(bolt, slack.host, slack.port)
        where = f"HTTP mode on {slack.host}:{slack.port}/slack/events"
    stop = asyncio.Event()
    _stop_on_signals(stop)
    try:
        await server.start()
        log.info("dailyq for Slack is up (%s)", where)
        await core.start()  # posts and reveals that came due while down go out now
        await stop.wait()
        log.info("shutting down")
    finally:
        await server.close()
        if not await parts.tasks.drain(DRAIN_SECONDS):
            parts.tasks.cancel()
        await core.close()
    return 0
