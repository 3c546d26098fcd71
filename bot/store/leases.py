"""Named leases: a role that exactly one process holds at a time, taken over when it expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import insert_ignore
from bot.store.tables import leases


async def hold(conn: AsyncConnection, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``until``; False if another holds it."""
    if await insert_ignore(conn, leases, {"name": name, "holder": holder, "expires_at": until}, ("name",)):
        return True
    result = await conn.execute(
        update(leases)
        .where(leases.c.name == name, or_(leases.c.holder == holder, leases.c.expires_at < now))
        .values(holder=holder, expires_at=until)
    )
    return bool(result.rowcount)
