"""The daily engine's timing rules in one place: catch-up, leases, backoff, when to pause.

A failed send of a post or a reveal backs off exponentially (capped at 15 minutes); a channel
that is gone (a permanent delivery error) or keeps failing for a day is paused until an admin
resumes it. A champion post backs off too and gives up after five attempts.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.ports import DeliveryError
from bot.store.channels import Channel

MAX_BACKOFF = timedelta(minutes=15)
PAUSE_AFTER_FAILING = timedelta(days=1)
LATE_AFTER = timedelta(minutes=1)  # a post later than this says it is late
CHAMPION_ATTEMPTS = 5


@dataclass(frozen=True)
class DailyConfig:
    """Timing rules of the daily engine, and whether one elected process does all dispatching.

    ``elected``: only the process holding the database lease ``dispatcher`` posts and reveals
    (so one process's rate limiter sees every scheduled send); another takes over within
    ``dispatcher_ttl`` (three safety ticks) when it dies. Otherwise every process dispatches
    and row claims split the work.
    """

    catchup: timedelta = timedelta(hours=6)
    lease: timedelta = timedelta(seconds=30)
    retry_base: timedelta = timedelta(seconds=5)
    elected: bool = False
    dispatcher_ttl: timedelta = timedelta(seconds=90)
    worker_id: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    )


def backoff(attempt: int, base: timedelta) -> timedelta:
    """Delay before retry number ``attempt`` (exponential, capped at 15 minutes)."""
    return min(base * (1 << min(max(attempt - 1, 0), 16)), MAX_BACKOFF)


def missed(due_at: datetime, now: datetime, config: DailyConfig) -> bool:
    """Whether a post due at ``due_at`` is past the catch-up window and is skipped, not sent."""
    return now - due_at > config.catchup


@dataclass(frozen=True)
class Setback:
    """What a failed send changes: when to retry, and the channel's failure record."""

    retry_at: datetime
    failures: int
    failing_since: datetime
    last_error: str
    pause: bool  # this failure pauses the channel
    paused: bool  # the channel is paused after it (it may have been already)


def setback(channel: Channel, attempt: int, exc: Exception, now: datetime, config: DailyConfig) -> Setback:
    """The consequences of failed send attempt ``attempt`` to ``channel``."""
    failing_since = channel.failing_since or now
    pause = (isinstance(exc, DeliveryError) and exc.permanent) or now - failing_since >= PAUSE_AFTER_FAILING
    return Setback(
        retry_at=now + backoff(attempt, config.retry_base),
        failures=channel.failures + 1,
        failing_since=failing_since,
        last_error=f"{type(exc).__name__}: {exc}"[:500],
        pause=pause,
        paused=channel.paused or pause,
    )


def champion_retry(attempt: int, exc: Exception, now: datetime, config: DailyConfig) -> datetime | None:
    """When to retry a failed champion post; None to give up (channel gone, or the last attempt)."""
    if (isinstance(exc, DeliveryError) and exc.permanent) or attempt >= CHAMPION_ATTEMPTS:
        return None
    return now + config.retry_base * (1 << attempt)
