"""A recording ``Nudger``: stands in for a platform's private reminders at the network boundary."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.cards import Card
from bot.ports import ChannelRef


@dataclass
class Nudge:
    """One reminder as the platform received it."""

    channel: ChannelRef
    user_id: str
    card: Card
    key: str
    resend: bool


@dataclass
class RecordingNudger:
    """Records nudges; ``fail_for`` makes a member's nudges raise (unreachable, flaky platform)."""

    sent: list[Nudge] = field(default_factory=list)
    attempts: list[Nudge] = field(default_factory=list)
    fail_for: dict[str, Exception] = field(default_factory=dict)

    async def nudge(
        self, channel: ChannelRef, user_id: str, card: Card, *, key: str, resend: bool = False
    ) -> None:
        """Record a reminder, or raise the failure configured for its member."""
        nudge = Nudge(channel, user_id, card, key, resend)
        self.attempts.append(nudge)
        if user_id in self.fail_for:
            raise self.fail_for[user_id]
        self.sent.append(nudge)

    def users(self) -> list[str]:
        """Who was reminded, in order."""
        return [n.user_id for n in self.sent]
