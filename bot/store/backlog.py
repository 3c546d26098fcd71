"""How much scheduled work is waiting: posts and reveals whose moment has come (for metrics)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.rounds import CLAIMED, OPEN, REVEALING
from bot.store.tables import channels, rounds


async def backlog(conn: AsyncConnection, now: datetime, late: timedelta) -> tuple[int, int]:
    """(due, overdue): channels whose post time has come plus rounds waiting to be posted or
    revealed, and how many of those are more than ``late`` past their moment."""
    post_due = and_(channels.c.scheduled.is_(True), channels.c.paused.is_(False))
    posts = select(
        func.count().filter(channels.c.next_post_at <= now),
        func.count().filter(channels.c.next_post_at <= now - late),
    ).where(post_due)
    waiting = or_(
        rounds.c.state.in_([CLAIMED, REVEALING]), and_(rounds.c.state == OPEN, rounds.c.reveal_at <= now)
    )
    work = select(
        func.count(),
        func.count().filter(
            or_(
                and_(rounds.c.state == OPEN, rounds.c.reveal_at <= now - late),
                and_(rounds.c.state == CLAIMED, rounds.c.scheduled_for <= now - late),
                and_(rounds.c.state == REVEALING, rounds.c.reveal_at <= now - late),
            )
        ),
    ).where(waiting)
    post_row = (await conn.execute(posts)).one()
    work_row = (await conn.execute(work)).one()
    return int(post_row[0]) + int(work_row[0]), int(post_row[1]) + int(work_row[1])
