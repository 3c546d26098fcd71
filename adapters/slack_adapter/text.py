"""Safe text for Slack: escaping mrkdwn control characters and clipping to Block Kit limits.

Everything the core hands over (questions, answers, display names, topics) is plain text. In
mrkdwn, ``<!channel>`` or ``<@U123>`` would become a live mention, so ``&``, ``<`` and ``>`` are
escaped before any text goes into a mrkdwn field; in plain_text fields (headers, buttons, modal
titles, form errors) the angle brackets become look-alike quotation marks.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.cards import ELLIPSIS, clip

__all__ = ["ELLIPSIS", "chunks", "clip", "clip_mrkdwn", "escape", "local_time", "md", "plain"]
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control sequences."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip_mrkdwn(text: str, limit: int) -> str:
    """Clip already-escaped mrkdwn without leaving half an ``&amp;`` entity at the end."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: max(limit - 1, 0)])
    return cut.rstrip() + ELLIPSIS


def md(text: str, limit: int = 3000) -> str:
    """Plain text made safe for a mrkdwn field of at most ``limit`` characters."""
    return clip_mrkdwn(escape(text), limit)


def plain(text: str, limit: int) -> str:
    """Text for a plain_text field: one line, never empty (Slack rejects empty text objects),
    and with angle brackets swapped for look-alikes, so nothing can read as a mention."""
    cleaned = " ".join(text.split()).replace("<", "\u2039").replace(">", "\u203a") or "-"
    return clip(cleaned, limit)


def local_time(moment: datetime) -> str:
    """A Slack date token: every reader sees ``moment`` in their own time zone."""
    fallback = f"{moment:%Y-%m-%d %H:%M} UTC"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def chunks(lines: list[str], limit: int = 3000) -> list[str]:
    """Join mrkdwn lines into as few texts of at most ``limit`` characters as possible."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = clip_mrkdwn(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current:
        out.append(current)
    return out
