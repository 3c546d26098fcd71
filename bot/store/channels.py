"""Channels and their schedules: the source of truth for when the next post is due."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ports import ChannelRef
from bot.store.dialect import insert_ignore
from bot.store.rounds import RoundMode
from bot.store.tables import channels


@dataclass(frozen=True)
class Channel:
    """A channel the bot has seen: its schedule (as stored), its place in the bank and its health."""

    id: int
    platform: str
    workspace_id: str
    channel_id: str
    scheduled: bool
    paused: bool
    post_time: str  # "HH:MM"; ``Schedule.from_channel`` reads these schedule columns
    timezone: str
    days: str  # "mon,tue,..."
    reveal_after_s: int
    mode: RoundMode
    topics: str  # a JSON list
    difficulty: str | None
    next_post_at: datetime | None
    cycle: int
    reveal_seq: int
    failures: int
    failing_since: datetime | None
    last_error: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> Channel:
        """The record of a ``channels`` row."""
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        values["mode"] = RoundMode(values["mode"])
        values["scheduled"] = bool(values["scheduled"])
        values["paused"] = bool(values["paused"])
        return cls(**values)

    @property
    def ref(self) -> ChannelRef:
        """The channel's platform reference."""
        return ChannelRef(self.platform, self.workspace_id, self.channel_id)


async def ensure_channel(conn: AsyncConnection, ref: ChannelRef, timezone: str, now: datetime) -> Channel:
    """The channel, created unscheduled (in ``timezone``) on first use."""
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
    channel = await get_channel(conn, ref)
    assert channel is not None
    return channel


async def get_channel(conn: AsyncConnection, ref: ChannelRef) -> Channel | None:
    """The channel, or None if the bot never saw it."""
    row = (
        await conn.execute(
            select(channels).where(
                channels.c.platform == ref.platform,
                channels.c.workspace_id == ref.workspace_id,
                channels.c.channel_id == ref.channel_id,
            )
        )
    ).first()
    return None if row is None else Channel.from_row(row)


async def get_channel_by_pk(conn: AsyncConnection, channel_pk: int) -> Channel:
    """The channel with this primary key."""
    return Channel.from_row((await conn.execute(select(channels).where(channels.c.id == channel_pk))).one())


async def update_channel(conn: AsyncConnection, channel_pk: int, **values: Any) -> None:
    """Set columns of one channel."""
    await conn.execute(update(channels).where(channels.c.id == channel_pk).values(**values))


async def active_channels(conn: AsyncConnection) -> list[Channel]:
    """Every scheduled, unpaused channel."""
    statement = select(channels).where(channels.c.scheduled.is_(True), channels.c.paused.is_(False))
    return [Channel.from_row(row) for row in (await conn.execute(statement)).all()]


async def active_time_zones(conn: AsyncConnection) -> list[tuple[str, str, str]]:
    """Each (platform, workspace id, time zone) with a scheduled, unpaused channel, once."""
    statement = (
        select(channels.c.platform, channels.c.workspace_id, channels.c.timezone)
        .where(channels.c.scheduled.is_(True), channels.c.paused.is_(False))
        .distinct()
    )
    return [(str(p), str(w), str(z)) for p, w, z in (await conn.execute(statement)).all()]


async def next_post_due(conn: AsyncConnection) -> datetime | None:
    """The earliest upcoming post over all active channels."""
    statement = select(func.min(channels.c.next_post_at)).where(
        channels.c.scheduled.is_(True), channels.c.paused.is_(False)
    )
    value: datetime | None = (await conn.execute(statement)).scalar()
    return value
