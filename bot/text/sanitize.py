"""Control characters out of everything people type, before it is stored or shown.

Terminal escape sequences (``ESC [ 2 J`` clears a screen, ``ESC ] 0 ; ... BEL`` retitles a window),
other C0/C1 control characters and the bidirectional overrides that reorder what a reader sees
are removed from every text field of a command and from the caller's display name, on every
platform, where commands enter the service. Newlines stay in free text (an answer may have
paragraphs); a name is one line. Cards are cleaned on the way out as well (replies, and the
round posts and reveals), so text stored before this rule, or a bank file, cannot slip through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from functools import wraps
from typing import ParamSpec, TypeVar

from bot.context import Context

# CSI (ESC [ ... final byte), OSC/DCS/PM/APC strings (ended by BEL or ESC \), and two-byte ESC forms
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b[ -~]?"
)
# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings/overrides/isolates
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

T = TypeVar("T")
P = ParamSpec("P")


def clean_text(text: str, *, multiline: bool = True) -> str:
    """``text`` without escape sequences and control characters; tabs become spaces.

    ``multiline`` False also turns line breaks into spaces (names, topics, one-line values).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text).replace("\t", " ")
    if not multiline:
        text = " ".join(text.split("\n"))
    return text


def clean_context(ctx: Context) -> Context:
    """The caller with a display name fit to show (one line, no control characters)."""
    name = clean_text(ctx.display_name, multiline=False).strip()
    return ctx if name == ctx.display_name else replace(ctx, display_name=name or ctx.user_id)


def clean_card(value: T) -> T:
    """A card (or any frozen dataclass, tuple or text inside one) with every text cleaned;
    the same object when nothing needed cleaning."""
    if isinstance(value, str):
        return clean_text(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        items = tuple(clean_card(item) for item in value)
        return value if items == value else items  # type: ignore[return-value]
    if not is_dataclass(value) or isinstance(value, type):
        return value
    changes: dict[str, object] = {}
    for field in fields(value):
        old = getattr(value, field.name)
        new = clean_card(old)
        if new is not old and new != old:
            changes[field.name] = new
    return replace(value, **changes) if changes else value


def cleaned(builder: Callable[P, T]) -> Callable[P, T]:
    """Decorate a card builder so that the card it returns is cleaned (``clean_card``)."""

    @wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> T:
        return clean_card(builder(*args, **kwargs))

    return build


def clean_command(command: T) -> T:
    """A frozen command with every text field (and tuple of texts) cleaned."""
    if not is_dataclass(command) or isinstance(command, type):
        return command
    changes: dict[str, object] = {}
    for field in fields(command):
        value = getattr(command, field.name)
        if isinstance(value, str):
            cleaned: object = clean_text(value)
        elif isinstance(value, tuple) and all(isinstance(item, str) for item in value):
            cleaned = tuple(clean_text(item, multiline=False) for item in value)
        else:
            continue
        if cleaned != value:
            changes[field.name] = cleaned
    return replace(command, **changes) if changes else command
