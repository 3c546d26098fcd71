"""Users: one row per person per workspace, created on first contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.context import Context
from bot.store.dialect import insert_ignore
from bot.store.tables import users

MAX_NAME = 100


async def ensure_user(conn: AsyncConnection, ctx: Context, now: datetime) -> int:
    """The caller's user id, creating the row (or refreshing the display name) as needed.

    An empty display name (a platform event that carries none) keeps the stored one.
    """
    given = ctx.display_name.strip()[:MAX_NAME]
    found = select(users.c.id, users.c.display_name).where(
        users.c.platform == ctx.platform,
        users.c.workspace_id == ctx.workspace_id,
        users.c.user_id == ctx.user_id,
    )
    # the common case, a known user under the same name, costs one query
    row = (await conn.execute(found)).first()
    if row is None:
        await insert_ignore(
            conn,
            users,
            {
                "platform": ctx.platform,
                "workspace_id": ctx.workspace_id,
                "user_id": ctx.user_id,
                "display_name": given or ctx.user_id,
                "created_at": now,
            },
            ("platform", "workspace_id", "user_id"),
        )
        row = (await conn.execute(found)).one()  # ours, or a concurrent first contact's
    if given and row.display_name != given:
        await conn.execute(update(users).where(users.c.id == row.id).values(display_name=given))
    return int(row.id)


async def find_user(
    conn: AsyncConnection, platform: str, workspace_id: str, who: str
) -> tuple[int, str] | None:
    """A user of the workspace by platform id or display name (case-insensitive)."""
    base = select(users.c.id, users.c.display_name).where(
        users.c.platform == platform, users.c.workspace_id == workspace_id
    )
    row = (await conn.execute(base.where(users.c.user_id == who))).first()
    if row is None:
        candidates = (await conn.execute(base)).all()
        matches = [r for r in candidates if r.display_name.casefold() == who.casefold()]
        row = matches[0] if len(matches) == 1 else None
    return (int(row.id), str(row.display_name)) if row is not None else None


async def delete_user(conn: AsyncConnection, user_pk: int) -> None:
    """Delete a user row; answers, standings, streaks, cards and practice go with it (cascade)."""
    await conn.execute(delete(users).where(users.c.id == user_pk))


async def platform_ids(conn: AsyncConnection, user_pks: list[int]) -> list[str]:
    """The platform user ids of these users, in the order given."""
    if not user_pks:
        return []
    rows = (await conn.execute(select(users.c.id, users.c.user_id).where(users.c.id.in_(user_pks)))).all()
    ids = {int(r.id): str(r.user_id) for r in rows}
    return [ids[pk] for pk in user_pks if pk in ids]


async def user_pk_of(conn: AsyncConnection, ctx: Context) -> int | None:
    """The caller's user id, or None if the bot never saw them (reads only)."""
    statement = select(users.c.id).where(
        users.c.platform == ctx.platform,
        users.c.workspace_id == ctx.workspace_id,
        users.c.user_id == ctx.user_id,
    )
    found = (await conn.execute(statement)).scalar()
    return int(found) if found is not None else None
