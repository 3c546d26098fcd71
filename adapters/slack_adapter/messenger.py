"""The core's outbound port on Slack: daily posts, their edits, and reveal replies in the thread.

Exactly once without an idempotency key: every post and reveal reply carries message metadata
``{"event_type": "dailyq_message", "event_payload": {"key": "post-12"}}``. When the core re-sends
something whose earlier send may have reached Slack (``resend=True``: the process died or the
connection dropped mid-call), the messenger first looks for a message with that key in
``conversations.history`` (posts) or ``conversations.replies`` (reveal replies) and adopts it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.pacing import ChannelPacer
from adapters.slack_adapter.blocks import message
from bot.cards import Card
from bot.ports import ChannelRef, DeliveryError, MessageRef, UserRef

log = logging.getLogger(__name__)

EVENT_TYPE = "dailyq_message"
PERMANENT = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive"})
UNREACHABLE = frozenset({"user_not_in_channel", "user_not_found", "cannot_dm_bot"})
PAGE_SIZE = 200
MAX_PAGES = 5  # a resend looks through the newest 1,000 messages of the channel or thread


def metadata(key: str) -> dict[str, Any]:
    """The message metadata naming a send's round and kind."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def carries_key(msg: dict[str, Any], key: str) -> bool:
    """Whether a message from history is the one sent with ``key``."""
    meta = msg.get("metadata")
    if not isinstance(meta, dict) or meta.get("event_type") != EVENT_TYPE:
        return False
    payload = meta.get("event_payload")
    return isinstance(payload, dict) and payload.get("key") == key


def _failure(method: str, exc: SlackApiError) -> DeliveryError:
    code = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
    hint = " (invite the app to the channel: /invite @dailyq)" if code == "not_in_channel" else ""
    return DeliveryError(f"Slack {method}: {code}{hint}", permanent=code in PERMANENT)


class SlackMessenger:
    """Implements ``bot.ports.Messenger`` with a Web API client (use the *posting* client)."""

    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()

    async def post(self, channel: ChannelRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Post a card to a channel, or adopt the earlier post with ``key`` when re-sending."""
        if resend:
            found = await self._find(channel.channel_id, key, None)
            if found is not None:
                log.info("adopting earlier post %s for %s", found, key)
                return MessageRef(channel, found)
        ts = await self._send(channel, card, key, None)
        return MessageRef(channel, ts)

    async def edit(self, message_ref: MessageRef, card: Card) -> None:
        """Replace a posted message's content (the reveal closes the post: no buttons)."""
        try:
            await self.client.chat_update(
                channel=message_ref.channel.channel_id, ts=message_ref.message_id, **message(card)
            )
        except SlackApiError as exc:
            raise _failure("chat.update", exc) from None

    async def reply(
        self, message_ref: MessageRef, card: Card, *, key: str, resend: bool = False
    ) -> MessageRef:
        """Reply in the thread of a post, or adopt the earlier reply with ``key`` when re-sending."""
        parent = message_ref.thread_id or message_ref.message_id
        channel = message_ref.channel
        if resend:
            found = await self._find(channel.channel_id, key, parent)
            if found is not None:
                log.info("adopting earlier reply %s for %s", found, key)
                return MessageRef(channel, found, thread_id=parent)
        ts = await self._send(channel, card, key, parent)
        return MessageRef(channel, ts, thread_id=parent)

    async def tell(self, user: UserRef, card: Card) -> None:
        """An ephemeral message to one member in the channel the matter belongs to (the app has
        no Messages tab, so no DM): only they see it."""
        await self.pacer.wait(user.workspace_id, user.channel_id)
        try:
            await self.client.chat_postEphemeral(channel=user.channel_id, user=user.user_id, **message(card))
        except SlackApiError as exc:
            raise _failure("chat.postEphemeral", exc) from None

    async def nudge(
        self, channel: ChannelRef, user_id: str, card: Card, *, key: str, resend: bool = False
    ) -> None:
        """A private reminder: an ephemeral message to the member in the channel of the round.

        Paced by the same pacer as posts (workspace rate; the per-channel gap is per member here,
        as ephemerals do not count against a channel's one-message-a-second). Slack cannot look an
        ephemeral up afterwards, so a resend after a crash mid-call may show it twice."""
        await self.pacer.wait(channel.workspace_id, f"{channel.channel_id}/{user_id}")
        try:
            await self.client.chat_postEphemeral(channel=channel.channel_id, user=user_id, **message(card))
        except SlackApiError as exc:
            code = str(exc.response.get("error") or "")
            failure = _failure("chat.postEphemeral", exc)
            raise DeliveryError(str(failure), permanent=failure.permanent or code in UNREACHABLE) from None

    async def _send(self, channel: ChannelRef, card: Card, key: str, thread_ts: str | None) -> str:
        await self.pacer.wait(channel.workspace_id, channel.channel_id)
        try:
            response = await self.client.chat_postMessage(
                channel=channel.channel_id,
                thread_ts=thread_ts,
                metadata=metadata(key),
                unfurl_links=False,
                unfurl_media=False,
                **message(card),
            )
        except SlackApiError as exc:
            raise _failure("chat.postMessage", exc) from None
        return str(response["ts"])

    async def _find(self, channel_id: str, key: str, thread_ts: str | None) -> str | None:
        """The ts of the message sent with ``key`` (in the thread ``thread_ts`` if given)."""
        method = "conversations.replies" if thread_ts else "conversations.history"
        cursor: str | None = None
        try:
            for _ in range(MAX_PAGES):
                args: dict[str, Any] = {
                    "channel": channel_id,
                    "limit": PAGE_SIZE,
                    "include_all_metadata": True,
                }
                if cursor:
                    args["cursor"] = cursor
                if thread_ts:
                    page = await self.client.conversations_replies(ts=thread_ts, **args)
                else:
                    page = await self.client.conversations_history(**args)
                for msg in page.get("messages") or []:
                    if carries_key(msg, key) and (thread_ts is None or msg.get("ts") != thread_ts):
                        return str(msg["ts"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not page.get("has_more") or not cursor:
                    return None
        except SlackApiError as exc:
            if exc.response.get("error") == "thread_not_found":
                return None  # the post itself is gone: nothing in its thread to adopt
            failure = _failure(method, exc)
            # never post blind: without the lookup a resend could double the message
            raise DeliveryError(
                f"could not check for an earlier message before re-sending ({failure})",
                permanent=failure.permanent,
            ) from None
        log.warning("%s: no %s in the newest %s messages; sending again", method, key, PAGE_SIZE * MAX_PAGES)
        return None
