"""The store on real SQLite files and the real PostgreSQL: migrations and uniqueness rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.app import App
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, SubmitAnswer
from bot.store.db import migrate, open_database
from bot.store.tables import answers, channels, rounds, users
from tests.conftest import admin, member

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


async def test_migrations_are_idempotent(db_url: str) -> None:
    engine = await open_database(db_url)
    try:
        await migrate(engine)  # a second start applies nothing and breaks nothing
        async with engine.connect() as conn:
            version = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == "0013"
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_wal_mode(sqlite_db: str) -> None:
    engine = await open_database(sqlite_db)
    try:
        async with engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
        assert mode == "wal"
    finally:
        await engine.dispose()


async def count(app: App, table: object) -> int:
    async with app.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def open_round(app: App) -> None:
    from datetime import time

    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0)))
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))


async def test_second_answer_replaces_the_first(app: App) -> None:
    await open_round(app)
    await app.service.handle(member(), SubmitAnswer(text="first try"))
    await app.service.handle(member(), SubmitAnswer(text="second thought"))
    async with app.engine.connect() as conn:
        texts = (await conn.execute(select(answers.c.text))).scalars().all()
    assert texts == ["second thought"]


async def test_schema_refuses_a_duplicate_answer_row(app: App) -> None:
    await open_round(app)
    await app.service.handle(member(), SubmitAnswer(text="only once"))
    async with app.engine.connect() as conn:
        row = (await conn.execute(select(answers))).one()
    with pytest.raises(IntegrityError):
        async with app.engine.begin() as conn:
            values = {k: v for k, v in row._mapping.items() if k != "id"}
            await conn.execute(insert(answers).values(**values))
    assert await count(app, answers) == 1


async def test_schema_refuses_a_second_round_for_the_same_day(app: App) -> None:
    await open_round(app)
    async with app.engine.connect() as conn:
        row = (await conn.execute(select(rounds))).one()
    with pytest.raises(IntegrityError):
        async with app.engine.begin() as conn:
            values = {k: v for k, v in row._mapping.items() if k not in ("id", "question_id")}
            await conn.execute(insert(rounds).values(question_id="another-question", **values))
    assert await count(app, rounds) == 1


async def test_users_and_channels_are_unique_per_workspace(app: App) -> None:
    await app.service.handle(member(), SubmitAnswer(text="x"))  # no round: nothing stored but the user
    await app.service.handle(member(workspace="W2"), SubmitAnswer(text="x"))
    assert await count(app, answers) == 0
    async with app.engine.begin() as conn:
        await conn.execute(
            insert(channels).values(platform="test", workspace_id="W9", channel_id="C9", created_at=NOW)
        )
    with pytest.raises(IntegrityError):
        async with app.engine.begin() as conn:
            await conn.execute(
                insert(channels).values(platform="test", workspace_id="W9", channel_id="C9", created_at=NOW)
            )
    with pytest.raises(IntegrityError):
        async with app.engine.begin() as conn:
            for _ in range(2):
                await conn.execute(
                    insert(users).values(
                        platform="test", workspace_id="W9", user_id="U9", display_name="x", created_at=NOW
                    )
                )
