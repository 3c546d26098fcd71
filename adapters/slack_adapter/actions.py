"""Buttons: neutral ``Action`` <-> Block Kit button, and a clicked button -> core ``Command``.

A button's ``action_id`` is ``dailyq:<kind>:<value>`` (unique within its actions block, as Slack
requires; ``dailyq:<kind>:#<n>`` when the value would not fit in 255 characters) and its
``value`` is the action's value. Decoding reads the kind from the id and the data from the
value, so daily-post buttons keep working after a restart: nothing lives in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slack_sdk.models.blocks import ButtonElement, PlainTextObject

from adapters.slack_adapter.text import plain
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
ACTION_ID_PATTERN = re.compile(rf"^{PREFIX}:")
MAX_ID = 255
MAX_VALUE = 2000
MAX_LABEL = 75


@dataclass(frozen=True)
class Clicked:
    """A decoded button click: what kind of button and the value it carried."""

    kind: ActionKind
    value: str


def action_id(action: Action, index: int) -> str:
    """The Slack ``action_id`` of a neutral action (the ``index``-th button of its block)."""
    candidate = f"{PREFIX}:{action.kind.value}:{action.value}"
    return candidate if len(candidate) <= MAX_ID else f"{PREFIX}:{action.kind.value}:#{index}"


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
    parts = action_id_value.split(":", 2)
    if len(parts) < 2 or parts[0] != PREFIX:
        return None
    try:
        kind = ActionKind(parts[1])
    except ValueError:
        return None
    if value is None:
        value = parts[2] if len(parts) == 3 and not parts[2].startswith("#") else ""
    return Clicked(kind, value)


def round_id(value: str) -> int | None:
    """A round id carried by a button, or None when it is malformed."""
    return int(value) if value.isdigit() and len(value) < 19 else None


def to_command(clicked: Clicked) -> Command | None:
    """The core command of a click that runs directly (not one that opens a modal).

    ``ANSWER``, ``PRACTICE_ANSWER`` and ``APPEAL`` open a modal first and return None here, as
    does a malformed value (a crafted or outdated payload).
    """
    kind, value = clicked.kind, clicked.value
    if kind is ActionKind.CHOOSE:
        round_part, _, index = value.rpartition(":")
        rid = round_id(round_part)
        if rid is None or not index.isdigit() or len(index) > 2:
            return None
        return SubmitAnswer(round_id=rid, choice=int(index))
    if kind is ActionKind.PRACTICE:
        return Ask(value.strip()[:200] or None)
    if kind is ActionKind.SHOW_ANSWER:
        return ShowPracticeAnswer(value or None)
    if kind is ActionKind.MY_GRADE:
        rid = round_id(value)
        return ShowMyGrade(rid) if rid is not None else None
    if kind is ActionKind.RATE:
        question, _, rating = value.rpartition(":")
        try:
            return RatePractice(Rating(rating), question or None)
        except ValueError:
            return None
    return None
