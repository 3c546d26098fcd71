"""Disk and database faults: a locked SQLite file, a read-only one, a database unreachable at start
or mid-run. Clear errors or recovery; no corruption, no lost answer."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.bank.model import Bank
from bot.cards import Notice, Tone
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, SubmitAnswer
from bot.config import Settings
from bot.store.tables import answers
from tests.conftest import admin, member
from tests.support import secrets
from tests.support.clock import FakeClock
from tests.support.databases import PG_HOST, PG_PORT, postgres_database, sqlite_url
from tests.support.messenger import RecordingMessenger
from tests.support.tcp_proxy import TcpProxy


async def open_round(app: App) -> None:
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0)))
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))


async def count_answers(app: App) -> int:
    async with app.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(answers))).scalar_one())


async def test_sqlite_locked_by_another_process_waits_then_succeeds(tmp_path: Path, bank: Bank) -> None:
    app = await build_app(
        Settings(database_url=sqlite_url(tmp_path)), RecordingMessenger(), FakeClock(), bank
    )
    try:
        await open_round(app)
        released = threading.Event()

        def hold_lock() -> None:
            other = sqlite3.connect(tmp_path / "dailyq.db")
            other.execute("BEGIN EXCLUSIVE")
            released.wait(1.5)
            other.rollback()
            other.close()

        holder = threading.Thread(target=hold_lock)
        holder.start()
        await asyncio.sleep(0.2)
        reply = await app.service.handle(member(), SubmitAnswer(text="answered while locked"))
        released.set()
        holder.join()
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.SUCCESS
        assert await count_answers(app) == 1
    finally:
        await app.close()


async def test_read_only_database_says_so_and_changes_nothing(tmp_path: Path, bank: Bank) -> None:
    writable = await build_app(
        Settings(database_url=sqlite_url(tmp_path)), RecordingMessenger(), FakeClock(), bank
    )
    await open_round(writable)
    await writable.close()
    read_only = f"sqlite+aiosqlite:///file:{tmp_path / 'dailyq.db'}?mode=ro&uri=true"
    app = await build_app(Settings(database_url=read_only), RecordingMessenger(), FakeClock(), bank)
    try:
        reply = await app.service.handle(member(), SubmitAnswer(text="cannot be stored"))
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.ERROR
        assert "nothing was changed" in reply.cards[0].text
        assert await count_answers(app) == 0
    finally:
        await app.close()
    with sqlite3.connect(tmp_path / "dailyq.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_unreachable_database_at_start_exits_2_without_leaking_the_password(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://dailyq:{secrets.DATABASE_PASSWORD}@127.0.0.1:1/dailyq"
    result = subprocess.run(
        [sys.executable, "-m", "adapters", "play", "--db", url],
        input="quit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot open the database" in result.stderr and "127.0.0.1:1" in result.stderr
    assert secrets.CANARY not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.postgres
async def test_postgres_unreachable_mid_run_recovers_without_losing_answers(bank: Bank) -> None:
    proxy = TcpProxy(PG_HOST, PG_PORT)
    await proxy.start()
    async with postgres_database() as direct_url:
        url = direct_url.replace(f"{PG_HOST}:{PG_PORT}", f"127.0.0.1:{proxy.port}")
        messenger = RecordingMessenger()
        app = await build_app(Settings(database_url=url), messenger, FakeClock(), bank)
        try:
            await open_round(app)
            ok = await app.service.handle(member(), SubmitAnswer(text="before the outage"))
            assert isinstance(ok.cards[0], Notice) and ok.cards[0].tone is Tone.SUCCESS
            await proxy.cut()
            down = await app.service.handle(member(user="U3"), SubmitAnswer(text="during the outage"))
            assert isinstance(down.cards[0], Notice) and "cannot reach its database" in down.cards[0].text
            await proxy.start()
            again = await app.service.handle(member(user="U3"), SubmitAnswer(text="after the outage"))
            assert isinstance(again.cards[0], Notice) and again.cards[0].tone is Tone.SUCCESS
            async with app.engine.connect() as conn:
                texts = sorted((await conn.execute(select(answers.c.text))).scalars())
            assert texts == ["after the outage", "before the outage"]
        finally:
            await app.close()
            await proxy.cut()
