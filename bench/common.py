"""What every benchmark shares: the result row, statistics, the fixed clock and scratch folders."""

from __future__ import annotations

import logging
import shutil
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.cards import Card
from bot.ports import ChannelRef, MessageRef, UserRef

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"

# The benchmarks' "now": a Wednesday afternoon, when every seeded channel has an open round
# (09:00 local in UTC, London, Berlin and New York is before 16:00 UTC).
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Figure:
    """One row of the results table."""

    figure: str
    result: str
    baseline: str
    ratio: str
    goal: str
    met: bool | None  # None: reported only, or not measured

    @property
    def verdict(self) -> str:
        """The last column: whether the goal was met."""
        return {True: "yes", False: "**no**", None: "-"}[self.met]


class FixedClock:
    """A ``bot.ports.Clock`` standing still at ``moment`` (the seeded data's "now")."""

    def __init__(self, moment: datetime = NOW) -> None:
        self.moment = moment

    def now(self) -> datetime:
        """The fixed moment."""
        return self.moment


class InstantMessenger:
    """A ``bot.ports.Messenger`` that accepts every message at once (no platform is measured)."""

    def __init__(self) -> None:
        self.sent = 0

    async def post(self, channel: ChannelRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Accept a post."""
        self.sent += 1
        return MessageRef(channel, f"m-{key}")

    async def edit(self, message: MessageRef, card: Card) -> None:
        """Accept an edit."""

    async def reply(self, message: MessageRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Accept a reply."""
        return MessageRef(message.channel, f"r-{key}")

    async def tell(self, user: UserRef, card: Card) -> None:
        """Accept a private message."""


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0..1) percentile of ``values``, nearest rank."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


@contextmanager
def scratch_dir(name: str) -> Iterator[Path]:
    """A temporary folder for one benchmark, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"dailyq-bench-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def copy_database(source: Path, target_dir: Path, name: str = "dailyq.db") -> Path:
    """A private copy of a cached database file for one run (the cache stays untouched)."""
    target = target_dir / name
    shutil.copyfile(source, target)
    return target


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{path}"


def quiet_logs() -> None:
    """Keep the bot's per-round INFO lines out of the table (warnings still show)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("bot", "adapters", "discord", "apscheduler", "alembic", "aiohttp"):
        logging.getLogger(name).setLevel(logging.WARNING)
