"""Helpers for rounds tests: schedule a channel, move the fake clock, read what was posted."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from bot.cards import QuestionCard
from bot.commands import ConfigureDaily
from bot.context import Context
from bot.store.tables import rounds
from bot.text.timeparse import parse_days, parse_duration
from tests.conftest import admin
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger


async def schedule(
    app: App,
    at: str,
    zone: str,
    *,
    channel: str = "C1",
    days: str = "every",
    reveal: str = "8h",
    mode: str = "open",
) -> Context:
    """``daily set`` for a channel as its admin; returns the admin's context."""
    ctx = admin(channel=channel)
    hour, minute = (int(p) for p in at.split(":"))
    reply = await app.service.handle(
        ctx,
        ConfigureDaily(
            post_time=time(hour, minute),
            timezone=zone,
            days=parse_days(days),
            reveal_after=parse_duration(reveal),
            mode=mode,
        ),
    )
    assert "scheduled" in str(reply.cards[0]).lower(), reply
    return ctx


async def run_at(app: App, clock: FakeClock, moment: datetime) -> None:
    """Move the clock to ``moment`` and let the rounds logic do what is due."""
    clock.set(moment)
    await app.dispatcher.run_due()


def local(zone: str, *args: int) -> datetime:
    """An aware datetime in ``zone``."""
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def posts(messenger: RecordingMessenger, channel: str = "C1") -> list[QuestionCard]:
    """The daily question cards posted in a channel."""
    return [s.card for s in messenger.of_kind("post", channel) if isinstance(s.card, QuestionCard)]


async def round_rows(app: App) -> list[object]:
    """Every round row, oldest first."""
    async with app.engine.connect() as conn:
        return list((await conn.execute(select(rounds).order_by(rounds.c.id))).all())
