"""Making a member's text safe to show: no pings, no links.

A submission is shown to admins in the queue and, once approved, posted to whole channels, so it
must not notify anyone or carry a clickable link. Mentions in Discord's and Slack's markup
(``<@123>``, ``<@&role>``, ``<#channel>``, ``<!here>``) become ``[mention]``; ``@everyone`` and
``@here`` get a zero-width space after the ``@``; a link keeps its text but loses its scheme and
has its dots bracketed (``example[.]com/page``), which no client turns into a link.
"""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"

_MARKUP_MENTION = re.compile(r"<(?:@[!&]?|#|!)[^>\s]*>")
_BROADCAST = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_LINK = re.compile(
    r"\b(?:https?://|ftp://|www\.)[^\s<>]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|gg|ly|co|me|xyz|app|dev)\b[^\s<>]*",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _defang(match: re.Match[str]) -> str:
    return _SCHEME.sub("", match.group(0)).replace(".", "[.]")


def neutralise(text: str) -> str:
    """``text`` with mentions removed, broadcasts broken and links made unclickable."""
    text = _CONTROL.sub("", text)
    text = _MARKUP_MENTION.sub("[mention]", text)
    text = _BROADCAST.sub(lambda m: f"@{ZERO_WIDTH_SPACE}{m.group(1)}", text)
    return _LINK.sub(_defang, text).strip()
