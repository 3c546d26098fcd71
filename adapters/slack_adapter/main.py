"""``dailyq run slack``: settings, core, Bolt app, server; runs until SIGTERM or SIGINT.

Bad settings raise pydantic's ``ValidationError`` (the CLI prints the variable and exits 2).
Every state stops on a signal within a few seconds and exits 0: connecting, retrying an
unreachable Slack (one warning line per attempt, with backoff), serving, mid fan-out.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from urllib.parse import urlparse

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.lifecycle import fold_tracebacks, reach, stop_on_signals, until_stopped
from adapters.metrics import PrometheusMetrics, serving_metrics
from adapters.slack_adapter.bank_listeners import SlackNotifier
from adapters.slack_adapter.bolt_app import HttpServer, SlackParts, SocketServer, build_bolt_app
from adapters.slack_adapter.client import DEFAULT_API_URL, TIMEOUT_SECONDS, make_client, open_session
from adapters.slack_adapter.directory import Directory
from adapters.slack_adapter.groups import SlackGroups
from adapters.slack_adapter.messenger import SlackMessenger
from adapters.slack_adapter.settings import SlackSettings
from bot.app import build_app
from bot.config import Settings

log = logging.getLogger(__name__)

DRAIN_SECONDS = 3.0
EXIT_CONFIG = 2
PLATFORM = "slack"
REACH_HINT = "the network, a proxy or firewall, and SLACK_API_URL if set"


def _quiet_token_warning(record: logging.LogRecord) -> bool:
    # Bolt warns that SLACK_BOT_TOKEN "will be unused" whenever a client is passed; ours holds
    # that very token (with our retry handlers), so the warning is noise.
    return "will be unused" not in record.getMessage()


async def run() -> int:
    """Run the Slack bot until stopped; returns the process exit code."""
    slack = SlackSettings()  # type: ignore[call-arg]  # read from the environment
    settings = Settings()
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_quiet_token_warning)
    # the Socket Mode client logs a traceback per reconnect attempt: one line is enough
    fold_tracebacks("slack_bolt.AsyncApp", "slack_sdk.socket_mode")
    metrics = PrometheusMetrics() if settings.metrics_port else None
    session = open_session()  # every Web API call of the process; closed last
    client = make_client(slack, session=session, on_rate_limited=_counter(metrics))
    posting = make_client(slack, session=session, posting=True, on_rate_limited=_counter(metrics))
    messenger = SlackMessenger(posting)
    if metrics is not None:
        messenger.pacer.on_wait = lambda seconds: metrics.pacer_waited(PLATFORM, seconds)
    directory = Directory(client, slack.admins)
    try:
        core = await build_app(
            settings,
            messenger,
            metrics=metrics,
            nudger=messenger,
            notifier=SlackNotifier(posting),
            groups=SlackGroups(client, directory),
        )
    except BaseException:
        await session.close()
        raise
    parts = SlackParts(directory)
    bolt = build_bolt_app(slack, core.service, client, parts)
    api_url = slack.api_url or DEFAULT_API_URL
    server: HttpServer | SocketServer
    if slack.app_token is not None:
        # no retry handler: ``reach`` retries apps.connections.open itself, one line per attempt
        plain = AsyncWebClient(base_url=api_url, timeout=TIMEOUT_SECONDS, retry_handlers=[], session=session)
        server = SocketServer(bolt, slack.app_token.get_secret_value(), web_client=plain)
        where = "Socket Mode"
    else:
        server = HttpServer(bolt, slack.host, slack.port, core.engine)
        where = f"HTTP mode on {slack.host}:{slack.port}/slack/events"
    stop = asyncio.Event()
    with stop_on_signals(stop):
        try:
            if await _connect(server, urlparse(api_url).netloc, stop):
                log.info("dailyq for Slack is up (%s)", where)
                async with serving_metrics(metrics, settings.metrics_port, core.dispatcher.backlog):
                    # posts and reveals that came due while down go out now
                    await until_stopped(core.start(), stop)
                    await stop.wait()
            log.info("shutting down")
        except SlackApiError as exc:
            error = exc.response.get("error", "refused") if exc.response is not None else "refused"
            print(
                f"dailyq: bad setting: SLACK_APP_TOKEN: Slack refused it ({error}); generate an "
                "app-level token with connections:write under Basic Information",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        finally:
            await core.stop_timer()
            await server.close()
            if not await parts.tasks.drain(DRAIN_SECONDS):
                parts.tasks.cancel()
            await core.close()
            await session.close()
    return 0


def _counter(metrics: PrometheusMetrics | None) -> Callable[[], None] | None:
    return None if metrics is None else lambda: metrics.rate_limited(PLATFORM)


async def _connect(server: HttpServer | SocketServer, host: str, stop: asyncio.Event) -> bool:
    """Bind (HTTP mode) or reach Slack and open the websocket (Socket Mode); False when stopped."""
    if isinstance(server, SocketServer):
        reached, _ = await reach(server.open_url, platform="Slack", host=host, hint=REACH_HINT, stop=stop)
        if not reached:
            return False
    started, _ = await until_stopped(server.start(), stop)
    return started
