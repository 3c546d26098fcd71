"""The migrated schema is the schema of ``bot.store.tables`` (a migration and the tables never
drift apart, e.g. the judge's ``answers.feedback`` and ``answers.judged_at`` of 0004)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.store.db import open_database
from bot.store.tables import metadata


async def test_migrations_build_exactly_the_tables_the_code_uses(db_url: str) -> None:
    engine = await open_database(db_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
            columns = await conn.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("answers")}
            )
    finally:
        await engine.dispose()
    assert diff == []
    assert {"feedback", "judged_at"} <= columns
