"""Stopping the timer while a run is in flight: no APScheduler traceback, nothing half-recorded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.app import build_app
from bot.bank.model import Bank
from bot.cards import Card
from bot.commands import ConfigureDaily
from bot.config import Settings
from bot.ports import ChannelRef, MessageRef
from bot.store.tables import channels, rounds
from tests.conftest import admin
from tests.support.databases import sqlite_url
from tests.support.messenger import RecordingMessenger


class StuckMessenger(RecordingMessenger):
    """A platform that never answers a post (until the test lets it)."""

    def __init__(self) -> None:
        super().__init__()
        self.posting = asyncio.Event()

    async def post(self, channel: ChannelRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        self.posting.set()
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


async def test_stopping_mid_post_cancels_quietly_and_leaves_the_round_to_its_lease(
    tmp_path: Path, bank: Bank, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = Settings(
        database_url=sqlite_url(tmp_path), tick=timedelta(seconds=1), lease=timedelta(seconds=1)
    )
    stuck = StuckMessenger()
    app = await build_app(settings, stuck, bank=bank)
    await app.service.handle(admin(), ConfigureDaily(post_time=clock_time(9, 0), timezone="UTC"))
    async with app.engine.begin() as conn:
        await conn.execute(update(channels).values(next_post_at=datetime.now(UTC)))
    starting = asyncio.create_task(app.start())
    await asyncio.wait_for(stuck.posting.wait(), 10)
    await asyncio.sleep(1.2)  # a safety tick fires meanwhile: it must not pile up a second run
    began = time.monotonic()
    await app.timer.stop(grace=0.5)
    assert time.monotonic() - began < 2
    with contextlib.suppress(asyncio.CancelledError):
        await starting
    async with app.engine.connect() as conn:
        state = (await conn.execute(select(rounds.c.state, rounds.c.post_attempts))).one()
    await app.close()
    assert tuple(state) == ("claimed", 1)  # not half-recorded: a later process takes it over
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []

    restarted = RecordingMessenger()
    again = await build_app(settings, restarted, bank=bank)
    try:
        await asyncio.sleep(1.1)  # the lease of the abandoned claim runs out
        await again.start()
    finally:
        await again.close()
    posts = restarted.of_kind("post")
    assert [(p.key, p.resend) for p in posts] == [(posts[0].key, True)]  # once, as a resend
