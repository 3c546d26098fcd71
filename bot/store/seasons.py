"""Season settings, season boards (sums of month standings) and the champion-post claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import insert_ignore, upsert_replace
from bot.store.standings import periods_board_query
from bot.store.tables import season_posts, season_settings


class PostState(StrEnum):
    """Where a champion post is: being sent (under a lease), sent, or given up."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


SENDING = PostState.SENDING
SENT = PostState.SENT
FAILED = PostState.FAILED


@dataclass(frozen=True)
class ChampionPost:
    """The champion post of one channel and season."""

    id: int
    channel_pk: int
    season: str
    state: PostState
    attempts: int
    lease_until: datetime | None
    message_id: str | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> ChampionPost:
        """The record of a ``season_posts`` row."""
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        values["state"] = PostState(values["state"])
        return cls(**values)


@dataclass(frozen=True)
class RetakenPost:
    """A champion post taken over after its sender died or failed, with its new attempt number."""

    id: int
    channel_pk: int
    season: str
    attempts: int


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
        "state": str(SENDING),
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


async def retake_expired(conn: AsyncConnection, now: datetime, until: datetime) -> list[RetakenPost]:
    """Take the lease of champion posts whose sender died or failed (lease expired); returns
    them with their new attempt number."""
    statement = (
        update(season_posts)
        .where(season_posts.c.state == str(SENDING), season_posts.c.lease_until <= now)
        .values(lease_until=until, attempts=season_posts.c.attempts + 1)
        .returning(
            season_posts.c.id, season_posts.c.channel_pk, season_posts.c.season, season_posts.c.attempts
        )
    )
    return [
        RetakenPost(int(r.id), int(r.channel_pk), str(r.season), int(r.attempts))
        for r in (await conn.execute(statement)).all()
    ]


async def finish(conn: AsyncConnection, post_id: int, **values: Any) -> None:
    """Record how a champion post ended (sent with its message id, or failed)."""
    if "state" in values:
        values["state"] = str(PostState(values["state"]))
    await conn.execute(update(season_posts).where(season_posts.c.id == post_id).values(**values))


async def posts_of(conn: AsyncConnection) -> list[ChampionPost]:
    """Every champion post (tests and status)."""
    rows = (await conn.execute(select(season_posts).order_by(season_posts.c.id))).all()
    return [ChampionPost.from_row(row) for row in rows]
