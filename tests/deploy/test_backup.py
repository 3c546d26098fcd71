"""``dailyq backup`` (SQLite's online backup API) taken during a burst of answers restores to a
consistent, working database: every answer acknowledged before the backup is in it, none is
half-written, and a bot started on the restored file carries on."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from datetime import time
from pathlib import Path

from bot.app import build_app
from bot.bank.model import Bank
from bot.cards import Notice, Tone
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, SubmitAnswer
from bot.config import Settings
from tests.conftest import admin, member
from tests.support.messenger import RecordingMessenger

ROOT = Path(__file__).resolve().parents[2]
MIN_ANSWERS = 100  # before the backup starts
AFTER = 20  # answers after it ended, so it surely ran during the burst
LIMIT = 20_000


async def test_a_backup_taken_during_an_answer_burst_restores_consistently(
    tmp_path: Path, bank: Bank
) -> None:
    live, copy = tmp_path / "live" / "dailyq.db", tmp_path / "backup" / "dailyq.db"
    live.parent.mkdir()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{live}")
    app = await build_app(settings, RecordingMessenger(), bank=bank)
    acked: list[int] = []
    marks: dict[str, int] = {}
    try:
        await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), timezone="UTC"))
        await app.service.handle(admin(), ManageDaily(DailyAction.NOW))

        async def burst() -> None:
            n = 0
            while n < LIMIT and ("after" not in marks or len(acked) < marks["after"] + AFTER):
                reply = await app.service.handle(member(user=f"U{n:04d}"), SubmitAnswer(text=f"answer {n}"))
                card = reply.cards[0]
                assert isinstance(card, Notice) and card.tone is Tone.SUCCESS, card
                acked.append(n)
                n += 1

        async def take_backup() -> subprocess.CompletedProcess[str]:
            while len(acked) < MIN_ANSWERS:  # well into the burst
                await asyncio.sleep(0.001)
            marks["before"] = len(acked)
            done = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "adapters", "backup", str(copy), "--db", str(live)],
                cwd=tmp_path, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            marks["after"] = len(acked)
            return done

        _, done = await asyncio.gather(burst(), take_backup())
    finally:
        await app.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"backed up {live} to {copy} (")
    assert marks["after"] + AFTER <= len(acked) < LIMIT  # the burst went on around the backup

    restored = tmp_path / "restored" / "dailyq.db"
    restored.parent.mkdir()
    shutil.copy(copy, restored)  # restore: the copy in place of the database file
    assert not copy.with_name("dailyq.db-wal").exists()  # one self-contained file
    with sqlite3.connect(restored) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        texts = {t for (t,) in conn.execute("SELECT text FROM answers")}
    # a consistent prefix of the burst: all acknowledged before the backup began, nothing torn
    assert marks["before"] <= len(texts) <= marks["after"]
    assert texts == {f"answer {n}" for n in range(len(texts))}

    again = await build_app(
        Settings(database_url=f"sqlite+aiosqlite:///{restored}"), RecordingMessenger(), bank=bank
    )
    try:
        late = await again.service.handle(member(user="U9999"), SubmitAnswer(text="after the restore"))
        assert isinstance(late.cards[0], Notice) and late.cards[0].tone is Tone.SUCCESS
        await again.service.handle(admin(), ManageDaily(DailyAction.REVEAL))
        async with again.engine.connect() as conn:
            scored = (await conn.exec_driver_sql("SELECT count(*), sum(points > 0) FROM answers")).one()
    finally:
        await again.close()
    assert tuple(scored) == (len(texts) + 1, len(texts) + 1)  # every answer scored at the reveal


def test_backup_refuses_postgresql_and_a_missing_file(tmp_path: Path) -> None:
    def backup(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "adapters", "backup", *args],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(ROOT)},
        )  # fmt: skip

    pg = backup("out.db", "--db", "postgresql+asyncpg://bot@127.0.0.1/dailyq")
    assert (pg.returncode, pg.stderr) == (
        2, "dailyq: backup copies SQLite files; for postgresql use its own tools (pg_dump)\n"
    )  # fmt: skip
    missing = backup("out.db", "--db", "nowhere.db")
    assert missing.returncode == 2 and "nowhere.db: no database file there" in missing.stderr
    assert not (tmp_path / "out.db").exists()
