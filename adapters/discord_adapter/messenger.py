"""The Discord ``Messenger``: daily posts, their edits, and reveals in a thread from the post.

- Every send carries the core's idempotency key as its nonce with ``enforce_nonce`` (discord.py
  always sets it), so a retried post or reveal returns the message Discord already has, while
  Discord still remembers the nonce (a few minutes). A resend (``resend=True``: an earlier
  attempt may have reached Discord) first looks the message up among the channel's or thread's
  newest messages and adopts it (lookup.py), so a bot down for longer still posts once.
- Every REST call first takes a slot from the shared ``Pacer`` (see adapters/pacing.py).
- 403 and 404 mean the bot can no longer post there: they raise ``DeliveryError(permanent=True)``
  and the core pauses the channel. Anything else (5xx, timeouts) raises as is; the core backs off
  and retries with the same key.
- A paused channel gets no further attempts from the core until an admin resumes it, so a
  channel the bot lost access to costs one 403, not a stream of them (Discord bans an IP after
  10,000 invalid requests in 10 minutes).
- The reveal goes into a thread started from the post. Without thread permissions it falls back
  to a reply to the post, and without that to a plain message.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

import discord
from discord.utils import MISSING

from adapters.discord_adapter.actions import encode
from adapters.discord_adapter.limits import NONCE, THREAD_NAME, clip
from adapters.discord_adapter.lookup import Wanted, find_sent
from adapters.discord_adapter.render import render
from adapters.pacing import Pacer
from bot.cards import Card, RevealCard
from bot.ports import ChannelRef, DeliveryError, MessageRef, UserRef

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
ARCHIVE_AFTER_MINUTES: Final = 1440


def nonce_for(key: str) -> str:
    """The message nonce of an idempotency key (Discord accepts at most 25 characters)."""
    if len(key) <= NONCE:
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE]


def reminder_footer(key: str) -> str:
    """The footer of a reminder DM: it carries the key, so a resend can find the reminder."""
    return f"dailyq · {key}"


def thread_name(card: Card) -> str:
    """The name of the thread a reveal opens."""
    if isinstance(card, RevealCard):
        return clip(f"Answer: {card.question}", THREAD_NAME)
    return "dailyq"


@contextmanager
def delivery(where: str) -> Iterator[None]:
    """Turn Discord's 403/404 into a permanent ``DeliveryError`` naming the problem."""
    try:
        yield
    except (discord.Forbidden, discord.NotFound) as exc:
        raise DeliveryError(
            f"Discord {exc.status} in {where}: {exc.text or 'no access'} (code {exc.code}). "
            "Check that the bot can view the channel, send messages and embed links, then /daily resume.",
            permanent=True,
        ) from exc


class DiscordMessenger:
    """Implements ``bot.ports.Messenger`` with a discord.py client (no channel cache needed)."""

    def __init__(self, client: discord.Client, pacer: Pacer) -> None:
        self.client = client
        self.pacer = pacer

    def _channel(self, ref: ChannelRef) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(int(ref.channel_id), guild_id=int(ref.workspace_id))

    async def _send(
        self,
        channel_id: int,
        card: Card,
        *,
        key: str,
        reference: discord.MessageReference | None = None,
        footer: str | None = None,
    ) -> str:
        """Send ``card`` to a channel, thread or DM; the new message's id.

        The payload is the one discord.py's ``Messageable.send`` builds, but no ``Message`` is
        built from the answer and no view is stored per message: a fan-out needs only the id, and
        the buttons are persistent dynamic items registered at start (client.py)."""
        rendered = render((card,))
        if footer is not None and rendered.embeds:
            rendered.embeds[0].set_footer(text=footer)
        with discord.http.handle_message_parameters(
            content=None,  # as Messageable.send passes it: the JSON says "content": null
            embeds=rendered.embeds,
            view=rendered.view() or MISSING,
            nonce=nonce_for(key),
            allowed_mentions=NO_MENTIONS,
            previous_allowed_mentions=self.client.allowed_mentions,
            message_reference=MISSING if reference is None else reference.to_message_reference_dict(),
        ) as params:
            async with self.pacer:
                sent = await self.client.http.send_message(channel_id, params=params)
        return str(sent["id"])

    def _wanted(self, card: Card, *, reply_to: str | None = None, in_thread: bool = False) -> Wanted | None:
        """How to recognise an earlier send of ``card`` (None before login: nothing to match)."""
        if self.client.user is None:
            return None
        rendered = render((card,))
        title = rendered.embeds[0].title if in_thread and rendered.embeds else None
        ids = frozenset(encode(action) for action in rendered.actions)
        return Wanted(str(self.client.user.id), ids, reply_to=reply_to, title=title)

    async def _earlier(self, channel_id: int, wanted: Wanted | None) -> str | None:
        if wanted is None:
            return None
        found = await find_sent(self.client, self.pacer, channel_id, wanted)
        if found is not None:
            log.info("adopting earlier message %s in channel %s", found, channel_id)
        return found

    async def post(self, channel: ChannelRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Post a card to a channel (the daily question); a resend adopts the earlier post."""
        with delivery(f"channel {channel.channel_id}"):
            if resend:
                found = await self._earlier(int(channel.channel_id), self._wanted(card))
                if found is not None:
                    return MessageRef(channel, found)
            sent = await self._send(int(channel.channel_id), card, key=key)
        return MessageRef(channel, sent)

    async def edit(self, message: MessageRef, card: Card) -> None:
        """Replace a post's embed and buttons (a closed card has none)."""
        rendered = render((card,))
        target = self._channel(message.channel).get_partial_message(int(message.message_id))
        with delivery(f"message {message.message_id}"):
            async with self.pacer:
                await target.edit(embeds=rendered.embeds, view=rendered.view(), allowed_mentions=NO_MENTIONS)

    async def reply(self, message: MessageRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Answer a post in its thread (created here), or as a reply when threads are not allowed;
        a resend adopts the earlier answer in the thread or the earlier reply to the post."""
        thread_id = message.thread_id or await self._thread_for(message, card)
        if thread_id is not None:
            try:
                found = (
                    await self._earlier(int(thread_id), self._wanted(card, in_thread=True))
                    if resend
                    else None
                )
                if found is None:
                    found = await self._send(int(thread_id), card, key=key)
            except (discord.Forbidden, discord.NotFound) as exc:
                log.info("cannot post in thread %s (%s); replying in the channel", thread_id, exc.status)
            else:
                return MessageRef(message.channel, found, thread_id=str(thread_id))
        if resend:
            wanted = self._wanted(card, reply_to=message.message_id)
            with delivery(f"channel {message.channel.channel_id}"):
                found = await self._earlier(int(message.channel.channel_id), wanted)
            if found is not None:
                return MessageRef(message.channel, found)
        channel = self._channel(message.channel)
        reference = discord.MessageReference(
            message_id=int(message.message_id),
            channel_id=channel.id,
            guild_id=int(message.channel.workspace_id),
            fail_if_not_exists=False,
        )
        with delivery(f"channel {message.channel.channel_id}"):
            try:
                sent = await self._send(channel.id, card, key=key, reference=reference)
            except discord.Forbidden:  # replies need Read Message History; a plain message does not
                sent = await self._send(channel.id, card, key=key)
        return MessageRef(message.channel, sent)

    async def nudge(
        self, channel: ChannelRef, user_id: str, card: Card, *, key: str, resend: bool = False
    ) -> None:
        """A private reminder as a direct message (opening the DM channel first), paced like
        every send and carrying the key as nonce and in its footer; a resend first looks the
        reminder up among the DM's newest messages and leaves it at that if it is there. A member
        who left or blocks DMs from server members answers 403/404: a permanent
        ``DeliveryError``, so the core skips them."""
        footer = reminder_footer(key)
        try:
            async with self.pacer:
                dm = await self.client.http.start_private_message(int(user_id))
            dm_id = int(dm["id"])
            if resend and self.client.user is not None:
                wanted = Wanted(str(self.client.user.id), footer=footer)
                if await self._earlier(dm_id, wanted) is not None:
                    return
            await self._send(dm_id, card, key=key, footer=footer)
        except (discord.Forbidden, discord.NotFound) as exc:
            reason = f"{exc.text or 'no access'}, code {exc.code}"
            raise DeliveryError(
                f"Discord {exc.status}: cannot DM member {user_id} ({reason})", permanent=True
            ) from exc

    async def _thread_for(self, message: MessageRef, card: Card) -> int | None:
        """The thread of the post: created now, or the existing one on a retry; None if not allowed."""
        post = self._channel(message.channel).get_partial_message(int(message.message_id))
        try:
            async with self.pacer:
                thread = await post.create_thread(
                    name=thread_name(card), auto_archive_duration=ARCHIVE_AFTER_MINUTES
                )
        except discord.HTTPException as exc:
            if exc.code == THREAD_EXISTS:
                return post.id  # a thread started from a message has the message's id
            if exc.status in (400, 403, 404):
                log.info("no thread for message %s (%s %s)", post.id, exc.status, exc.code)
                return None
            raise
        except ValueError:  # the guild is not in the cache (the bot left it)
            return None
        return thread.id

    async def tell(self, user: UserRef, card: Card) -> None:
        """A direct message to one member (a changed grade); a member who refuses DMs from the
        server (403, code 50007) raises a permanent ``DeliveryError``."""
        rendered = render((card,))
        with delivery(f"direct message to {user.user_id}"):
            async with self.pacer:
                dm = await self.client.create_dm(discord.Object(int(user.user_id)))
            async with self.pacer:
                await dm.send(embeds=rendered.embeds, allowed_mentions=NO_MENTIONS)
