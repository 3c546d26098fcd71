"""Find a message the bot already sent, so a resend past Discord's nonce window adopts it.

Discord deduplicates a repeated nonce only for a few minutes. A bot killed after Discord accepted
a post and down longer than that would post the round a second time, and the first post would
keep a live Answer button forever. So every resend first reads the channel's newest messages
(``GET /channels/{id}/messages``, which needs Read Message History) and looks for the send:

- a daily post by its buttons: their custom ids name the round (``dailyq:answer:<round id>``);
- a reveal in the post's thread: the bot's own message with the reveal's title (the thread
  belongs to that one round; command answers there are interaction responses and are skipped);
- a reveal sent as a reply to the post: the bot's message referencing the post;
- a reminder in the member's DM channel: by its embed footer, which carries the reminder's key
  (a DM names no round, and the bot sends other DMs there too).

A fetched message carries no nonce, so the nonce cannot be matched; it still covers the short
race of an earlier attempt that Discord had not finished accepting when the lookup ran.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import discord

from adapters.pacing import Pacer

log = logging.getLogger(__name__)

PAGE = 100  # Discord's largest page of channel messages
PAGES = 5  # a resend looks through the newest 500 messages of the channel or thread


def component_ids(message: Mapping[str, Any]) -> Iterator[str]:
    """Every custom id among a message's components (rows and their buttons)."""
    stack = list(message.get("components") or [])
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            if "custom_id" in item:
                yield str(item["custom_id"])
            stack.extend(item.get("components") or [])


@dataclass(frozen=True)
class Wanted:
    """What identifies an earlier send of the bot (``author_id``) among recent messages: any
    of its button ``custom_ids``, a reply to the message ``reply_to``, an embed ``title`` (only
    where the bot sends nothing else with that title: a round's own thread), or an embed
    ``footer`` text carrying a send's key."""

    author_id: str
    custom_ids: frozenset[str] = frozenset()
    reply_to: str | None = None
    title: str | None = None
    footer: str | None = None

    def matches(self, message: Mapping[str, Any]) -> bool:
        """Whether ``message`` (a raw Discord message object) is the earlier send."""
        author = message.get("author") or {}
        if str(author.get("id")) != self.author_id:
            return False
        if message.get("interaction_metadata") or message.get("interaction"):
            return False  # a command's answer, not a send of the rounds logic
        if self.custom_ids and not self.custom_ids.isdisjoint(component_ids(message)):
            return True
        reference = message.get("message_reference") or {}
        if self.reply_to is not None and str(reference.get("message_id")) == self.reply_to:
            return True
        embeds = message.get("embeds") or []
        footers = ((e.get("footer") or {}).get("text") for e in embeds)
        if self.footer is not None and self.footer in footers:
            return True
        return self.title is not None and any(e.get("title") == self.title for e in embeds)


async def find_sent(client: discord.Client, pacer: Pacer, channel_id: int, wanted: Wanted) -> str | None:
    """The id of the newest message in ``channel_id`` matching ``wanted``, or None.

    Raises ``discord.NotFound`` (channel gone) and other HTTP errors as they come; a 403 (no
    Read Message History) is logged and answered with None: the nonce is then the only guard.
    """
    before: str | None = None
    for _ in range(PAGES):
        try:
            async with pacer:
                page = await client.http.logs_from(channel_id, PAGE, before=before)
        except discord.Forbidden as exc:
            log.warning(
                "cannot read the history of channel %s (%s, code %s) to check for an earlier send; "
                "sending again with the nonce only",
                channel_id,
                exc.status,
                exc.code,
            )
            return None
        for message in page:
            if wanted.matches(message):
                return str(message["id"])
        if len(page) < PAGE:
            return None
        before = str(page[-1]["id"])
    log.warning("no earlier send in the newest %s messages of channel %s", PAGE * PAGES, channel_id)
    return None
