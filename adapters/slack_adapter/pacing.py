"""Pacing ``chat.postMessage`` under Slack's limits, so a daily fan-out rarely meets a 429.

Slack allows about one message per second per channel (short bursts tolerated) and a few hundred
per minute per workspace. Each send reserves the next free slot of its workspace and of its
channel, then sleeps until then; reservations happen without an ``await`` in between, so
concurrent senders never take the same slot. A 429 that still happens is retried after
Retry-After by the client (see ``client``).

The pacer is per process: with several processes let one elected process do the scheduled posts
and reveals (``DAILYQ_DISPATCH=elected``), so its pacer sees every send.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

CHANNEL_GAP = 1.0  # seconds between two posts in one channel
WORKSPACE_RATE = 4.0  # posts per second per workspace (240 a minute)
MAX_TRACKED = 10_000


class Pacer:
    """Hands out send slots: ``await pacer.wait(workspace, channel)`` before each post."""

    def __init__(
        self,
        channel_gap: float = CHANNEL_GAP,
        workspace_rate: float = WORKSPACE_RATE,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if workspace_rate <= 0 or channel_gap < 0:
            raise ValueError("workspace_rate must be positive and channel_gap not negative")
        self.channel_gap = channel_gap
        self.interval = 1.0 / workspace_rate
        self.monotonic = monotonic
        self.sleep = sleep
        self._workspace_free: dict[str, float] = {}
        self._channel_free: dict[tuple[str, str], float] = {}
        self.on_wait: Callable[[float], None] | None = None  # metrics: seconds each send waited

    def reserve(self, workspace: str, channel: str) -> float:
        """Reserve the next slot for a post in ``channel``; returns how long to wait for it."""
        now = self.monotonic()
        if len(self._channel_free) > MAX_TRACKED:
            self._channel_free = {k: v for k, v in self._channel_free.items() if v > now}
        key = (workspace, channel)
        # the workspace slot is taken in order of arrival, so one busy channel never holds up
        # the others; the post then also waits for its own channel's gap
        workspace_slot = max(now, self._workspace_free.get(workspace, now))
        self._workspace_free[workspace] = workspace_slot + self.interval
        slot = max(workspace_slot, self._channel_free.get(key, now))
        self._channel_free[key] = slot + self.channel_gap
        return slot - now

    async def wait(self, workspace: str, channel: str) -> None:
        """Wait for this channel's and this workspace's next free slot."""
        delay = self.reserve(workspace, channel)
        if self.on_wait is not None:
            self.on_wait(max(delay, 0.0))
        if delay > 0:
            await self.sleep(delay)
