"""Button ids: one codec for every platform, ``dailyq:<kind>:<value>``, and what a click means.

A button carries its action in its id, so buttons on old posts keep working after a restart:
nothing lives in memory. The one bound: an id is at most ``MAX_ID`` characters (Discord's
custom-id limit, inside Slack's 255). A longer one is ``dailyq:<kind>:#<n>`` and its value travels
beside it (Slack's button ``value``); a platform with nowhere else to carry it refuses to encode.
Decoding also takes the ids older versions wrote (up to 255 characters on Slack), and anything
that is not a well-formed dailyq id decodes to None.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards import Action, ActionKind
from bot.commands import Ask, Command, RatePractice, Rating, ShowMyGrade, ShowPracticeAnswer, SubmitAnswer

PREFIX = "dailyq"
MAX_ID = 100
MAX_TOPIC = 200  # the longest topic a practice button may ask for
# clicks that open a form first (the platform shows it; its submit runs the command)
FORM_KINDS = frozenset({ActionKind.ANSWER, ActionKind.PRACTICE_ANSWER, ActionKind.APPEAL})
_RATINGS = frozenset(r.value for r in Rating)


@dataclass(frozen=True)
class Clicked:
    """A decoded button click: the kind of button and the value it carried (checked for its kind)."""

    kind: ActionKind
    value: str

    @property
    def opens_form(self) -> bool:
        """Whether the click opens a form rather than running a command at once."""
        return self.kind in FORM_KINDS

    @property
    def round_id(self) -> int | None:
        """The round an Answer, Appeal or My grade button names (None for other kinds)."""
        if self.kind in (ActionKind.ANSWER, ActionKind.APPEAL, ActionKind.MY_GRADE):
            return round_id(self.value)
        return None


def round_id(value: str) -> int | None:
    """A round id carried by a button, or None when it is malformed."""
    return int(value) if value.isdigit() and len(value) < 19 else None


def encode(action: Action, index: int | None = None) -> str:
    """The id of the ``index``-th button of its block. Beyond ``MAX_ID`` characters it names the
    button by ``index`` (the value then travels beside it); without an index that raises ``ValueError``."""
    custom_id = f"{PREFIX}:{action.kind.value}:{action.value}"
    if len(custom_id) <= MAX_ID:
        return custom_id
    if index is None:
        raise ValueError(f"button id longer than {MAX_ID} characters: {custom_id[:40]}...")
    return f"{PREFIX}:{action.kind.value}:#{index}"


def _valid(kind: ActionKind, value: str) -> bool:
    if kind in (ActionKind.ANSWER, ActionKind.APPEAL, ActionKind.MY_GRADE):
        return round_id(value) is not None
    if kind is ActionKind.CHOOSE:
        round_part, _, index = value.rpartition(":")
        return round_id(round_part) is not None and index.isdigit() and len(index) <= 2
    if kind is ActionKind.RATE:
        return value.rpartition(":")[2] in _RATINGS
    if kind is ActionKind.PRACTICE_ANSWER:
        return bool(value)
    return True  # PRACTICE (a topic or "") and SHOW_ANSWER (a question id or "")


def clicked(kind: str, value: str) -> Clicked | None:
    """The click of a button of ``kind`` carrying ``value``; None when either is not ours."""
    try:
        action_kind = ActionKind(kind)
    except ValueError:
        return None
    return Clicked(action_kind, value) if _valid(action_kind, value) else None


def decode(custom_id: str, value: str | None = None) -> Clicked | None:
    """The click behind a button id (``value``: the value sent beside it, if the platform has one)."""
    parts = custom_id.split(":", 2)
    if len(parts) < 2 or parts[0] != PREFIX:
        return None
    if value is None:
        value = parts[2] if len(parts) == 3 and not parts[2].startswith("#") else ""
    return clicked(parts[1], value)


def command_of(click: Clicked) -> Command | None:
    """The core command of a click that runs directly; None for one that opens a form first."""
    kind, value = click.kind, click.value
    if not _valid(kind, value):  # a Clicked built by hand, not by decode
        return None
    if kind is ActionKind.CHOOSE:
        round_part, _, index = value.rpartition(":")
        rid = round_id(round_part)
        return SubmitAnswer(round_id=rid, choice=int(index)) if rid is not None else None
    if kind is ActionKind.PRACTICE:
        return Ask(value.strip()[:MAX_TOPIC] or None)
    if kind is ActionKind.SHOW_ANSWER:
        return ShowPracticeAnswer(value or None)
    if kind is ActionKind.MY_GRADE:
        rid = round_id(value)
        return ShowMyGrade(rid) if rid is not None else None
    if kind is ActionKind.RATE:
        question, _, rating = value.rpartition(":")
        return RatePractice(Rating(rating), question or None)
    return None
