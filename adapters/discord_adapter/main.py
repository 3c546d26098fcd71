"""``dailyq run discord`` and ``dailyq discord invite-url``: the Discord composition root.

``run`` reads the settings (``DISCORD_TOKEN`` and the core's ``DATABASE_URL``...), builds the bot,
the messenger and the core, syncs the slash commands at start (globally, or to
``DISCORD_GUILD_ID`` at once for development), and starts the rounds timer once the gateway is
ready, so the first due posts find the guilds in the cache. SIGTERM (a platform stopping the
dyno) closes the bot cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator
from typing import Any

import discord

from adapters.discord_adapter import permissions
from adapters.discord_adapter.client import DailyqBot
from adapters.discord_adapter.messenger import DiscordMessenger
from adapters.discord_adapter.pacing import Pacer, pacer_for
from adapters.discord_adapter.responder import Responder
from adapters.discord_adapter.settings import DiscordSettings, InviteSettings
from bot.app import App, build_app
from bot.bank import Bank
from bot.config import Settings
from bot.ports import Clock

log = logging.getLogger(__name__)
EXIT_CONFIG = 2


async def build(
    settings: DiscordSettings,
    core: Settings,
    *,
    clock: Clock | None = None,
    bank: Bank | None = None,
    pacer: Pacer | None = None,
    **bot_options: Any,
) -> tuple[DailyqBot, App]:
    """The bot and the core, connected (not started).

    Tests pass a fake clock, bank and pacer, and discord.py client options (``guild_ready_timeout``).
    """
    bot = DailyqBot(
        sync_guild_id=settings.guild_id,
        shard_count=settings.shard_count,
        shard_ids=settings.shard_ids,
        **bot_options,
    )
    messenger = DiscordMessenger(bot, pacer or pacer_for(settings.requests_per_second))
    app = await build_app(core, messenger, clock, bank, nudger=messenger)
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


@contextlib.contextmanager
def closing_on_sigterm(bot: discord.Client) -> Iterator[None]:
    """While inside, SIGTERM closes the bot (a platform stopping the process) instead of killing it."""
    loop = asyncio.get_running_loop()
    closers: list[asyncio.Task[None]] = []  # keeps the closing task referenced until it is done
    try:
        loop.add_signal_handler(signal.SIGTERM, lambda: closers.append(loop.create_task(bot.close())))
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


async def run() -> int:
    """Run the Discord bot until it is closed; 2 for bad settings (printed on one line)."""
    settings = DiscordSettings.from_env()  # a ValidationError names the variable (adapters/cli.py prints it)
    bot, app = await build(settings, Settings())
    try:
        async with bot:
            with closing_on_sigterm(bot):
                runner = asyncio.create_task(bot.start(settings.token.get_secret_value()))
                if await until_ready(bot, runner):
                    await app.start()
                    log.info("dailyq is ready on %s servers", len(bot.guilds))
                await runner
    except discord.LoginFailure:
        print("dailyq: bad setting: DISCORD_TOKEN: Discord rejected the token; copy it again from "
              "the Developer Portal (Bot page, Reset Token)", file=sys.stderr)  # fmt: skip
        return EXIT_CONFIG
    finally:
        await app.close()
    return 0


def invite_url() -> str:
    """The OAuth2 URL that invites the bot with exactly the permissions it needs."""
    return permissions.invite_url(InviteSettings.from_env().client_id)
