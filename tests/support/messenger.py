"""A recording ``Messenger``: stands in for a chat platform at the network boundary."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.cards import Card
from bot.ports import ChannelRef, DeliveryError, MessageRef, UserRef


@dataclass
class Sent:
    """One outbound call."""

    kind: str
    channel: ChannelRef
    card: Card
    key: str = ""
    message_id: str = ""
    resend: bool = False


@dataclass
class RecordingMessenger:
    """Records posts, edits and replies; can fail the next calls like a flaky platform.

    Like Discord's nonce, a post or reply with a key it has already accepted returns the same
    message instead of a second one, so tests can count what a channel really shows.
    """

    sent: list[Sent] = field(default_factory=list)
    fail_next: list[Exception] = field(default_factory=list)
    accepted: dict[str, str] = field(default_factory=dict)
    counter: int = 0

    def _maybe_fail(self) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)

    def _deliver(self, kind: str, channel: ChannelRef, card: Card, key: str, resend: bool) -> MessageRef:
        self._maybe_fail()
        if key in self.accepted:
            return MessageRef(channel, self.accepted[key])
        self.counter += 1
        message_id = f"msg{self.counter}"
        self.accepted[key] = message_id
        self.sent.append(Sent(kind, channel, card, key, message_id, resend))
        return MessageRef(channel, message_id)

    async def post(self, channel: ChannelRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Record a post."""
        return self._deliver("post", channel, card, key, resend)

    async def edit(self, message: MessageRef, card: Card) -> None:
        """Record an edit."""
        self._maybe_fail()
        self.sent.append(Sent("edit", message.channel, card, message_id=message.message_id))

    async def reply(self, message: MessageRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Record a reply."""
        return self._deliver("reply", message.channel, card, key, resend)

    async def tell(self, user: UserRef, card: Card) -> None:
        """Record a private message to one person (kind "tell", ``key`` = the user id)."""
        self._maybe_fail()
        channel = ChannelRef(user.platform, user.workspace_id, user.channel_id)
        self.sent.append(Sent("tell", channel, card, key=user.user_id))

    def of_kind(self, kind: str, channel_id: str | None = None) -> list[Sent]:
        """What was sent of one kind, optionally in one channel."""
        return [
            s
            for s in self.sent
            if s.kind == kind and (channel_id is None or s.channel.channel_id == channel_id)
        ]


def gone() -> DeliveryError:
    """The error a platform gives for a deleted channel or a removed bot."""
    return DeliveryError("Unknown Channel", permanent=True)
