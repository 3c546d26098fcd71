"""The discord.py bot: wires slash commands, persistent buttons and form submits to the responder.

``DailyqBot`` is a stock ``commands.AutoShardedBot`` (one process can hold many shards; with no
shard settings discord.py asks Discord how many it needs). It asks only for the Guilds intent:
commands, buttons and forms arrive as interactions, so no message content or member list is read.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord_adapter.actions import ActionButton
from adapters.discord_adapter.bank_commands import BankCommands, decode_submit
from adapters.discord_adapter.commands_tree import DailyqCommands
from adapters.discord_adapter.daily_commands import DailyCommands
from adapters.discord_adapter.forms import decode_form, form_values
from adapters.discord_adapter.responder import Responder
from bot.app import App
from bot.cards import Action

log = logging.getLogger(__name__)


class DailyqTree(app_commands.CommandTree[Any]):
    """The command tree; errors of commands and autocomplete go to the bot's responder."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        """Tell the user privately; only an error raised by our own code is reported as a failure.

        Any other ``AppCommandError`` is discord.py rejecting the payload itself (an unknown
        command or option, a value of the wrong type, an autocomplete with nothing focused)."""
        client = self.client
        if not (isinstance(client, DailyqBot) and client.attached):
            await super().on_error(interaction, error)
        elif isinstance(error, app_commands.CommandInvokeError):
            await client.responder.fail(interaction, error)
        else:
            await client.responder.reject(interaction, error)


SWEEP_FROM = 256  # discord.py's own threshold for sweeping its rate-limit table


class BucketSweep:
    """A drop-in for ``HTTPClient._try_clear_expired_ratelimits`` that sweeps only when the
    rate-limit table has doubled since the last sweep.

    discord.py keeps a bucket per route and channel and, once it holds 256, scans all of them for
    idle ones on every new key. A fan-out opens a new key per channel, so 1,000 channels cost half
    a million checks (O(channels squared)); doubling the threshold makes it O(1) per new key while
    idle buckets (5 minutes without a request) are still dropped."""

    def __init__(self, http: discord.http.HTTPClient) -> None:
        self.http = http
        self.next_sweep = SWEEP_FROM

    def __call__(self) -> None:
        buckets = self.http._buckets
        if len(buckets) < self.next_sweep:
            return
        for key in [key for key, bucket in buckets.items() if bucket.is_inactive()]:
            del buckets[key]
        self.next_sweep = max(SWEEP_FROM, 2 * len(buckets))


def intents() -> discord.Intents:
    """Only the Guilds intent: channels, roles and permissions stay in the cache."""
    return discord.Intents(guilds=True)


class DailyqBot(commands.AutoShardedBot):
    """The dailyq bot. ``attach(app, responder)`` connects it to the core before ``start``."""

    def __init__(
        self,
        *,
        sync_guild_id: int | None = None,
        shard_count: int | None = None,
        shard_ids: list[int] | None = None,
        **options: Any,
    ) -> None:
        if shard_ids is not None:
            options["shard_ids"] = shard_ids
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            max_messages=None,
            tree_cls=DailyqTree,
            shard_count=shard_count,
            **options,
        )
        # an instance attribute shadows discord.py's method (get_ratelimit calls it by name)
        self.http._try_clear_expired_ratelimits = BucketSweep(self.http)  # type: ignore[method-assign]
        self.sync_guild_id = sync_guild_id
        self._responder: Responder | None = None
        self._app: App | None = None

    @property
    def attached(self) -> bool:
        """Whether the core is attached."""
        return self._responder is not None

    @property
    def responder(self) -> Responder:
        """The responder of the attached core."""
        if self._responder is None:
            raise RuntimeError("DailyqBot.attach() must be called before the bot starts")
        return self._responder

    def attach(self, app: App, responder: Responder) -> None:
        """Connect the core: slash commands and buttons run through ``responder`` to ``app.service``."""
        self._app = app
        self._responder = responder

    async def setup_hook(self) -> None:
        """Register the commands and the persistent buttons, then sync the commands."""
        if self._app is None:
            raise RuntimeError("DailyqBot.attach() must be called before the bot starts")
        await self.add_cog(DailyqCommands(self.responder, self._app.bank))
        await self.add_cog(DailyCommands(self.responder, self._app.bank))
        await self.add_cog(BankCommands(self.responder))
        self.add_dynamic_items(ActionButton)
        await self.sync_commands()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Publish the commands: to one guild (instant, for development) or globally."""
        if self.sync_guild_id is None:
            synced = await self.tree.sync()
        else:
            guild = discord.Object(self.sync_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        where = f"guild {self.sync_guild_id}" if self.sync_guild_id else "all servers"
        log.info("synced %s slash commands to %s", len(synced), where)
        return synced

    async def handle_action(self, interaction: discord.Interaction[Any], action: Action) -> None:
        """A dailyq button was pressed (called by ``ActionButton``)."""
        try:
            await self.responder.click(interaction, action)
        except Exception as exc:
            await self.responder.fail(interaction, exc)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Form submits: decoded from their custom id, so forms survive restarts (see forms.py)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        values = form_values(data.get("components") or [])
        submitted = decode_submit(str(data.get("custom_id", "")), values)
        form = decode_form(str(data.get("custom_id", "")))
        if form is None and submitted is None:
            return
        try:
            if submitted is not None:
                await self.responder.run(interaction, submitted)
            elif form is not None:
                await self.responder.submit(interaction, form, values)
        except Exception as exc:
            await self.responder.fail(interaction, exc)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """An event handler raised: report it like an interaction error."""
        exc = sys.exc_info()[1]
        if self._responder is not None and exc is not None:
            self.responder.report(exc)
        else:
            await super().on_error(event_method, *args, **kwargs)
