"""Recording a failed send (a post or a reveal reply) by the rules of ``bot.daily.policy``."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.daily.changes import Changes
from bot.daily.policy import DailyConfig, setback
from bot.ports import Clock, Metrics
from bot.store import channels as channel_store
from bot.store import rounds as round_store
from bot.store.channels import Channel

log = logging.getLogger(__name__)


class Failures:
    """Backs off a failed send and pauses a channel that is gone or keeps failing, in one transaction."""

    def __init__(
        self, engine: AsyncEngine, clock: Clock, config: DailyConfig, metrics: Metrics, changes: Changes
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.config = config
        self.metrics = metrics
        self.changes = changes

    async def record(self, channel: Channel, round_id: int, attempt: int, exc: Exception) -> None:
        """Back off a failed send; pause a channel that is gone or keeps failing for a day."""
        result = setback(channel, attempt, exc, self.clock.now(), self.config)
        log.warning(
            "round %s: send to channel %s failed (attempt %s, %s): %s",
            round_id,
            channel.id,
            attempt,
            "pausing channel" if result.pause else "will retry",
            result.last_error,
        )
        async with self.engine.begin() as conn:
            await round_store.retry_after(conn, round_id, result.retry_at)
            await channel_store.update_channel(
                conn,
                channel.id,
                failures=result.failures,
                failing_since=result.failing_since,
                last_error=result.last_error,
                paused=result.paused,
            )
        if not result.pause:
            self.metrics.retried(channel.platform)
        self.changes.changed()
