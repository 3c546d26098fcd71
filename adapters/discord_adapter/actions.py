"""Buttons: neutral ``Action``s encoded as custom ids ``dailyq:<kind>:<value>`` and decoded back.

Every button is an ``ActionButton``, a ``DynamicItem`` whose template matches any dailyq custom
id. discord.py rebuilds it from the clicked message's components, so a button keeps working on a
message sent before a restart, and no per-message state is kept in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import discord

from adapters.discord_adapter.limits import BUTTON_LABEL, CUSTOM_ID, clip
from bot.cards import Action, ActionKind
from bot.commands import (
    Ask,
    Command,
    RatePractice,
    Rating,
    ShowMyGrade,
    ShowPracticeAnswer,
    SubmitAnswer,
)

PREFIX = "dailyq"
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
    """The custom id of an action; raises ``ValueError`` beyond Discord's 100 characters."""
    custom_id = f"{PREFIX}:{action.kind.value}:{action.value}"
    if len(custom_id) > CUSTOM_ID:
        raise ValueError(f"custom id longer than {CUSTOM_ID} characters: {custom_id[:40]}...")
    return custom_id


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


def _ints(value: str, parts: int) -> list[int]:
    pieces = value.split(":")
    if len(pieces) != parts or not all(piece.isdigit() for piece in pieces):
        raise BadAction(value)
    return [int(piece) for piece in pieces]


def command_for(action: Action) -> Command | OpenForm:
    """What a click means: a core command, or a form to open first. Raises ``BadAction``."""
    value = action.value
    match action.kind:
        case ActionKind.ANSWER:
            _ints(value, 1)
            return OpenForm("answer", value)
        case ActionKind.CHOOSE:
            round_id, choice = _ints(value, 2)
            return SubmitAnswer(round_id=round_id, choice=choice)
        case ActionKind.PRACTICE:
            return Ask(value or None)
        case ActionKind.PRACTICE_ANSWER:
            return OpenForm("try", value)
        case ActionKind.SHOW_ANSWER:
            return ShowPracticeAnswer(value or None)
        case ActionKind.RATE:
            question_id, _, rating = value.rpartition(":")
            if rating not in {r.value for r in Rating}:
                raise BadAction(value)
            return RatePractice(Rating(rating), question_id or None)
        case ActionKind.MY_GRADE:
            return ShowMyGrade(_ints(value, 1)[0])
        case ActionKind.APPEAL:
            _ints(value, 1)
            return OpenForm("appeal", value)
    raise BadAction(value)  # pragma: no cover - every ActionKind is matched above


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
