"""Channels and their schedules: the source of truth for when the next post is due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ports import ChannelRef
from bot.store.dialect import insert_ignore, skip_locked
from bot.store.tables import channels


async def ensure_channel(conn: AsyncConnection, ref: ChannelRef, timezone: str, now: datetime) -> Row[Any]:
    """The channel's row, created unscheduled (in ``timezone``) on first use."""
    await insert_ignore(
        conn,
        channels,
        {
            "platform": ref.platform,
            "workspace_id": ref.workspace_id,
            "channel_id": ref.channel_id,
            "timezone": timezone,
            "created_at": now,
        },
        ("platform", "workspace_id", "channel_id"),
    )
    row = await get_channel(conn, ref)
    assert row is not None
    return row


async def get_channel(conn: AsyncConnection, ref: ChannelRef) -> Row[Any] | None:
    """The channel's row, or None if the bot never saw it."""
    return (
        await conn.execute(
            select(channels).where(
                channels.c.platform == ref.platform,
                channels.c.workspace_id == ref.workspace_id,
                channels.c.channel_id == ref.channel_id,
            )
        )
    ).first()


async def get_channel_by_pk(conn: AsyncConnection, channel_pk: int) -> Row[Any]:
    """The channel row with this primary key."""
    return (await conn.execute(select(channels).where(channels.c.id == channel_pk))).one()


async def update_channel(conn: AsyncConnection, channel_pk: int, **values: Any) -> None:
    """Set columns of one channel."""
    await conn.execute(update(channels).where(channels.c.id == channel_pk).values(**values))


async def claim_due_channels(conn: AsyncConnection, now: datetime, limit: int) -> list[Row[Any]]:
    """Scheduled, unpaused channels whose next post is due, earliest first, locked for this
    transaction; on PostgreSQL rows another process holds are skipped, so processes split them."""
    statement = (
        select(channels)
        .where(
            channels.c.scheduled.is_(True),
            channels.c.paused.is_(False),
            channels.c.next_post_at <= now,
        )
        .order_by(channels.c.next_post_at)
        .limit(limit)
        .with_for_update(skip_locked=skip_locked(conn))
    )
    return list((await conn.execute(statement)).all())


async def next_post_due(conn: AsyncConnection) -> datetime | None:
    """The earliest upcoming post over all active channels."""
    statement = select(func.min(channels.c.next_post_at)).where(
        channels.c.scheduled.is_(True), channels.c.paused.is_(False)
    )
    value: datetime | None = (await conn.execute(statement)).scalar()
    return value
