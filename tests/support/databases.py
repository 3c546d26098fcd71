"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database dropped afterwards.

Without a PostgreSQL server on 127.0.0.1:5432 the PostgreSQL variants skip with the reason,
unless DAILYQ_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

PG_HOST = os.environ.get("DAILYQ_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("DAILYQ_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("DAILYQ_TEST_PG_USER", "postgres")


def postgres_required() -> bool:
    """Whether a missing PostgreSQL must fail the run (CI) rather than skip."""
    return os.environ.get("DAILYQ_REQUIRE_POSTGRES") == "1"


async def _admin_connection():  # type: ignore[no-untyped-def]
    import asyncpg

    return await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=5)


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test; yields its SQLAlchemy URL."""
    try:
        admin = await _admin_connection()
    except (OSError, ImportError, Exception) as exc:
        reason = f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT} ({type(exc).__name__}: {exc})"
        if postgres_required():
            pytest.fail(reason + " and DAILYQ_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    name = f"dailyq_test_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin = await _admin_connection()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def sqlite_url(directory: Path) -> str:
    """The URL of a fresh SQLite file in ``directory``."""
    return f"sqlite+aiosqlite:///{directory / 'dailyq.db'}"
