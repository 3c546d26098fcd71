"""Who said ``privacy quote off``: members whose answers the reveal never quotes (table ``quote_optouts``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import insert_ignore
from bot.store.tables import quote_optouts


async def forbid_quotes(conn: AsyncConnection, user_pk: int, now: datetime) -> None:
    """Opt the member out of quotes (again: a second time changes nothing)."""
    await insert_ignore(conn, quote_optouts, {"user_pk": user_pk, "created_at": now}, ("user_pk",))


async def allow_quotes(conn: AsyncConnection, user_pk: int) -> None:
    """Opt the member back in (nothing happens if they never opted out)."""
    await conn.execute(delete(quote_optouts).where(quote_optouts.c.user_pk == user_pk))


async def opted_out(conn: AsyncConnection, user_pks: Iterable[int]) -> set[int]:
    """Which of these members opted out of quotes."""
    wanted = list(user_pks)
    if not wanted:
        return set()
    statement = select(quote_optouts.c.user_pk).where(quote_optouts.c.user_pk.in_(wanted))
    return {int(pk) for pk in (await conn.execute(statement)).scalars()}
