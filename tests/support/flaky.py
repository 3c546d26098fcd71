"""A flaky platform at the Messenger boundary: errors, timeouts, and sends that land but never answer."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from bot.cards import Card
from bot.ports import ChannelRef, DeliveryError, MessageRef, UserRef


class PlatformTimeout(TimeoutError):
    """The platform did not answer in time (it may or may not have accepted the message)."""


@dataclass
class FlakyPlatform:
    """Fails ``failure_rate`` of calls: rate limited, server error, timeout before or after accepting.

    Like the real platforms with our adapters, a *resend* of a key it already accepted returns the
    existing message (Discord nonce, Slack metadata lookup); a plain send of a known key would
    show the message twice, and ``shown`` counts that.
    """

    rng: random.Random
    failure_rate: float = 0.10
    accepted: dict[str, str] = field(default_factory=dict)
    shown: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    edits: int = 0

    def _fault(self) -> str | None:
        if self.rng.random() >= self.failure_rate:
            return None
        return self.rng.choice(["429", "500", "timeout-before", "timeout-after"])

    def _send(self, channel: ChannelRef, key: str, resend: bool) -> MessageRef:
        fault = self._fault()
        if fault:
            self.failures[fault] += 1
        if fault == "429":
            raise DeliveryError("429 Too Many Requests (retry after 1s)")
        if fault == "500":
            raise DeliveryError("500 Internal Server Error")
        if fault == "timeout-before":
            raise PlatformTimeout("no answer from the platform")
        if not (resend and key in self.accepted):
            self.shown[key] += 1
            self.accepted[key] = f"m{len(self.accepted) + 1}"
        if fault == "timeout-after":
            raise PlatformTimeout("the platform accepted the message but the answer was lost")
        return MessageRef(channel, self.accepted[key])

    async def post(self, channel: ChannelRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Maybe post."""
        return self._send(channel, key, resend)

    async def edit(self, message: MessageRef, card: Card) -> None:
        """Maybe edit."""
        if self._fault():
            raise DeliveryError("500 Internal Server Error")
        self.edits += 1

    async def reply(self, message: MessageRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Maybe reply."""
        return self._send(message.channel, key, resend)

    async def tell(self, user: UserRef, card: Card) -> None:
        """Maybe tell one person privately."""
        if self._fault():
            raise DeliveryError("500 Internal Server Error")
