"""Work done after a request was acknowledged, and duplicate-event suppression.

Bolt runs listeners after ``ack`` in tasks nobody keeps; the adapter starts its own follow-up
work through ``Background`` instead, so shutdown (and tests) can wait for it to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from cachetools import TTLCache

log = logging.getLogger(__name__)


class Background:
    """A set of tracked tasks; failures are logged, never lost silently.

    At most ``limit`` run at once: a burst of clicks is acknowledged at once, and the follow-up
    work queues instead of crowding the event loop (and SQLite's single writer) all together.
    Work that cannot wait (opening a form before its trigger_id expires) skips the queue, and
    queued work does not start while such work runs (for at most ``defer`` seconds): in a burst of
    Answer clicks every ``views.open`` goes ahead of the confirmations and commands queued behind.
    """

    def __init__(self, limit: int = 16, *, defer: float = 2.0) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(limit)
        self._defer = defer
        self._urgent = 0
        self._calm = asyncio.Event()  # set while no unqueued work runs
        self._calm.set()

    def spawn(self, work: Coroutine[Any, Any, None], name: str, *, queued: bool = True) -> None:
        """Start ``work``, tracked until it ends; ``queued=False`` runs it at once, without
        waiting for one of the ``limit`` slots."""
        task = asyncio.get_running_loop().create_task(self._guard(work, name, queued), name=f"dailyq:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, work: Coroutine[Any, Any, None], name: str, queued: bool) -> None:
        try:
            if not queued:
                await self._first(work)
                return
            async with self._slots:
                if not self._calm.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._calm.wait(), self._defer)
                await work
        except Exception:
            log.exception("%s failed after it was acknowledged", name)

    async def _first(self, work: Coroutine[Any, Any, None]) -> None:
        self._urgent += 1
        self._calm.clear()
        try:
            await work
        finally:
            self._urgent -= 1
            if not self._urgent:
                self._calm.set()

    @property
    def pending(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for every task, including tasks started meanwhile; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._tasks:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=left)
        return True

    def cancel(self) -> None:
        """Cancel whatever is still running (at shutdown, after a drain timed out)."""
        for task in self._tasks:
            task.cancel()


class EventDeduper:
    """Remembers recently seen Events API ``event_id``s (Slack re-delivers on slow or lost acks).

    In-process only: with several HTTP workers a retry may reach another worker; the only
    event handled (``app_home_opened``) is idempotent, so that costs one extra ``views.publish``.
    """

    def __init__(
        self,
        ttl: float = 3600.0,
        max_entries: int = 50_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        # full, the cache drops the oldest ids first: a re-delivery comes within minutes
        self._seen: TTLCache[str, bool] = TTLCache(maxsize=max_entries, ttl=ttl, timer=monotonic)

    def first_time(self, event_id: str) -> bool:
        """True the first time ``event_id`` is seen within the TTL, False for a duplicate."""
        if event_id in self._seen:
            return False
        self._seen[event_id] = True
        return True
