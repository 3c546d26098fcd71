"""Running totals per channel, user and window, and streaks: leaderboards never scan answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import upsert_add, upsert_replace
from bot.store.tables import channels, server_standings, standings, streaks, users


async def add_result(
    conn: AsyncConnection,
    *,
    channel_pk: int,
    user_pk: int,
    platform: str,
    workspace_id: str,
    periods: dict[str, str],
    points: int,
    strong: bool,
) -> None:
    """Add one answer's points to the user's totals for each window's period."""
    await add_totals(
        conn,
        channel_pk=channel_pk,
        user_pk=user_pk,
        platform=platform,
        workspace_id=workspace_id,
        periods=periods,
        points=points,
        answers=1,
        strong=int(strong),
    )


async def add_totals(
    conn: AsyncConnection,
    *,
    channel_pk: int,
    user_pk: int,
    platform: str,
    workspace_id: str,
    periods: dict[str, str],
    points: int,
    answers: int,
    strong: int,
) -> None:
    """Add to a user's totals (any may be negative) in the channel and in the workspace, for each
    window's period. Call inside the transaction that changes the answers: the two stay equal."""
    added = {"points": points, "answers": answers, "strong": strong}
    for window, period in periods.items():
        keys = {"user_pk": user_pk, "platform": platform, "workspace_id": workspace_id, "window": window}
        await upsert_add(
            conn,
            standings,
            {**keys, "channel_pk": channel_pk, "period": period, **added},
            ("channel_pk", "user_pk", "window", "period"),
            added,
        )
        await upsert_add(
            conn,
            server_standings,
            {**keys, "period": period, **added},
            ("platform", "workspace_id", "window", "period", "user_pk"),
            added,
        )


async def get_streak(conn: AsyncConnection, channel_pk: int, user_pk: int) -> Row[Any] | None:
    """The user's streak row in a channel."""
    statement = select(streaks).where(streaks.c.channel_pk == channel_pk, streaks.c.user_pk == user_pk)
    return (await conn.execute(statement)).first()


async def save_streak(
    conn: AsyncConnection,
    channel_pk: int,
    user_pk: int,
    current: int,
    best: int,
    last_seq: int,
    *,
    freezes: int = 0,
    freezes_used: int = 0,
) -> None:
    """Write the user's streak in a channel (with the freezes banked and used)."""
    await upsert_replace(
        conn,
        streaks,
        {
            "channel_pk": channel_pk,
            "user_pk": user_pk,
            "current": current,
            "best": best,
            "last_seq": last_seq,
            "freezes": freezes,
            "freezes_used": freezes_used,
        },
        ("channel_pk", "user_pk"),
    )


def board_query(*, window: str, period: str, channel_pk: int | None, platform: str, workspace_id: str) -> Any:
    """Per-user totals for one board: a channel's, or the workspace's summed over its channels."""
    return periods_board_query(
        window=window, periods=(period,), channel_pk=channel_pk, platform=platform, workspace_id=workspace_id
    )


def periods_board_query(
    *, window: str, periods: Sequence[str], channel_pk: int | None, platform: str, workspace_id: str
) -> Any:
    """Per-user totals summed over several periods of one window (a season is its months): a
    channel's standings rows, or the workspace's totals (``server_standings``)."""
    source = standings if channel_pk is not None else server_standings
    in_periods = source.c.period == periods[0] if len(periods) == 1 else source.c.period.in_(list(periods))
    where = [source.c.window == window, in_periods]
    if channel_pk is not None:
        where.append(standings.c.channel_pk == channel_pk)
    else:
        where += [server_standings.c.platform == platform, server_standings.c.workspace_id == workspace_id]
    return (
        select(
            source.c.user_pk,
            func.sum(source.c.points).label("points"),
            func.sum(source.c.answers).label("answers"),
            func.sum(source.c.strong).label("strong"),
        )
        .where(*where)
        .group_by(source.c.user_pk)
    )


async def top_rows(conn: AsyncConnection, board: Any, limit: int) -> list[Row[Any]]:
    """The best ``limit`` users of a board with names, ordered by points then name."""
    sub = board.subquery()
    statement = (
        select(sub, users.c.display_name)
        .join(users, users.c.id == sub.c.user_pk)
        .order_by(sub.c.points.desc(), users.c.display_name)
        .limit(limit)
    )
    return list((await conn.execute(statement)).all())


async def user_row(conn: AsyncConnection, board: Any, user_pk: int) -> Row[Any] | None:
    """One user's line of a board (only that user's standings rows are summed)."""
    sub = board.where(board.selected_columns.user_pk == user_pk).subquery()
    statement = select(sub, users.c.display_name).join(users, users.c.id == sub.c.user_pk)
    return (await conn.execute(statement)).first()


async def rank_of(conn: AsyncConnection, board: Any, points: int) -> int:
    """Competition rank of a score: 1 + how many users have more points (ties share a rank)."""
    sub = board.subquery()
    statement = select(func.count()).select_from(sub).where(sub.c.points > points)
    return 1 + int((await conn.execute(statement)).scalar_one())


async def streaks_of(
    conn: AsyncConnection,
    user_pks: list[int],
    channel_pk: int | None,
    platform: str,
    workspace_id: str,
) -> list[Row[Any]]:
    """Streak rows of some users, in one channel or in every channel of a workspace."""
    statement = (
        select(streaks, channels.c.reveal_seq)
        .join(channels, channels.c.id == streaks.c.channel_pk)
        .where(streaks.c.user_pk.in_(user_pks))
    )
    if channel_pk is not None:
        statement = statement.where(streaks.c.channel_pk == channel_pk)
    else:
        statement = statement.where(channels.c.platform == platform, channels.c.workspace_id == workspace_id)
    return list((await conn.execute(statement)).all())
