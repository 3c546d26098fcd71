"""Modals (forms) for typed answers: built from an ``OpenForm``, decoded back from their submit.

A form's custom id names what it answers (``dailyq:form:answer:<round id>``, ``dailyq:form:try:
<question id>``), and submits are decoded from the raw payload by the client, not through
discord.py's modal store. So a form opened before a restart still submits, and dismissed forms
leave nothing behind in memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord_adapter.actions import OpenForm
from adapters.discord_adapter.limits import CUSTOM_ID, TEXT_INPUT
from bot.commands import AppealGrade, Command, PracticeAnswer, SubmitAnswer

FORM_PREFIX = "dailyq:form:"
TEXT_ID = "text"


@dataclass(frozen=True)
class FormSpec:
    """How one kind of form looks."""

    title: str
    label: str
    description: str
    placeholder: str


SPECS = {
    "answer": FormSpec(
        title="Your answer",
        label="Answer",
        description="Only you see it. You can change it until the reveal.",
        placeholder="Type your answer (quiz: A, B, C or D)",
    ),
    "try": FormSpec(
        title="Practice answer",
        label="Answer",
        description="Graded against the key points; suggests a recall rating. No points.",
        placeholder="Type what you remember",
    ),
    "appeal": FormSpec(
        title="Appeal your grade",
        label="Why should it be graded again?",
        description="An admin of this channel decides; you are told privately.",
        placeholder="e.g. I described the key point in other words",
    ),
}
# the longest reason an appeal takes (bot.grades.appeals)
APPEAL_REASON = 500


def form_custom_id(form: OpenForm) -> str:
    """The custom id of a form."""
    custom_id = f"{FORM_PREFIX}{form.kind}:{form.value}"
    if len(custom_id) > CUSTOM_ID:
        raise ValueError(f"form custom id longer than {CUSTOM_ID} characters")
    return custom_id


def decode_form(custom_id: str) -> OpenForm | None:
    """The form a submit belongs to, or None if it is not a dailyq form."""
    if not custom_id.startswith(FORM_PREFIX):
        return None
    kind, sep, value = custom_id.removeprefix(FORM_PREFIX).partition(":")
    if kind not in SPECS or not sep:
        return None
    return OpenForm(kind, value)


def form_command(form: OpenForm, text: str) -> Command:
    """The command a submitted form runs; a malformed round id means the caller's open round."""
    if form.kind == "answer":
        round_id = int(form.value) if form.value.isdigit() else None
        return SubmitAnswer(round_id=round_id, text=text)
    if form.kind == "appeal":
        return AppealGrade(reason=text, round_id=int(form.value) if form.value.isdigit() else None)
    return PracticeAnswer(text, form.value or None)


def form_values(components: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Text input values of a modal submit, ``{custom_id: value}``.

    Handles both layouts Discord sends: Label (type 18) wrapping one input, and the older action
    rows (type 1) holding inputs.
    """
    values: dict[str, str] = {}
    stack = list(components)
    while stack:
        item = stack.pop(0)
        if item.get("type") == 4 and "custom_id" in item:
            values[str(item["custom_id"])] = str(item.get("value") or "")
        if isinstance(item.get("component"), Mapping):
            stack.append(item["component"])
        stack.extend(item.get("components") or [])
    return values


def build_modal(form: OpenForm) -> discord.ui.Modal:
    """The modal of a form: one paragraph input of up to 4,000 characters."""
    spec = SPECS[form.kind]
    modal = discord.ui.Modal(title=spec.title, custom_id=form_custom_id(form), timeout=None)
    text = discord.ui.TextInput[Any](
        style=discord.TextStyle.paragraph,
        custom_id=TEXT_ID,
        placeholder=spec.placeholder,
        min_length=1,
        max_length=APPEAL_REASON if form.kind == "appeal" else TEXT_INPUT,
    )
    modal.add_item(discord.ui.Label(text=spec.label, description=spec.description, component=text))
    return modal
