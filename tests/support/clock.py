"""A settable clock: every time-dependent path runs on it in tests (no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Aware-UTC time that moves only when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The current fake time."""
        return self.current

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        assert moment.tzinfo is not None
        self.current = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self.current += delta
