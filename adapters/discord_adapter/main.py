"""``dailyq run discord`` and ``dailyq discord invite-url``: the Discord composition root.

``run`` reads the settings (``DISCORD_TOKEN`` and the core's ``DATABASE_URL``...), builds the bot,
the messenger and the core, syncs the slash commands at start (globally, or to
``DISCORD_GUILD_ID`` at once for development), and starts the rounds timer once the gateway is
ready, so the first due posts find the guilds in the cache. SIGTERM or SIGINT (a platform stopping
the dyno) closes the bot cleanly and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from typing import Any
from urllib.parse import urlparse

import discord

from adapters.discord_adapter import permissions
from adapters.discord_adapter.bank_commands import DiscordNotifier
from adapters.discord_adapter.client import DailyqBot
from adapters.discord_adapter.groups import DiscordGroups
from adapters.discord_adapter.messenger import DiscordMessenger
from adapters.discord_adapter.responder import Responder
from adapters.discord_adapter.roles import DiscordRoles
from adapters.discord_adapter.settings import DiscordSettings, InviteSettings
from adapters.lifecycle import fold_tracebacks, reach, stop_on_signals, until_stopped
from adapters.metrics import PrometheusMetrics, serving_metrics
from adapters.pacing import Pacer, pacer_for
from bot.app import App, build_app
from bot.bank.model import Bank
from bot.config import Settings
from bot.ports import Clock

log = logging.getLogger(__name__)
EXIT_CONFIG = 2
PLATFORM = "discord"
REACH_HINT = "the network, a proxy or firewall (discord.com and gateway.discord.gg must be reachable)"


async def build(
    settings: DiscordSettings,
    core: Settings,
    *,
    clock: Clock | None = None,
    bank: Bank | None = None,
    pacer: Pacer | None = None,
    metrics: PrometheusMetrics | None = None,
    **bot_options: Any,
) -> tuple[DailyqBot, App]:
    """The bot and the core, connected (not started); ``metrics`` counts what they do.

    Tests pass a fake clock, bank and pacer, and discord.py client options (``guild_ready_timeout``).
    """
    if metrics is not None:
        bot_options.setdefault("http_trace", metrics.http_trace(PLATFORM))  # counts 429s
    bot = DailyqBot(
        sync_guild_id=settings.guild_id,
        shard_count=settings.shard_count,
        shard_ids=settings.shard_ids,
        **bot_options,
    )
    pacer = pacer or pacer_for(settings.requests_per_second)
    if metrics is not None:
        pacer.on_wait = lambda seconds: metrics.pacer_waited(PLATFORM, seconds)
    messenger = DiscordMessenger(bot, pacer)
    app = await build_app(
        core,
        messenger,
        clock,
        bank,
        metrics,
        nudger=messenger,
        notifier=DiscordNotifier(bot),
        roles=DiscordRoles(bot, pacer),
        groups=DiscordGroups(bot, pacer),
    )
    bot.attach(app, Responder(app.service))
    return bot, app


async def until_ready(bot: discord.Client, runner: asyncio.Task[None]) -> bool:
    """Wait until the bot is ready; False if ``runner`` (``bot.start``) ended first."""
    waiter = asyncio.ensure_future(bot.wait_until_ready())
    done, _ = await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if waiter not in done:
        waiter.cancel()
        return False
    return True


async def run() -> int:
    """Run the Discord bot until SIGTERM or SIGINT (exit 0); 2 for bad settings (one line).

    An unreachable Discord is retried with backoff (one line per attempt); a stop in any state
    ends the rounds timer first (a post in flight gets a moment, then is left to its lease), then
    the gateway connection, then the database.
    """
    settings = DiscordSettings.from_env()  # a ValidationError names the variable (adapters/cli.py prints it)
    core = Settings()
    metrics = PrometheusMetrics() if core.metrics_port else None
    bot, app = await build(settings, core, metrics=metrics)
    fold_tracebacks("discord.client", "discord.gateway", "discord.shard")  # reconnects: one line each
    token = settings.token.get_secret_value()
    stop = asyncio.Event()
    try:
        async with bot:
            with stop_on_signals(stop):
                reached, _ = await reach(
                    lambda: bot.login(token), platform="Discord", host=_api_host(), hint=REACH_HINT, stop=stop
                )
                if reached:
                    async with serving_metrics(metrics, core.metrics_port, app.dispatcher.backlog):
                        await _serve(bot, app, stop)
    except discord.LoginFailure:
        print("dailyq: bad setting: DISCORD_TOKEN: Discord rejected the token; copy it again from "
              "the Developer Portal (Bot page, Reset Token)", file=sys.stderr)  # fmt: skip
        return EXIT_CONFIG
    finally:
        await app.close()
    return 0


async def _serve(bot: DailyqBot, app: App, stop: asyncio.Event) -> None:
    """Connect the gateway and run the rounds until ``stop``; then close in order."""
    runner = asyncio.create_task(bot.connect())
    try:
        ready, is_ready = await until_stopped(until_ready(bot, runner), stop)
        if ready and is_ready:
            log.info("dailyq is ready on %s servers", len(bot.guilds))
            await until_stopped(app.start(), stop)  # the first run may be a whole fan-out
        await until_stopped(asyncio.shield(runner), stop)
    finally:
        log.info("shutting down")
        await app.stop_timer()
        await bot.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(runner, 5)
    if runner.done() and not runner.cancelled() and (error := runner.exception()) is not None:
        raise error  # a fatal gateway error (privileged intents, a revoked token...)


def _api_host() -> str:
    return urlparse(discord.http.Route.BASE).netloc or "discord.com"


def invite_url() -> str:
    """The OAuth2 URL that invites the bot with exactly the permissions it needs."""
    return permissions.invite_url(InviteSettings.from_env().client_id)
