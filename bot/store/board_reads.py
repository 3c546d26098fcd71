"""A leaderboard read as one unit of work (``bot.store.unit``): the caller's channel and user, the
board's top lines, the caller's line and rank, and the streaks shown, in one read-only round trip."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal, null, or_, select, union_all

from bot.store.tables import channels, server_standings, standings, streaks, users
from bot.store.unit import Query, Work

STREAK_SLOTS = 11  # the top 10 and the caller: streaks are read for at most this many users


@dataclass(frozen=True)
class BoardLine:
    """One user's totals on a board."""

    user_pk: int
    points: int
    answers: int
    strong: int
    display_name: str


@dataclass(frozen=True)
class StreakRow:
    """A user's stored streak in one channel, with the channel's latest revealed round."""

    user_pk: int
    current: int
    best: int
    last_seq: int
    freezes: int
    freezes_used: int
    reveal_seq: int


@dataclass(frozen=True)
class BoardRead:
    """What a leaderboard shows: the top lines, the caller's line and rank when outside them, the
    streaks of everyone shown, and the channel's zone (the default for a channel never used)."""

    timezone: str
    caller_pk: int | None
    top: tuple[BoardLine, ...]
    mine: BoardLine | None
    rank: int | None
    streaks: tuple[StreakRow, ...]


def _board(channel_scope: bool) -> Query:
    """The board's top ``limit`` lines (points, then name), then the caller's line with its
    competition rank (1 + how many have more points). A channel board sums its standings rows per
    user once (a CTE); a server board reads ``server_standings``, one row a user, whose points index
    gives the head of the board and the rank without reading every line. Only the lines that can
    make the top are joined to their names and sorted."""
    totals: Any
    if channel_scope:
        totals = (
            select(
                standings.c.user_pk,
                func.sum(standings.c.points).label("points"),
                func.sum(standings.c.answers).label("answers"),
                func.sum(standings.c.strong).label("strong"),
            )
            .where(
                standings.c.channel_pk == bindparam("channel_pk"),
                standings.c.window == bindparam("window"),
                standings.c.period == bindparam("period"),
            )
            .group_by(standings.c.user_pk)
            .cte("totals")
        )

        def keyed(lines: Any) -> list[ColumnElement[bool]]:
            return []
    else:
        totals = server_standings

        def keyed(lines: Any) -> list[ColumnElement[bool]]:
            return [
                lines.c[key] == bindparam(key) for key in ("platform", "workspace_id", "window", "period")
            ]

    head = totals.alias("head")
    last_place = (
        select(head.c.points)
        .where(*keyed(head))
        .order_by(head.c.points.desc())
        .limit(1)
        .offset(bindparam("last_offset"))
        .scalar_subquery()
    )
    board = totals.alias("board")
    top = (
        select(*_line(board), literal(0).label("part"))
        .join(users, users.c.id == board.c.user_pk)
        .where(*keyed(board), or_(last_place.is_(None), board.c.points >= last_place))
        .order_by(board.c.points.desc(), users.c.display_name)
        .limit(bindparam("limit"))
        .subquery("top")
    )
    mine, better = totals.alias("mine"), totals.alias("better")
    rank = (
        select(func.count())
        .select_from(better)
        .where(*keyed(better), better.c.points > mine.c.points)
        .scalar_subquery()
        + 1
    )
    caller = (
        select(*_line(mine), literal(1).label("part"), rank.label("rank"))
        .join(users, users.c.id == mine.c.user_pk)
        .where(*keyed(mine), mine.c.user_pk == bindparam("caller_pk"))
    )
    both = union_all(select(top, null().label("rank")), caller).subquery("lines")
    return Query(
        select(
            both.c.user_pk, both.c.points, both.c.answers, both.c.strong, both.c.display_name, both.c.rank
        ).order_by(both.c.part, both.c.points.desc(), both.c.display_name)
    )


def _line(lines: Any) -> tuple[Any, ...]:
    return (lines.c.user_pk, lines.c.points, lines.c.answers, lines.c.strong, users.c.display_name)


def _streaks(channel_scope: bool) -> Query:
    statement = (
        select(
            streaks.c.user_pk,
            streaks.c.current,
            streaks.c.best,
            streaks.c.last_seq,
            streaks.c.freezes,
            streaks.c.freezes_used,
            channels.c.reveal_seq,
        )
        .join(channels, channels.c.id == streaks.c.channel_pk)
        .where(streaks.c.user_pk.in_([bindparam(f"u{i}") for i in range(STREAK_SLOTS)]))
    )
    if channel_scope:
        return Query(statement.where(streaks.c.channel_pk == bindparam("channel_pk")))
    return Query(
        statement.where(
            channels.c.platform == bindparam("platform"), channels.c.workspace_id == bindparam("workspace_id")
        )
    )


def _channel_zone() -> Query:
    return Query(
        select(channels.c.id, channels.c.timezone).where(
            channels.c.platform == bindparam("platform"),
            channels.c.workspace_id == bindparam("workspace_id"),
            channels.c.channel_id == bindparam("channel_id"),
        )
    )


CHANNEL_ZONE = _channel_zone()
USER_PK = Query(
    select(users.c.id).where(
        users.c.platform == bindparam("platform"),
        users.c.workspace_id == bindparam("workspace_id"),
        users.c.user_id == bindparam("user_id"),
    )
)
BOARD = {scope: _board(scope) for scope in (True, False)}
STREAKS = {scope: _streaks(scope) for scope in (True, False)}


def read_board(
    *,
    platform: str,
    workspace_id: str,
    channel_id: str,
    user_id: str,
    window: str,
    period_in: Callable[[str], str],
    channel_scope: bool,
    default_timezone: str,
    limit: int,
) -> Work[BoardRead]:
    """A leaderboard of the caller's channel or workspace for ``window`` (its period is
    ``period_in(the channel's zone)``); reads only: an unknown caller or channel gets no line."""
    keys = {"platform": platform, "workspace_id": workspace_id}
    channel = (yield CHANNEL_ZONE(channel_id=channel_id, **keys)).first()
    timezone = channel[1] if channel is not None else default_timezone
    if channel_scope and channel is None:
        return BoardRead(timezone, None, (), None, None, ())
    found = (yield USER_PK(user_id=user_id, **keys)).first()
    caller_pk = int(found[0]) if found is not None else None
    params = {
        "window": window,
        "period": period_in(timezone),
        "channel_pk": channel[0] if channel else None,
        **keys,
    }
    lines = (
        yield BOARD[channel_scope](limit=limit, last_offset=limit - 1, caller_pk=caller_pk or -1, **params)
    ).rows
    top = tuple(BoardLine(*row[:5]) for row in lines if row[5] is None)
    mine = rank = None
    for row in lines:
        if row[5] is not None and all(line.user_pk != row[0] for line in top):  # the caller, outside the top
            mine, rank = BoardLine(*row[:5]), int(row[5])
    shown = [line.user_pk for line in top] + ([mine.user_pk] if mine is not None else [])
    rows: list[StreakRow] = []
    if shown:
        slots = {f"u{i}": shown[min(i, len(shown) - 1)] for i in range(STREAK_SLOTS)}
        rows = [StreakRow(*row) for row in (yield STREAKS[channel_scope](**slots, **params)).rows]
    return BoardRead(timezone, caller_pk, top, mine, rank, tuple(rows))
