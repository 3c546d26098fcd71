"""One unit of work, one round trip: a use case's statements run on the database's side in one go.

A unit of work is a generator: it yields ``Call``s (a ``Query`` and its parameters) and receives
each one's ``Result``; what it returns is the unit's outcome. The runner drives it:

- on SQLite, the whole generator runs on aiosqlite's worker thread, on the raw ``sqlite3``
  connection, in ONE hop from the event loop (a write unit inside ``BEGIN IMMEDIATE`` ... ``COMMIT``,
  a read unit inside a deferred ``BEGIN``, which never writes);
- on PostgreSQL, each statement goes to asyncpg, which prepares it once and caches it; a write unit
  is one transaction.

A ``Query`` is a SQLAlchemy Core statement compiled once per dialect (SQL text, parameter order, the
column types' bind and result processors), so no statement is rebuilt or recompiled per call.
Expanding ``IN`` lists are not supported: give a fixed number of parameters instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util import greenlet_spawn

T = TypeVar("T")
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Result:
    """What one statement gave back: its rows (typed values, in the statement's column order) and
    how many rows it changed."""

    rows: list[Row]
    rowcount: int

    def first(self) -> Row | None:
        """The first row, or None."""
        return self.rows[0] if self.rows else None


@dataclass(frozen=True)
class Call:
    """A query with its parameters, as a unit of work yields it."""

    query: Query
    params: Mapping[str, Any]


Work = Generator[Call, Result, T]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    defaults: Mapping[str, Any]
    binders: tuple[Callable[[Any], Any] | None, ...]
    readers: tuple[Callable[[Any], Any] | None, ...]
    returns_rows: bool

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, binder in zip(self.names, self.binders, strict=True):
            value = params[name] if name in params else self.defaults[name]
            values.append(binder(value) if binder is not None and value is not None else value)
        return values

    def read(self, row: Sequence[Any]) -> Row:
        return tuple(
            reader(value) if reader is not None else value
            for reader, value in zip(self.readers, row, strict=True)
        )


@dataclass(frozen=True, eq=False)
class Query:
    """A Core statement, compiled on first use per dialect and kept compiled.

    ``statement`` is the statement, or a function of the dialect's name that builds it (for the
    dialects' own constructs, such as ``ON CONFLICT``); an INSERT without ``.values()`` takes the
    ``columns`` named, as parameters of the same names. ``alone``: as a write unit's first
    statement, on PostgreSQL it runs as a transaction of its own (one round trip), and the
    unit's transaction begins with the next statement (SQLite: the unit's transaction as always).
    """

    statement: Executable | Callable[[str], Executable]
    columns: tuple[str, ...] = ()
    alone: bool = False
    _compiled: dict[str, _Compiled] = field(default_factory=dict, repr=False)

    def __call__(self, **params: Any) -> Call:
        """This query with ``params`` (named like the statement's ``bindparam``s)."""
        return Call(self, params)

    def compiled(self, dialect: Dialect) -> _Compiled:
        """The statement as ``dialect`` runs it (compiled once)."""
        found = self._compiled.get(dialect.name)
        if found is None:
            statement = (
                self.statement if isinstance(self.statement, Executable) else self.statement(dialect.name)
            )
            found = self._compiled[dialect.name] = _compile(statement, dialect, self.columns)
        return found


def _compile(statement: Executable, dialect: Dialect, columns: tuple[str, ...]) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(columns) or None)  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup or ())
    if any(compiled.binds[name].expanding for name in names):
        raise ValueError("a unit-of-work query cannot take an expanding IN list")
    defaults = dict(compiled.params)
    for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
        if column.default is None or not column.default.is_scalar:
            raise ValueError(f"a unit-of-work query must be given {column.key!r}")
        defaults[column.key] = column.default.arg  # a scalar Python-side default, as Core would
    returned = list(getattr(statement, "exported_columns", ()))
    return _Compiled(
        sql=compiled.string,
        names=names,
        defaults=defaults,
        binders=tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        ),
        readers=tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in returned),
        returns_rows=bool(returned),
    )


async def run(engine: AsyncEngine, work: Work[T], *, write: bool) -> T:
    """Run ``work`` in one go: a write unit as one transaction, a read unit without writing."""
    if engine.dialect.name == "sqlite":
        # The pool hands out the one connection; checked in again, it needs no reset (the unit
        # ended its transaction on the thread, and bot.store.db only rolls back an open one).
        raw = await engine.raw_connection()
        try:
            driver: Any = raw.driver_connection
            # aiosqlite has no public call for "run this function on your thread"; ``_execute``
            # is how its own methods do it (tests/core/test_unit_of_work.py guards it)
            return await driver._execute(_drive_sqlite, driver._conn, engine.dialect, work, write)  # type: ignore[no-any-return]
        finally:
            raw.close()
    # the pool's own connection, as on SQLite: no Connection objects, no greenlet per close (the
    # unit ends its transaction itself; the pool's rollback-on-return finds none to roll back)
    raw = await engine.raw_connection()
    try:
        return await _drive_asyncpg(raw.driver_connection, engine.dialect, work, write)
    except exc.OperationalError:
        # the statements bypass SQLAlchemy's execution, so its disconnect handling never sees
        # them: a broken connection must not go back to the pool
        await greenlet_spawn(raw.invalidate)
        raise
    finally:
        raw.close()


def _drive_sqlite(raw: sqlite3.Connection, dialect: Dialect, work: Work[T], write: bool) -> T:
    compiled: _Compiled | None = None
    try:
        raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        call = next(work)
        while True:
            compiled = call.query.compiled(dialect)
            cursor = raw.execute(compiled.sql, compiled.args(call.params))
            rows = [compiled.read(row) for row in cursor.fetchall()] if compiled.returns_rows else []
            call = work.send(Result(rows, cursor.rowcount))
    except StopIteration as done:
        raw.commit()
        return done.value  # type: ignore[no-any-return]
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(
            compiled.sql if compiled else "BEGIN", None, error, sqlite3.Error
        ) from error
    finally:
        if raw.in_transaction:
            raw.rollback()
        work.close()


async def _drive_asyncpg(pg: Any, dialect: Dialect, work: Work[T], write: bool) -> T:
    import asyncpg

    try:
        return await _steps(pg, dialect, work, write)
    except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as error:
        raise exc.OperationalError("unit of work", None, error) from error
    except asyncpg.PostgresError as error:
        raise exc.DBAPIError("unit of work", None, error) from error


async def _steps(pg: Any, dialect: Dialect, work: Work[T], write: bool) -> T:
    transaction: Any = None
    try:
        call = next(work)
        if write and not call.query.alone:
            transaction = pg.transaction()
            await transaction.start()
        while True:
            compiled = call.query.compiled(dialect)
            args = compiled.args(call.params)
            if compiled.returns_rows:
                rows = [compiled.read(row) for row in await pg.fetch(compiled.sql, *args)]
                result = Result(rows, len(rows))
            else:
                result = Result([], _rowcount(await pg.execute(compiled.sql, *args)))
            call = work.send(result)
            if write and transaction is None:  # after an ``alone`` statement
                transaction = pg.transaction()
                await transaction.start()
    except StopIteration as done:
        if transaction is not None:
            await transaction.commit()
        return done.value  # type: ignore[no-any-return]
    except BaseException:
        if transaction is not None and not pg.is_closed():
            await transaction.rollback()
        raise
    finally:
        work.close()


def _rowcount(status: str) -> int:
    """The row count of an asyncpg command status such as ``UPDATE 1`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0
