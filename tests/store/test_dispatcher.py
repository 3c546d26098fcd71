"""Elected dispatch: with several processes on one database, only the lease holder posts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot.app import App, build_app
from bot.bank.model import Bank
from bot.config import Settings
from tests.core.rounds_helpers import local, posts, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

BERLIN = "Europe/Berlin"
TICK = timedelta(seconds=30)


@pytest.fixture
async def pair(
    db_url: str, bank: Bank, clock: FakeClock
) -> AsyncIterator[list[tuple[App, RecordingMessenger]]]:
    """Two processes on one database, each with its own platform connection."""
    apps = []
    for _ in range(2):
        messenger = RecordingMessenger()
        settings = Settings(database_url=db_url, dispatch="elected", tick=TICK)
        apps.append((await build_app(settings, messenger, clock, bank), messenger))
    yield apps
    for app, _ in apps:
        await app.close()


async def tick_until(clock: FakeClock, end: datetime, apps: list[App]) -> None:
    """Both processes run their safety tick every 30 s until ``end``."""
    while clock.now() < end:
        clock.advance(TICK)
        for app in apps:
            await app.dispatcher.run_due()


async def test_only_the_elected_process_dispatches_and_another_takes_over(
    pair: list[tuple[App, RecordingMessenger]], clock: FakeClock
) -> None:
    (first, first_out), (second, second_out) = pair
    clock.set(local(BERLIN, 2026, 11, 25, 8, 55))
    await schedule(first, "09:00", BERLIN, channel="A")
    await schedule(second, "09:05", BERLIN, channel="B")
    await tick_until(clock, local(BERLIN, 2026, 11, 25, 9, 10), [first, second])
    assert (len(posts(first_out, "A")), len(posts(first_out, "B"))) == (1, 1)
    assert second_out.sent == []  # never elected while the first is alive
    # the first process dies; once its lease runs out the second takes over the dispatching
    clock.set(local(BERLIN, 2026, 11, 26, 8, 58))
    await tick_until(clock, local(BERLIN, 2026, 11, 26, 9, 10), [second])
    assert (len(posts(second_out, "A")), len(posts(second_out, "B"))) == (1, 1)
    assert len(first_out.of_kind("post")) == 2
