"""The real timer (APScheduler on the system clock) wakes the rounds logic on time."""

from __future__ import annotations

import asyncio
import time as wall
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import update

from bot.app import build_app
from bot.bank.model import Bank
from bot.commands import ConfigureDaily, SubmitAnswer
from bot.config import Settings
from bot.store.tables import channels, rounds
from tests.conftest import admin, member
from tests.support.databases import sqlite_url
from tests.support.messenger import RecordingMessenger


async def wait_for(predicate, timeout: float) -> float:  # type: ignore[no-untyped-def]
    """Seconds until ``predicate()`` holds (fails after ``timeout``)."""
    start = wall.monotonic()
    while not predicate():
        assert wall.monotonic() - start < timeout, "timed out"
        await asyncio.sleep(0.02)
    return wall.monotonic() - start


async def test_post_and_reveal_go_out_within_two_seconds_of_their_moment(tmp_path: Path, bank: Bank) -> None:
    messenger = RecordingMessenger()
    # a long safety tick, so only the timer's own wake-ups can be on time
    app = await build_app(
        Settings(database_url=sqlite_url(tmp_path), tick=timedelta(minutes=10)), messenger, bank=bank
    )
    try:
        await app.start()
        await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), timezone="UTC"))
        due = datetime.now(UTC) + timedelta(seconds=2)
        async with app.engine.begin() as conn:
            await conn.execute(update(channels).values(next_post_at=due))
        app.dispatcher.changed()  # what every schedule change does: re-arm the wake-up
        await wait_for(lambda: messenger.of_kind("post"), 10)
        assert datetime.now(UTC) - due < timedelta(seconds=2)
        await app.service.handle(member(), SubmitAnswer(text="on time"))
        reveal_at = datetime.now(UTC) + timedelta(seconds=2)
        async with app.engine.begin() as conn:
            await conn.execute(update(rounds).values(reveal_at=reveal_at))
        app.dispatcher.changed()
        await wait_for(lambda: messenger.of_kind("reply"), 10)
        assert datetime.now(UTC) - reveal_at < timedelta(seconds=2)
    finally:
        await app.close()
