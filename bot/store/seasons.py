"""Season settings, season boards (sums of month standings) and the champion-post claims."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import insert_ignore, upsert_replace
from bot.store.standings import periods_board_query
from bot.store.tables import season_posts, season_settings

SENDING = "sending"
SENT = "sent"
FAILED = "failed"


async def get_length(conn: AsyncConnection, platform: str, workspace_id: str) -> str | None:
    """A workspace's season length, None when it never set one (the default applies)."""
    statement = select(season_settings.c.length).where(
        season_settings.c.platform == platform, season_settings.c.workspace_id == workspace_id
    )
    return (await conn.execute(statement)).scalar_one_or_none()


async def lengths(conn: AsyncConnection) -> dict[tuple[str, str], str]:
    """Every workspace's explicit season length."""
    rows = (await conn.execute(select(season_settings))).all()
    return {(r.platform, r.workspace_id): r.length for r in rows}


async def set_length(
    conn: AsyncConnection, platform: str, workspace_id: str, length: str, now: datetime
) -> None:
    """Set a workspace's season length."""
    values = {"platform": platform, "workspace_id": workspace_id, "length": length, "updated_at": now}
    await upsert_replace(conn, season_settings, values, ("platform", "workspace_id"))


def board_query(*, months: Sequence[str], channel_pk: int | None, platform: str, workspace_id: str) -> Any:
    """Per-user totals of a season: the month standings of its months, summed (same columns as
    ``standings.board_query``, so its ranking helpers apply)."""
    return periods_board_query(
        window="month", periods=months, channel_pk=channel_pk, platform=platform, workspace_id=workspace_id
    )


async def totals(conn: AsyncConnection, board: Any) -> tuple[int, int, int]:
    """(players, answers, strong answers) of a board."""
    sub = board.subquery()
    statement = select(
        func.count(), func.coalesce(func.sum(sub.c.answers), 0), func.coalesce(func.sum(sub.c.strong), 0)
    ).select_from(sub)
    players, answered, strong = (await conn.execute(statement)).one()
    return int(players), int(answered), int(strong)


async def claimed_posts(conn: AsyncConnection, keys: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (channel, season) champion posts already have a row."""
    if not keys:
        return set()
    wanted = or_(*(and_(season_posts.c.channel_pk == c, season_posts.c.season == s) for c, s in keys))
    rows = (await conn.execute(select(season_posts.c.channel_pk, season_posts.c.season).where(wanted))).all()
    return {(int(r.channel_pk), str(r.season)) for r in rows}


async def claim_post(
    conn: AsyncConnection, channel_pk: int, season: str, now: datetime, until: datetime
) -> int | None:
    """Insert the champion-post row of a channel and season; its id if this call claimed it."""
    values = {
        "channel_pk": channel_pk,
        "season": season,
        "state": SENDING,
        "attempts": 1,
        "lease_until": until,
        "created_at": now,
    }
    if not await insert_ignore(conn, season_posts, values, ("channel_pk", "season")):
        return None
    statement = select(season_posts.c.id).where(
        season_posts.c.channel_pk == channel_pk, season_posts.c.season == season
    )
    return int((await conn.execute(statement)).scalar_one())


async def retake_expired(conn: AsyncConnection, now: datetime, until: datetime) -> list[Row[Any]]:
    """Take the lease of champion posts whose sender died or failed (lease expired); returns
    them with their new attempt number."""
    statement = (
        update(season_posts)
        .where(season_posts.c.state == SENDING, season_posts.c.lease_until <= now)
        .values(lease_until=until, attempts=season_posts.c.attempts + 1)
        .returning(
            season_posts.c.id, season_posts.c.channel_pk, season_posts.c.season, season_posts.c.attempts
        )
    )
    return list((await conn.execute(statement)).all())


async def finish(conn: AsyncConnection, post_id: int, **values: Any) -> None:
    """Record how a champion post ended (sent with its message id, or failed)."""
    await conn.execute(update(season_posts).where(season_posts.c.id == post_id).values(**values))


async def posts_of(conn: AsyncConnection) -> list[Row[Any]]:
    """Every champion-post row (tests and status)."""
    return list((await conn.execute(select(season_posts).order_by(season_posts.c.id))).all())
