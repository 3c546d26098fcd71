"""Building the Bolt app and serving it (HTTP mode, with request signing, or Socket Mode)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.health import health_handler
from adapters.slack_adapter.background import Background, EventDeduper
from adapters.slack_adapter.directory import Directory
from adapters.slack_adapter.handlers import Listeners
from adapters.slack_adapter.settings import SlackSettings
from bot.service import Service

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Pending connections the kernel queues for accept(); aiohttp's default of 128 overflows in a burst
# of clicks (Slack opens a connection per request), and a dropped SYN costs the client a 1 s retry.
LISTEN_BACKLOG = 1024
# No aiohttp access log: a formatted INFO line per request cost about a third of bare Bolt's own
# per-request CPU under the answer burst (bench/burst.py); failures are logged by the listeners.
ACCESS_LOG = None


@dataclass
class SlackParts:
    """What a running adapter holds besides the Bolt app (shared with tests)."""

    directory: Directory
    tasks: Background = field(default_factory=Background)
    dedupe: EventDeduper = field(default_factory=EventDeduper)


def build_bolt_app(
    settings: SlackSettings,
    service: Service,
    client: AsyncWebClient,
    parts: SlackParts | None = None,
) -> AsyncApp:
    """A Bolt ``AsyncApp`` with the dailyq listeners, talking to Slack through ``client``.

    In HTTP mode every request must carry a valid signature (Bolt answers 401 otherwise); in
    Socket Mode requests arrive over the authenticated websocket instead.
    """
    parts = parts or SlackParts(Directory(client, settings.admins))
    secret = settings.signing_secret.get_secret_value() if settings.signing_secret else ""
    # Every listener acks at once and hands the slow part to ``parts.tasks`` itself, so Bolt can
    # run it inline: with process_before_response=False Bolt would start each listener as a task
    # and poll every 10 ms for its ack, which under a burst of clicks costs more than the ack.
    app = AsyncApp(
        client=client,
        signing_secret=secret,
        request_verification_enabled=not settings.socket_mode,
        process_before_response=True,
        name="dailyq",
    )
    Listeners(service, parts.directory, parts.tasks, parts.dedupe).register(app)
    return app


def web_application(app: AsyncApp, engine: AsyncEngine | None = None) -> web.Application:
    """The aiohttp application of HTTP mode: Slack requests at ``/slack/events``, and ``/healthz``
    (503 while ``engine``'s database does not answer)."""
    application = app.web_app(path=EVENTS_PATH)
    application.router.add_get(HEALTH_PATH, health_handler(engine))
    return application


class HttpServer:
    """HTTP mode: the Bolt app behind aiohttp on ``host:port``."""

    def __init__(self, app: AsyncApp, host: str, port: int, engine: AsyncEngine | None = None) -> None:
        self.runner = web.AppRunner(
            web_application(app, engine), access_log=ACCESS_LOG, shutdown_timeout=2.0, handle_signals=False
        )
        self.host = host
        self.port = port

    async def start(self) -> None:
        """Bind and serve (port 0 picks a free port; see ``bound_port``)."""
        await self.runner.setup()
        await web.TCPSite(self.runner, self.host, self.port, backlog=LISTEN_BACKLOG).start()

    @property
    def bound_port(self) -> int:
        """The port actually bound."""
        return int(self.runner.addresses[0][1])

    async def close(self) -> None:
        """Stop accepting requests."""
        await self.runner.cleanup()


class SocketServer:
    """Socket Mode: an outbound websocket to Slack, no public URL needed."""

    def __init__(self, app: AsyncApp, app_token: str, web_client: AsyncWebClient | None = None) -> None:
        self.handler = AsyncSocketModeHandler(app, app_token, web_client=web_client)

    async def open_url(self) -> None:
        """Ask Slack for a websocket URL (``apps.connections.open``); raises while unreachable."""
        client = self.handler.client
        client.wss_uri = await client.issue_new_wss_url()

    async def start(self) -> None:
        """Open the connection (slack_sdk reconnects by itself when it drops)."""
        await self.handler.connect_async()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        """Close the connection."""
        await self.handler.close_async()  # type: ignore[no-untyped-call]
