"""Pacing outbound platform calls on aiolimiter's leaky bucket, so a daily fan-out rarely meets a 429.

One abstraction for both platforms: a ``Pacer`` is one ``AsyncLimiter`` (``async with pacer:``
before a request); ``Pacers`` are pacers made per key on first use and forgotten once idle.

**Discord** allows 50 requests per second per bot token, all shards together. discord.py only
reacts to 429 responses, and Discord bans an IP after 10,000 invalid (401/403/429) responses in
10 minutes, so every send, edit and thread creation first takes a slot from one shared ``Pacer``.
A leaky bucket of capacity ``burst`` draining at ``rate`` per second admits at most
``burst + rate`` requests in any one-second window. ``DISCORD_REQUESTS_PER_SECOND`` (default 49)
is that peak: a burst of 1 and the rest as rate (48/s, ``pacer_for``), so a fan-out runs at nearly
the full limit while one request per second stays free for the few the bot makes outside the
messenger (command sync, permission checks); a larger burst would only lower the sustained rate.
Interaction responses and follow-ups are exempt from the global limit and are not paced.

**Slack** allows about one message per second per channel (short bursts tolerated) and a few
hundred per minute per workspace (``chat.postMessage``'s special tier). ``ChannelPacer`` gives
each post its workspace's next slot (``WORKSPACE_RATE``, 240 a minute, leaving room for reveals,
ephemerals and other apps) in order of arrival, so one busy channel never holds up the others,
then its own channel's (one per ``CHANNEL_GAP``). A 429 that still happens is retried after
Retry-After by the Slack client.

Pacers are per process. With several processes let one elected process do the scheduled posts
and reveals (``DAILYQ_DISPATCH=elected``; the others only answer interactions), or give each
Discord process its share with ``DISCORD_REQUESTS_PER_SECOND`` (for example 20 each with two).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from types import TracebackType

from aiolimiter import AsyncLimiter
from cachetools import TTLCache

DISCORD_GLOBAL_LIMIT = 50
DEFAULT_BURST = 1  # a larger burst only lowers the sustained rate under the same peak
DEFAULT_RATE = 48.0
CHANNEL_GAP = 1.0  # seconds between two Slack posts in one channel
WORKSPACE_RATE = 4.0  # Slack posts per second per workspace (240 a minute)
MAX_TRACKED = 10_000  # keyed pacers kept at once
IDLE_TTL = 300.0  # seconds after its last use a keyed pacer is forgotten (it is empty long before)


class Pacer:
    """One leaky bucket: ``async with pacer: await send()`` waits for a request slot."""

    def __init__(self, rate: float = DEFAULT_RATE, burst: int = DEFAULT_BURST) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._limiter = AsyncLimiter(max_rate=burst, time_period=burst / rate)
        self.on_wait: Callable[[float], None] | None = None  # metrics: seconds each request waited

    @property
    def peak_per_second(self) -> float:
        """The most requests this pacer lets through in any one-second window."""
        return self.burst + self.rate

    async def acquire(self) -> None:
        """Wait for the next slot and take it."""
        started = time.monotonic()
        await self._limiter.acquire()
        if self.on_wait is not None:
            self.on_wait(time.monotonic() - started)

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


def pacer_for(requests_per_second: float) -> Pacer:
    """A Discord pacer whose peak stays within ``requests_per_second``: a burst of one, the rest as rate."""
    if requests_per_second < 2:
        raise ValueError("at least 2 requests per second")
    return Pacer(rate=requests_per_second - DEFAULT_BURST, burst=DEFAULT_BURST)


class Pacers:
    """A ``Pacer`` per key (a channel, a workspace), made on first use, forgotten when idle."""

    def __init__(self, rate: float, burst: int = 1, *, max_keys: int = MAX_TRACKED) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._pacers: TTLCache[Hashable, Pacer] = TTLCache(maxsize=max_keys, ttl=IDLE_TTL)

    def __getitem__(self, key: Hashable) -> Pacer:
        pacer = self._pacers.get(key)
        if pacer is None:
            pacer = Pacer(self.rate, self.burst)
        self._pacers[key] = pacer  # (re)set: the idle time counts from the last use
        return pacer

    def __len__(self) -> int:
        return len(self._pacers)


class ChannelPacer:
    """Slack's posting pace: ``await pacer.wait(workspace, channel)`` before each post."""

    def __init__(self, channel_gap: float = CHANNEL_GAP, workspace_rate: float = WORKSPACE_RATE) -> None:
        if workspace_rate <= 0 or channel_gap <= 0:
            raise ValueError("workspace_rate and channel_gap must be positive")
        self.channel_gap = channel_gap
        self.workspace_rate = workspace_rate
        self.workspaces = Pacers(workspace_rate)
        self.channels = Pacers(1.0 / channel_gap)
        self.on_wait: Callable[[float], None] | None = None  # metrics: seconds each send waited

    async def wait(self, workspace: str, channel: str) -> None:
        """Wait for this workspace's next free slot (in order of arrival), then this channel's."""
        started = time.monotonic()
        await self.workspaces[workspace].acquire()
        await self.channels[(workspace, channel)].acquire()
        if self.on_wait is not None:
            self.on_wait(time.monotonic() - started)
