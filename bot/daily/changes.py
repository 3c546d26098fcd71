"""A signal that the next due moment may have moved (a post went out, a schedule changed)."""

from __future__ import annotations

from collections.abc import Callable


class Changes:
    """Passes "something changed" on to one listener (the timer, which re-arms its wake-up)."""

    def __init__(self) -> None:
        self._listener: Callable[[], None] | None = None

    def listen(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` on every later change."""
        self._listener = listener

    def changed(self) -> None:
        """The next due moment may have moved."""
        if self._listener is not None:
            self._listener()
