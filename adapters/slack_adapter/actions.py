"""Buttons: neutral ``Action`` <-> Block Kit button; ids and their meaning are ``bot.actions``'.

A button's ``action_id`` is ``bot.actions.encode`` of its action (unique within its actions
block, as Slack requires: the ``#<n>`` form names the button by its index) and its ``value`` is
the action's value, which decoding reads in preference to the id.
"""

from __future__ import annotations

import re

from slack_sdk.models.blocks import ButtonElement, PlainTextObject

from adapters.slack_adapter.text import plain
from bot import actions as codec
from bot.actions import Clicked, round_id
from bot.cards import Action
from bot.commands import Command

__all__ = ["ACTION_ID_PATTERN", "Clicked", "action_id", "button", "decode", "round_id", "to_command"]

ACTION_ID_PATTERN = re.compile(rf"^{codec.PREFIX}:")
MAX_VALUE = 2000
MAX_LABEL = 75


def action_id(action: Action, index: int) -> str:
    """The Slack ``action_id`` of a neutral action (the ``index``-th button of its block)."""
    return codec.encode(action, index)


def button(action: Action, index: int) -> ButtonElement:
    """A Block Kit button for a neutral action."""
    return ButtonElement(
        text=PlainTextObject(text=plain(action.label, MAX_LABEL), emoji=True),
        action_id=action_id(action, index),
        value=action.value[:MAX_VALUE] or None,  # Slack rejects an empty value
        style=action.style if action.style in ("primary", "danger") else None,
    )


def decode(action_id_value: str, value: str | None) -> Clicked | None:
    """The click behind a ``block_actions`` action; None when it is not one of ours."""
    return codec.decode(action_id_value, value)


def to_command(clicked: Clicked) -> Command | None:
    """The core command of a click that runs directly (not one that opens a modal).

    ``ANSWER``, ``PRACTICE_ANSWER`` and ``APPEAL`` open a modal first and return None here."""
    return codec.command_of(clicked)
