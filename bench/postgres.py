"""The core on the local PostgreSQL (127.0.0.1:5432): fan-out claim rate and answer recording.

Each run creates its own database (random name) and drops it afterwards. 1,000 channels are
scheduled through ``Service.handle`` (``daily set 09:00``), then the clock moves to 09:00 and
``Dispatcher.run_due()`` claims and posts all of them through a messenger that answers at once, so
the figure is the database side of a fan-out: the claim (``FOR UPDATE SKIP LOCKED``), the round
insert, the lease, the send record. Baseline: the same fan-out on a SQLite file in the same run.

Answer recording: 1,000 users answer three of those rounds through ``Service.handle`` (3,000
answers, sequential, each committed); baseline: a bare asyncpg INSERT loop (autocommit) of the
same number of rows into ``answers`` on the same database.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

from bench.common import NOW, Figure, FixedClock, InstantMessenger, scratch_dir, sqlite_url
from bot.app import App, build_app
from bot.bank.model import load_bank
from bot.cards import Notice
from bot.commands import ConfigureDaily, SubmitAnswer
from bot.config import BUNDLED_BANK, Settings
from bot.context import Context

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
CHANNELS = 1_000
USERS = 1_000
ANSWERED_ROUNDS = 3
POST_AT = clock_time(17, 0)  # an hour after the benchmarks' NOW (16:00 UTC)


@asynccontextmanager
async def postgres_url() -> AsyncIterator[str]:
    """A new PostgreSQL database for this run (dropped at the end); its SQLAlchemy URL."""
    import asyncpg

    name = f"dailyq_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(host=HOST, port=PORT, user=USER, database="postgres", timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql+asyncpg://{USER}@{HOST}:{PORT}/{name}"
    finally:
        admin = await asyncpg.connect(host=HOST, port=PORT, user=USER, database="postgres", timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def channel_ctx(i: int) -> Context:
    """The admin of benchmark channel ``i``."""
    return Context("slack", "T0BENCH", f"C{i:05d}", "U0ADMIN", "admin", is_admin=True)


async def fanout(url: str) -> tuple[App, InstantMessenger, float]:
    """Schedule ``CHANNELS`` channels, then time one ``run_due`` that posts them all."""
    clock = FixedClock(NOW)
    messenger = InstantMessenger()
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    app = await build_app(settings, messenger, clock, load_bank([BUNDLED_BANK]))
    schedule = ConfigureDaily(post_time=POST_AT, timezone="UTC", reveal_after=timedelta(hours=8))
    for i in range(CHANNELS):
        await app.service.handle(channel_ctx(i), schedule)
    clock.moment = NOW.replace(hour=POST_AT.hour, minute=POST_AT.minute)
    started = time.perf_counter()
    await app.dispatcher.run_due()
    seconds = time.perf_counter() - started
    if messenger.sent != CHANNELS:
        raise RuntimeError(f"{messenger.sent} of {CHANNELS} rounds posted")
    return app, messenger, seconds


async def open_rounds(app: App) -> list[tuple[int, str]]:
    """(round id, channel id) of the open rounds, first channels first."""
    from sqlalchemy import select

    from bot.store.tables import channels, rounds

    statement = (
        select(rounds.c.id, channels.c.channel_id)
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .where(rounds.c.state == "open")
        .order_by(rounds.c.id)
    )
    async with app.engine.connect() as conn:
        return [(int(r.id), str(r.channel_id)) for r in await conn.execute(statement)]


async def service_answers(app: App, targets: list[tuple[int, str]]) -> float:
    """Answers per second through ``Service.handle``."""
    count = 0
    started = time.perf_counter()
    for round_id, channel in targets:
        for u in range(USERS):
            ctx = Context("slack", "T0BENCH", channel, f"U{u:05d}", f"user{u}")
            reply = await app.service.handle(ctx, SubmitAnswer(round_id=round_id, text="bagging averages"))
            card = reply.cards[0]
            if not (isinstance(card, Notice) and card.title == "Answer received"):
                raise RuntimeError(f"answer not stored: {card}")
            count += 1
    return count / (time.perf_counter() - started)


async def bare_answers(url: str, round_ids: list[int]) -> float:
    """Rows per second of a bare asyncpg INSERT loop (autocommit) into ``answers``."""
    import asyncpg

    con = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        users = [
            r["id"] for r in await con.fetch("SELECT id FROM users WHERE user_id LIKE 'U0%' ORDER BY id")
        ]
        sql = (
            "INSERT INTO answers (round_id, user_pk, text, choice, score, verdict, points, answered_at) "
            "VALUES ($1, $2, $3, NULL, 0.5, 'partial', 0, $4)"
        )
        count = 0
        started = time.perf_counter()
        for round_id in round_ids:
            for user_pk in users[:USERS]:
                await con.execute(sql, round_id, user_pk, "bagging averages", NOW)
                count += 1
        return count / (time.perf_counter() - started)
    finally:
        await con.close()


async def measure(sqlite_file: Path) -> tuple[float, float, float, float]:
    """(PostgreSQL fan-out s, SQLite fan-out s, service answers/s, bare answers/s)."""
    lite, _, lite_seconds = await fanout(sqlite_url(sqlite_file))
    await lite.close()
    async with postgres_url() as url:
        app, _, pg_seconds = await fanout(url)
        try:
            targets = (await open_rounds(app))[: 2 * ANSWERED_ROUNDS]
            rate = await service_answers(app, targets[:ANSWERED_ROUNDS])
        finally:
            await app.close()
        bare = await bare_answers(url, [r for r, _ in targets[ANSWERED_ROUNDS:]])
    return pg_seconds, lite_seconds, rate, bare


def run() -> list[Figure]:
    """Rows for the PostgreSQL fan-out claim rate and answer recording."""
    with scratch_dir("postgres") as tmp:
        pg_seconds, lite_seconds, rate, bare = asyncio.run(measure(tmp / "dailyq.db"))
    return [
        Figure(
            "fan-out claim rate (PostgreSQL)",
            f"{CHANNELS / pg_seconds:,.0f} rounds/s claimed and recorded ({CHANNELS:,} due at once, "
            f"{pg_seconds:.1f} s; instant messenger)",
            f"same on SQLite: {CHANNELS / lite_seconds:,.0f} rounds/s ({lite_seconds:.1f} s)",
            f"{lite_seconds / pg_seconds:.2f}",
            "reported",
            None,
        ),
        Figure(
            "answer recording (PostgreSQL)",
            f"{rate:,.0f} answers/s through `service.handle` ({ANSWERED_ROUNDS * USERS:,} answers)",
            f"bare asyncpg INSERT (autocommit): {bare:,.0f} rows/s",
            f"{rate / bare:.2f}",
            "reported",
            None,
        ),
    ]
