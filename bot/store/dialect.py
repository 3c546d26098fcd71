"""The few statements whose SQL differs between SQLite and PostgreSQL, kept in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _insert(conn: AsyncConnection, table: Table) -> Any:
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table)


async def insert_ignore(
    conn: AsyncConnection, table: Table, values: Mapping[str, Any], keys: Sequence[str]
) -> bool:
    """Insert a row unless one with the same ``keys`` exists; True when this call inserted it."""
    statement = _insert(conn, table).values(**values).on_conflict_do_nothing(index_elements=keys)
    result = await conn.execute(statement)
    return bool(result.rowcount)


async def upsert_add(
    conn: AsyncConnection,
    table: Table,
    values: Mapping[str, Any],
    keys: Sequence[str],
    increments: Mapping[str, int],
) -> None:
    """Insert ``values`` or, when the row exists, add ``increments`` to its counters atomically."""
    statement = _insert(conn, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + amount for name, amount in increments.items()},
    )
    await conn.execute(statement)


async def upsert_replace(
    conn: AsyncConnection,
    table: Table,
    values: Mapping[str, Any],
    keys: Sequence[str],
) -> None:
    """Insert ``values`` or overwrite the non-key columns of the existing row."""
    statement = _insert(conn, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in values if name not in keys},
    )
    await conn.execute(statement)


def skip_locked(conn: AsyncConnection) -> bool:
    """Whether row claims skip rows another process holds: on PostgreSQL. SQLite serialises
    writers (and ignores FOR UPDATE), so it needs nothing."""
    return conn.dialect.name == "postgresql"
