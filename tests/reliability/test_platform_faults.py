"""200 channels over 3 scheduled days on a platform failing 10% of calls: every post and reveal
arrives exactly once, nothing crashes, and the logs say what was retried."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.bank.model import Bank
from bot.commands import ConfigureDaily, DailyAction, ManageDaily
from bot.config import Settings
from bot.store.tables import rounds
from tests.conftest import admin
from tests.support.clock import FakeClock
from tests.support.databases import sqlite_url
from tests.support.flaky import FlakyPlatform

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Pacific/Auckland")


@pytest.mark.slow
async def test_flaky_platform_gets_everything_exactly_once(
    tmp_path: Path, bank: Bank, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    clock = FakeClock(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    platform = FlakyPlatform(random.Random(7))
    app = await build_app(Settings(database_url=sqlite_url(tmp_path)), platform, clock, bank)
    try:
        for i in range(200):
            await app.service.handle(
                admin(channel=f"C{i}"),
                ConfigureDaily(
                    post_time=time(9, i % 60), timezone=ZONES[i % len(ZONES)], reveal_after=timedelta(hours=4)
                ),
            )
        end = clock.now() + timedelta(days=3)
        while clock.now() < end:
            clock.advance(timedelta(minutes=15))
            await app.dispatcher.run_due()
        for i in range(200):  # stop scheduling; the open rounds still get revealed
            await app.service.handle(admin(channel=f"C{i}"), ManageDaily(DailyAction.OFF))
        for _ in range(24):
            clock.advance(timedelta(minutes=15))
            await app.dispatcher.run_due()
        async with app.engine.connect() as conn:
            states = dict(
                (await conn.execute(select(rounds.c.state, func.count()).group_by(rounds.c.state))).all()
            )
            ids = (await conn.execute(select(rounds.c.id))).scalars().all()
    finally:
        await app.close()
    assert sum(states.values()) >= 200 * 3
    assert set(states) == {"revealed"}
    assert {f"post-{i}" for i in ids} | {f"reveal-{i}" for i in ids} == set(platform.shown)
    assert set(platform.shown.values()) == {1}  # nothing shown twice
    assert min(platform.failures.values()) > 10  # every kind of fault really happened
    retried = [r.getMessage() for r in caplog.records if "will retry" in r.getMessage()]
    assert len(retried) >= sum(platform.failures.values()) // 2
    assert any("accepted the message but the answer was lost" in line for line in retried)
