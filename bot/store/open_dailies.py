"""Which questions are open as daily rounds in a workspace (practice must not give them away)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.rounds import CLAIMED, OPEN, REVEALING
from bot.store.tables import channels, rounds

# claimed: about to be posted; revealing: the reveal is under way but not yet out
NOT_YET_REVEALED = (CLAIMED, OPEN, REVEALING)


async def open_daily_questions(conn: AsyncConnection, platform: str, workspace_id: str) -> set[str]:
    """Question ids of every round not yet revealed in any channel of the workspace."""
    statement = (
        select(rounds.c.question_id)
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .where(
            rounds.c.state.in_(NOT_YET_REVEALED),
            channels.c.platform == platform,
            channels.c.workspace_id == workspace_id,
        )
    )
    return set((await conn.execute(statement)).scalars())
