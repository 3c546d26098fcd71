"""Pacing outbound REST calls under Discord's global limit of 50 requests per second per bot.

discord.py only reacts to 429 responses; a daily fan-out to thousands of channels would hit the
global limit, and Discord bans an IP after 10,000 invalid (401/403/429) responses in 10 minutes.
So every send, edit and thread creation of the messenger first takes a slot from one shared
``Pacer`` (a leaky bucket from aiolimiter).

A leaky bucket of capacity ``burst`` draining at ``rate`` per second admits at most
``burst + rate`` requests in any one-second window. ``DISCORD_REQUESTS_PER_SECOND`` (default 49)
is that peak: a burst of 1 and the rest as rate (48/s), so a fan-out runs at nearly the full
limit while one request per second stays free for the few the bot makes outside the messenger
(command sync, permission checks); a larger burst would only lower the sustained rate.
Interaction responses and follow-ups are exempt from the global limit and are not paced.

The pacer is per process. With shards split across several processes, either let one elected
process do all scheduled posts and reveals (``DAILYQ_DISPATCH=elected``; the others only answer
interactions), or give each process its share with ``DISCORD_REQUESTS_PER_SECOND`` (for example
20 each with two processes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from aiolimiter import AsyncLimiter

DISCORD_GLOBAL_LIMIT = 50
DEFAULT_BURST = 1  # a larger burst only lowers the sustained rate under the same peak
DEFAULT_RATE = 48.0


class Pacer:
    """An async context manager that waits for a request slot: ``async with pacer: await send()``."""

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

    async def __aenter__(self) -> None:
        started = time.monotonic()
        await self._limiter.acquire()
        if self.on_wait is not None:
            self.on_wait(time.monotonic() - started)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


def pacer_for(requests_per_second: float) -> Pacer:
    """A pacer whose peak stays within ``requests_per_second``: a burst of one, the rest as rate."""
    if requests_per_second < 2:
        raise ValueError("at least 2 requests per second")
    return Pacer(rate=requests_per_second - DEFAULT_BURST, burst=DEFAULT_BURST)
