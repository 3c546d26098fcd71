"""The few statements whose SQL differs between SQLite and PostgreSQL, kept in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert_construct(dialect: str, table: Table) -> Any:
    """The INSERT construct of ``dialect``, which knows ON CONFLICT."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


_insert = insert_construct


async def insert_ignore(
    conn: AsyncConnection, table: Table, values: Mapping[str, Any], keys: Sequence[str]
) -> bool:
    """Insert a row unless one with the same ``keys`` exists; True when this call inserted it."""
    statement = _insert_ignore_statement(conn.dialect.name, table, tuple(keys))
    result = await conn.execute(statement, dict(values))
    return bool(result.rowcount)


async def upsert_add(
    conn: AsyncConnection,
    table: Table,
    values: Mapping[str, Any],
    keys: Sequence[str],
    increments: Mapping[str, int],
) -> None:
    """Insert ``values`` or, when the row exists, add ``increments`` to its counters atomically."""
    statement = _insert(conn.dialect.name, table).values(**values)
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
    statement = _upsert_replace_statement(conn.dialect.name, table, tuple(keys), tuple(values))
    await conn.execute(statement, dict(values))


# Building an upsert (its ``excluded`` alias above all) costs more Python time than running it
# on SQLite, and answers and practice write one per command: the statements are built once per
# shape and take their values as parameters (the SQL is the same as with ``.values()``).


@lru_cache(maxsize=128)
def _insert_ignore_statement(dialect: str, table: Table, keys: tuple[str, ...]) -> Any:
    return _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))


@lru_cache(maxsize=128)
def _upsert_replace_statement(
    dialect: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...]
) -> Any:
    statement = _insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: statement.excluded[name] for name in columns if name not in keys},
    )


async def insert_ignore_many(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> int:
    """Insert each row unless one with the same ``keys`` exists; returns how many were inserted.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING for all rows (SQLAlchemy's "insertmanyvalues"
    pages it by 1000 rows), instead of a statement per row."""
    if not rows:
        return 0
    statement = _insert_ignore_returning(conn.dialect.name, table, tuple(keys))
    return len((await conn.execute(statement, [dict(row) for row in rows])).all())


@lru_cache(maxsize=32)
def _insert_ignore_returning(dialect: str, table: Table, keys: tuple[str, ...]) -> Any:
    statement = _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))
    return statement.returning(table.c[keys[0]])


def skip_locked(conn: AsyncConnection) -> bool:
    """Whether row claims skip rows another process holds: on PostgreSQL. SQLite serialises
    writers (and ignores FOR UPDATE), so it needs nothing."""
    return conn.dialect.name == "postgresql"
