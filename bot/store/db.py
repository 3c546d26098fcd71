"""Opening the database: engine set-up per dialect, and migrations applied at start.

Dialect differences live here and in ``bot.store.dialect``: SQLite gets one connection, WAL, a busy
timeout and foreign keys; PostgreSQL gets a connection pool. Everything else uses the same Core queries.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolResetState

MIGRATIONS = Path(str(files("bot.store") / "migrations"))  # package data
CACHE_KIB = 32 * 1024  # SQLite's page cache per connection
RECYCLE_S = 1800  # PostgreSQL connections are replaced after 30 minutes (below common idle kills)


class StoreError(Exception):
    """The database cannot be opened or migrated; the message says which and why (no secrets)."""


def redact(url: str) -> str:
    """The URL with any password hidden, for logs and errors."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # 32 MiB of page cache (the default is 2 MiB): an answer touches a leaf of each answers
    # index, and at 1M answers those no longer fit, so each answer read pages back from the OS
    # (about 30% of its time); memory grows only as pages are used
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def _sqlite_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    # The pool's default reset rolls back on every return, a hop to aiosqlite's thread even when
    # the transaction already ended (after every commit): roll back only a transaction left open.
    if state.terminate_only or not state.asyncio_safe:
        return
    aio = getattr(dbapi_connection, "_connection", None)  # the adapter's aiosqlite connection
    raw = getattr(aio, "_connection", None)  # its sqlite3 connection, None once closed
    if raw is not None and raw.in_transaction:
        dbapi_connection.rollback()


def _drop_closed(_dbapi_connection: Any, record: Any, proxy: Any) -> None:
    # Instead of pool_pre_ping, which costs three round trips per checkout (BEGIN, ";",
    # ROLLBACK on asyncpg): a connection the server closed (restart, idle kill) is already known
    # closed to asyncpg, so the pool drops it and checks out another at no cost. A connection that
    # dies silently fails its command once; SQLAlchemy then invalidates the pool (a disconnect
    # error), and pool_recycle retires connections before servers or proxies time them out.
    if record.driver_connection is not None and record.driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this connection")


def create_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    """An async engine for ``url``; creates the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per process: SQLite has a single writer, and writers on several
        # connections wait in its busy handler, which sleeps and polls. Under a burst of answers
        # that made transactions wait seconds (past busy_timeout: "database is locked", answer
        # lost); on one connection they queue in the pool instead, first come first served.
        engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_reset_on_return=None)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", _sqlite_reset)
        return engine
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=RECYCLE_S)
    event.listen(engine.sync_engine, "checkout", _drop_closed)
    return engine


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Apply every pending Alembic migration (run at start; safe to run repeatedly)."""

    def upgrade(connection: Connection) -> None:
        command.upgrade(_alembic_config(connection), "head")

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # several processes may start together: one migrates, the others wait
            await connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727272)")
        await connection.run_sync(upgrade)


async def revisions(engine: AsyncEngine) -> tuple[str | None, str | None]:
    """The database's migration revision and the latest one the code has (reads only)."""

    def read(connection: Connection) -> tuple[str | None, str | None]:
        current = MigrationContext.configure(connection).get_current_revision()
        return current, ScriptDirectory.from_config(_alembic_config(connection)).get_current_head()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def open_database(url: str, *, pool_size: int = 5) -> AsyncEngine:
    """Create the engine and migrate; failures become a ``StoreError`` naming the redacted URL."""
    engine = create_engine(url, pool_size=pool_size)
    try:
        await migrate(engine)
    except Exception as exc:
        await engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StoreError(f"cannot open the database {redact(url)}: {reason}") from None
    return engine
