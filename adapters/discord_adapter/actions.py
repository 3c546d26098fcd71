"""Buttons: neutral ``Action``s as Discord components; ids and their meaning are ``bot.actions``'.

Every button is an ``ActionButton``, a ``DynamicItem`` whose template matches any dailyq custom
id. discord.py rebuilds it from the clicked message's components, so a button keeps working on a
message sent before a restart, and no per-message state is kept in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import discord

from adapters.discord_adapter.limits import BUTTON_LABEL, clip
from bot import actions as codec
from bot.cards import Action, ActionKind
from bot.commands import Command

PREFIX = codec.PREFIX
_KINDS = "|".join(re.escape(kind.value) for kind in ActionKind)
TEMPLATE = re.compile(rf"{PREFIX}:(?P<kind>{_KINDS}):(?P<value>.*)")
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "success": discord.ButtonStyle.success,
}


class BadAction(ValueError):
    """A custom id that no longer decodes into a command (crafted, or from an old version)."""


def encode(action: Action) -> str:
    """The custom id of an action (``bot.actions.encode``); raises ``ValueError`` beyond its bound."""
    return codec.encode(action)


def decode(custom_id: str, label: str = "") -> Action | None:
    """The action of a custom id, or None if it is not a dailyq button."""
    match = TEMPLATE.fullmatch(custom_id)
    if match is None:
        return None
    return Action(ActionKind(match["kind"]), label, match["value"])


@dataclass(frozen=True)
class OpenForm:
    """A click that opens a modal: ``kind`` "answer" (daily round), "try" (practice question) or
    "appeal" (the reason for appealing a grade; value: round id)."""

    kind: str
    value: str


def command_for(action: Action) -> Command | OpenForm:
    """What a click means (``bot.actions``): a core command, or a form to open first.

    Raises ``BadAction`` for a value its kind does not take."""
    click = codec.clicked(action.kind.value, action.value)
    if click is None:
        raise BadAction(action.value)
    if click.opens_form:
        return OpenForm(click.kind.value, click.value)  # the kinds' values name the forms
    command = codec.command_of(click)
    if command is None:  # pragma: no cover - every kind that runs at once has a command
        raise BadAction(action.value)
    return command


@runtime_checkable
class ActionHost(Protocol):
    """The client that handles clicks (``DailyqBot``); buttons reach it via ``interaction.client``."""

    async def handle_action(self, interaction: discord.Interaction[Any], action: Action) -> None:
        """Run the action of a clicked button."""


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """A persistent button carrying one ``Action`` in its custom id."""

    def __init__(self, action: Action) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(action.label, BUTTON_LABEL) or action.kind.value,
                style=STYLES.get(action.style, discord.ButtonStyle.secondary),
                custom_id=encode(action),
            )
        )
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        """Rebuild the button of a click (label and style from the clicked message)."""
        label = getattr(item, "label", None) or ""
        return cls(Action(ActionKind(match["kind"]), label, match["value"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the client."""
        if isinstance(interaction.client, ActionHost):
            await interaction.client.handle_action(interaction, self.action)
