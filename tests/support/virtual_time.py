"""An event loop on virtual time: whenever every task waits for a timer, the clock jumps to it.

aiolimiter (and anything else on ``loop.time()`` / ``asyncio.sleep``) then runs for minutes of
loop time in milliseconds of real time, so pacing can be checked slot by slot without sleeping.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _WarpSelector(selectors.DefaultSelector):
    """A selector that never blocks: a wait for a timer moves the loop's clock instead."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = super().select(0)
        if not events and timeout is not None and timeout > 0:
            self.offset += timeout
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose ``time()`` runs ahead by every wait it skipped."""

    def __init__(self) -> None:
        self._warp = _WarpSelector()
        super().__init__(self._warp)

    def time(self) -> float:
        """Real monotonic time plus the waits skipped so far."""
        return super().time() + self._warp.offset


def run_in_virtual_time(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a fresh ``VirtualTimeLoop``."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()
