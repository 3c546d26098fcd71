"""Answer recording on the local PostgreSQL (127.0.0.1:5432), against a bare asyncpg loop.

Each run creates its own database (random name) and drops it afterwards. Six channels are
scheduled through ``Service.handle`` (``daily set 17:00``) and posted by ``Dispatcher.run_due()``
through a messenger that answers at once (set-up, not measured: the fan-out has its own benchmark,
``bench/fanout.py``). Then 1,000 users answer three of those rounds through ``Service.handle``
(3,000 answers, sequential, each committed); baseline: a bare asyncpg INSERT loop (autocommit) of
the same number of rows into ``answers`` on the same database, for the other three rounds.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import time as clock_time
from datetime import timedelta

from bench.common import NOW, Figure, FixedClock, InstantMessenger
from bot.app import App, build_app
from bot.bank.model import load_bank
from bot.cards import Notice
from bot.commands import ConfigureDaily, SubmitAnswer
from bot.config import BUNDLED_BANK, Settings
from bot.context import Context

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
USERS = 1_000
ANSWERED_ROUNDS = 3
CHANNELS = 2 * ANSWERED_ROUNDS  # half answered through the service, half by the bare loop
GOAL_SHARE = 0.5
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


async def posted_rounds(url: str) -> App:
    """The app on ``url`` with ``2 * ANSWERED_ROUNDS`` channels scheduled and their rounds posted."""
    clock = FixedClock(NOW)
    messenger = InstantMessenger()
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    app = await build_app(settings, messenger, clock, load_bank([BUNDLED_BANK]))
    schedule = ConfigureDaily(post_time=POST_AT, timezone="UTC", reveal_after=timedelta(hours=8))
    for i in range(CHANNELS):
        await app.service.handle(channel_ctx(i), schedule)
    clock.moment = NOW.replace(hour=POST_AT.hour, minute=POST_AT.minute)
    await app.dispatcher.run_due()
    if messenger.sent != CHANNELS:
        await app.close()
        raise RuntimeError(f"{messenger.sent} of {CHANNELS} rounds posted")
    return app


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


async def measure() -> tuple[float, float]:
    """(service answers/s, bare answers/s)."""
    async with postgres_url() as url:
        app = await posted_rounds(url)
        try:
            targets = await open_rounds(app)
            rate = await service_answers(app, targets[:ANSWERED_ROUNDS])
        finally:
            await app.close()
        bare = await bare_answers(url, [r for r, _ in targets[ANSWERED_ROUNDS:]])
    return rate, bare


def run() -> list[Figure]:
    """The PostgreSQL answer-recording row."""
    rate, bare = asyncio.run(measure())
    return [
        Figure(
            "answer recording (PostgreSQL)",
            f"{rate:,.0f} answers/s through `service.handle` ({ANSWERED_ROUNDS * USERS:,} answers)",
            f"bare asyncpg INSERT (autocommit): {bare:,.0f} rows/s",
            f"{rate / bare:.2f}",
            f">= {GOAL_SHARE} x bare",
            rate / bare >= GOAL_SHARE,
        ),
    ]
