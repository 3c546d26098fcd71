"""What every dailyq cog shares: the responder, the bank's topics, and the option-type check."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord_adapter import options
from adapters.discord_adapter.responder import Responder
from bot.bank.model import Bank

Interaction = discord.Interaction[Any]
Choices = list[app_commands.Choice[str]]
Id = app_commands.Range[int, 1, 2**53]  # a round, appeal or answer number


class DailyqCog(commands.Cog):
    """A cog of dailyq commands, backed by one ``Responder`` and the question bank."""

    def __init__(self, responder: Responder, bank: Bank) -> None:
        self.responder = responder
        self.bank = bank

    async def _topics(self, interaction: Interaction, banks: tuple[str, ...] | None = None) -> list[str]:
        """The topics of the caller's channel's banks (or of ``banks``), workspace banks included."""
        if interaction.guild_id is None or interaction.channel_id is None:
            return [name for name, _ in self.bank.topics()]
        return await self.responder.service.topic_names(self.responder.context(interaction), banks)

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Refuse options whose values are not of the type the command declares.

        discord.py passes a value through as Discord sent it: a client whose command list is out
        of date can send a number, or a role, where the command now takes text."""
        command = interaction.command
        if isinstance(command, app_commands.Command):
            for param in command.parameters:
                value = getattr(interaction.namespace, param.name, None)
                if value is not None and not options.fits(param.type, value):
                    raise app_commands.CheckFailure(f"option {param.name!r}: not a {param.type.name}")
        return True
