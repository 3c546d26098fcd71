"""Answering interactions: run a command through the core and show its reply.

Discord wants a first response within 3 seconds. A command that takes longer (a busy database,
a ``/daily now`` post waiting for a rate-limit slot) is deferred first and its reply then edits
the "thinking" message. Replies are ephemeral: the core marks every reply private.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import discord

from adapters.discord_adapter import options
from adapters.discord_adapter.actions import BadAction, OpenForm, command_for
from adapters.discord_adapter.forms import TEXT_ID, build_modal, form_command
from adapters.discord_adapter.render import render
from bot.cards import Action, ActionKind, Card, Notice, Outcome, Reply, Tone, error
from bot.commands import Command
from bot.context import Context
from bot.service import Service

log = logging.getLogger(__name__)

DEFER_AFTER = 2.0
NO_MENTIONS = discord.AllowedMentions.none()
# clicks that finish the clicked message: its buttons are removed once the reply is shown
CLOSING_KINDS = frozenset({ActionKind.SHOW_ANSWER, ActionKind.RATE})
UNREADABLE = "I could not read that command (is the bot's command list out of date?). Try `/help`."
FAILED = "Something went wrong on our side. Please try again in a moment."
GUILD_ONLY = "dailyq works in server channels, not in direct messages."
STALE_BUTTON = "That button no longer works. Use /question or /answer instead."

ErrorListener = Callable[[BaseException], None]
AnyInteraction = discord.Interaction[Any]


class Responder:
    """Runs commands for interactions and shows the replies; reports unexpected errors."""

    def __init__(
        self,
        service: Service,
        *,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.service = service
        self.defer_after = defer_after
        self.error_listeners: list[ErrorListener] = []

    def context(self, interaction: AnyInteraction) -> Context:
        """The neutral caller of an interaction (guild interactions only)."""
        assert interaction.guild_id is not None and interaction.channel_id is not None
        return options.context_for(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
            display_name=interaction.user.display_name,
            permissions=interaction.permissions,
        )

    async def run(
        self,
        interaction: AnyInteraction,
        command: Command,
        *,
        close_clicked: bool = False,
        defer_now: bool = False,
        extra: tuple[Card, ...] = (),
    ) -> None:
        """Handle ``command`` for the caller and show the reply (plus ``extra`` cards unless it failed)."""
        if interaction.guild_id is None or interaction.channel_id is None:
            await self.show(interaction, error(GUILD_ONLY))
            return
        ctx = self.context(interaction)
        task = asyncio.ensure_future(self.service.handle(ctx, command))
        failure: discord.HTTPException | None = None
        try:
            if defer_now or not (await asyncio.wait({task}, timeout=self.defer_after))[0]:
                await self._defer(interaction, close_clicked)
        except discord.HTTPException as exc:
            failure = exc  # the command still completes (an answer is stored even if Discord is slow)
        reply = await task
        if failure is not None:
            raise failure
        if extra and reply.outcome is not Outcome.REFUSED:
            reply = replace(reply, cards=reply.cards + extra)
        await self.show(interaction, reply, close_clicked=close_clicked)

    async def _defer(self, interaction: AnyInteraction, close_clicked: bool) -> None:
        if close_clicked and interaction.type is discord.InteractionType.component:
            await interaction.response.defer()  # deferred update of the clicked message
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)

    async def show(self, interaction: AnyInteraction, reply: Reply, *, close_clicked: bool = False) -> None:
        """Send a reply as the interaction's response (or its follow-up after a deferral)."""
        rendered = render(reply.cards)
        view = rendered.view()
        message: dict[str, Any] = {"embeds": rendered.embeds, "allowed_mentions": NO_MENTIONS}
        with_view = {**message, "view": view} if view is not None else message
        if rendered.files:  # an export: an ephemeral attachment
            with_view = {**with_view, "files": rendered.attachments()}
            message = {**message, "attachments": rendered.attachments()}
        closing = close_clicked and reply.outcome is not Outcome.REFUSED
        response = interaction.response
        if not response.is_done():
            if closing:
                await response.edit_message(view=None)
                await interaction.followup.send(ephemeral=True, **with_view)
            else:
                await response.send_message(ephemeral=reply.ephemeral, **with_view)
        elif response.type is discord.InteractionResponseType.deferred_message_update:
            if closing:
                await interaction.edit_original_response(view=None)
            await interaction.followup.send(ephemeral=True, **with_view)
        else:
            await interaction.edit_original_response(view=view, **message)

    async def click(self, interaction: AnyInteraction, action: Action) -> None:
        """A button was pressed: open its form, or run its command."""
        try:
            target = command_for(action)
        except BadAction:
            await self.show(interaction, error(STALE_BUTTON))
            return
        if isinstance(target, OpenForm):
            await self.open_form(interaction, target)
        else:
            await self.run(interaction, target, close_clicked=action.kind in CLOSING_KINDS)

    async def open_form(self, interaction: AnyInteraction, form: OpenForm) -> None:
        """Show the modal of a form (it must be the first response to the interaction)."""
        modal = build_modal(form)
        await interaction.response.send_modal(modal)
        modal.stop()  # the submit is decoded from its custom id (see forms.py), not from the modal store

    async def submit(self, interaction: AnyInteraction, form: OpenForm, values: Mapping[str, str]) -> None:
        """A form was submitted: run the command it stands for."""
        await self.run(interaction, form_command(form, values.get(TEXT_ID, "").strip()))

    def report(self, exc: BaseException) -> None:
        """Log an unexpected error with its traceback and tell the listeners (tests collect them)."""
        log.error("interaction failed: %s: %s", type(exc).__name__, exc, exc_info=exc)
        for listener in self.error_listeners:
            listener(exc)

    async def fail(self, interaction: AnyInteraction, exc: BaseException) -> None:
        """Report an unexpected error and, if Discord still lets us, say so privately."""
        self.report(exc)
        await self._tell(interaction, FAILED)

    async def reject(self, interaction: AnyInteraction, exc: BaseException) -> None:
        """A payload discord.py could not match to our commands: a warning, and a private hint."""
        log.warning("interaction rejected: %s: %s", type(exc).__name__, exc)
        await self._tell(interaction, UNREADABLE)

    async def _tell(self, interaction: AnyInteraction, text: str) -> None:
        if interaction.type is discord.InteractionType.autocomplete:
            # no message can answer an autocomplete request; no choices beats "loading failed"
            if not interaction.response.is_done():
                with contextlib.suppress(discord.HTTPException):
                    await interaction.response.autocomplete([])
            return
        embed = render((Notice(text, Tone.ERROR),)).embeds
        try:
            if interaction.response.is_done():
                await interaction.followup.send(embeds=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(
                    embeds=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException:
            log.info("could not tell the user about the failure (interaction gone)")
