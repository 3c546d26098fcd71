"""Finding the round a player or admin means in grade commands (``my grade``, ``appeal``, ``answers``).

Every lookup by id or post is confined to one workspace, so a crafted id from elsewhere finds
nothing, exactly like an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.appeals import storable
from bot.store.tables import channels, rounds


@dataclass(frozen=True)
class RoundRef:
    """A round as the grade commands need it: which one, its local date, whether it is scored."""

    id: int
    local_date: str
    scored: bool


def _round() -> Any:
    return select(rounds.c.id, rounds.c.local_date, rounds.c.scored).join(
        channels, channels.c.id == rounds.c.channel_pk
    )


def _in_workspace(statement: Any, platform: str, workspace_id: str) -> Any:
    return statement.where(channels.c.platform == platform, channels.c.workspace_id == workspace_id)


async def _first(conn: AsyncConnection, statement: Any) -> RoundRef | None:
    row = (await conn.execute(statement)).first()
    return RoundRef(int(row.id), str(row.local_date), bool(row.scored)) if row is not None else None


async def round_in_workspace(
    conn: AsyncConnection, platform: str, workspace_id: str, round_id: int
) -> RoundRef | None:
    """The round ``round_id`` if it is one of the workspace's."""
    if not storable(round_id):
        return None
    return await _first(conn, _in_workspace(_round(), platform, workspace_id).where(rounds.c.id == round_id))


async def round_of_post(
    conn: AsyncConnection, platform: str, workspace_id: str, message_id: str
) -> RoundRef | None:
    """The workspace's round whose daily post has ``message_id`` (a Discord thread has its post's id)."""
    statement = _in_workspace(_round(), platform, workspace_id).where(rounds.c.message_id == message_id)
    return await _first(conn, statement)


async def last_revealed(conn: AsyncConnection, channel_pk: int) -> RoundRef | None:
    """The channel's latest scored round."""
    statement = (
        _round()
        .where(rounds.c.channel_pk == channel_pk, rounds.c.scored.is_(True))
        .order_by(rounds.c.id.desc())
        .limit(1)
    )
    return await _first(conn, statement)
