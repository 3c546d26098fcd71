"""Which workspace a channel or a user belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import channels, users


@dataclass(frozen=True)
class Workspace:
    """A platform's workspace (a Discord server, a Slack workspace)."""

    platform: str
    workspace_id: str


async def channel_workspace(conn: AsyncConnection, channel_pk: int) -> Workspace | None:
    """The workspace of the channel with this key; None if there is no such channel."""
    statement = select(channels.c.platform, channels.c.workspace_id).where(channels.c.id == channel_pk)
    row = (await conn.execute(statement)).first()
    return None if row is None else Workspace(str(row.platform), str(row.workspace_id))


async def user_workspace(conn: AsyncConnection, user_pk: int) -> Workspace | None:
    """The workspace of the user with this key; None if there is no such user."""
    statement = select(users.c.platform, users.c.workspace_id).where(users.c.id == user_pk)
    row = (await conn.execute(statement)).first()
    return None if row is None else Workspace(str(row.platform), str(row.workspace_id))
