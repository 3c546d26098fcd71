"""Leaderboards, personal stats and the topic list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import practice_bank, workspace_bank
from bot.bank.grading import Verdict
from bot.bank.model import Bank
from bot.cards import LeaderboardCard, LeaderboardRow, Reply, StatsCard, TableCard, error
from bot.commands import ListTopics, Scope, ShowLeaderboard, ShowStats, Window
from bot.context import Context
from bot.daily.scoring import current_period, stored_streak, streak_now, window_title
from bot.grades.my_grade import recent_grades
from bot.runtime import Runtime
from bot.standings.teams import team_rank
from bot.store import answers as answer_store
from bot.store import board_reads, unit
from bot.store import standings as standing_store
from bot.store.flashcards import count_due
from bot.store.users import find_user, user_pk_of
from bot.text.topic_names import short_names

TOP = 10
NOBODY = -1  # the user key of a caller the bot never saw: matches no row


async def _streaks(
    conn: AsyncConnection, user_pks: list[int], channel_pk: int | None, ctx: Context
) -> dict[int, tuple[int, int, int, int]]:
    """(current, best, freezes banked, freezes used) per user: in the channel, or over the
    workspace (the best streaks; freezes summed, as each channel banks its own)."""
    return _settled(
        await standing_store.streaks_of(conn, user_pks, channel_pk, ctx.platform, ctx.workspace_id)
    )


def _line(row: Any, rank: int, streak: int, caller_pk: int) -> LeaderboardRow:
    return LeaderboardRow(
        rank=rank,
        name=row.display_name,
        points=int(row.points),
        answers=int(row.answers),
        strong=int(row.strong),
        streak=streak,
        is_caller=row.user_pk == caller_pk,
    )


async def ranked(
    conn: AsyncConnection, board: Any, caller_pk: int, channel_pk: int | None, ctx: Context
) -> tuple[tuple[LeaderboardRow, ...], LeaderboardRow | None]:
    """The top 10 lines of a board, ties sharing a rank, and the caller's line if outside them."""
    top = await standing_store.top_rows(conn, board, TOP)
    mine = await standing_store.user_row(conn, board, caller_pk)
    pks = [r.user_pk for r in top] + ([caller_pk] if mine is not None else [])
    streaks = await _streaks(conn, pks, channel_pk, ctx)
    rows: list[LeaderboardRow] = []
    for position, row in enumerate(top, start=1):
        # ``top`` is the head of the board ordered by points, so everyone with more points than
        # this row is above it in ``top``: its competition rank needs no query of its own
        rank = rows[-1].rank if rows and rows[-1].points == row.points else position
        rows.append(_line(row, rank, streaks[row.user_pk][0], caller_pk))
    caller_row = None
    if mine is not None and all(r.user_pk != caller_pk for r in top):
        rank = await standing_store.rank_of(conn, board, int(mine.points))
        caller_row = _line(mine, rank, streaks[caller_pk][0], caller_pk)
    return tuple(rows), caller_row


async def leaderboard(rt: Runtime, ctx: Context, cmd: ShowLeaderboard) -> Reply:
    """Top 10 of a window and scope, ties sharing a rank, plus the caller's line if outside.

    One read-only unit of work: a caller or channel the bot never saw creates nothing."""
    now = rt.clock.now()
    work = board_reads.read_board(
        platform=ctx.platform,
        workspace_id=ctx.workspace_id,
        channel_id=ctx.channel_id,
        user_id=ctx.user_id,
        window=cmd.window.value,
        period_in=lambda timezone: current_period(cmd.window, now, timezone),
        channel_scope=cmd.scope is Scope.CHANNEL,
        default_timezone=rt.default_timezone,
        limit=TOP,
    )
    board = await unit.run(rt.engine, work, write=False)
    streaks = _settled(board.streaks)
    caller_pk = board.caller_pk if board.caller_pk is not None else -1
    rows: list[LeaderboardRow] = []
    for position, line in enumerate(board.top, start=1):
        # ``top`` is the head of the board ordered by points: its competition rank needs no query
        rank = rows[-1].rank if rows and rows[-1].points == line.points else position
        rows.append(_line(line, rank, streaks[line.user_pk][0], caller_pk))
    caller_row = None  # only when outside the top lines
    if board.mine is not None and board.rank is not None:
        caller_row = _line(board.mine, board.rank, streaks[board.mine.user_pk][0], caller_pk)
    where = "this channel" if cmd.scope is Scope.CHANNEL else workspace_word(ctx)
    title = f"Leaderboard: {where}, {window_title(cmd.window, now, board.timezone)}"
    return Reply((LeaderboardCard(title, tuple(rows), caller_row),))


def _settled(rows: Sequence[Any]) -> dict[int, tuple[int, int, int, int]]:
    """(current, best, freezes banked, freezes used) per user over the streak rows given: the best
    streaks, freezes summed (each channel banks its own)."""
    result: dict[int, tuple[int, int, int, int]] = defaultdict(lambda: (0, 0, 0, 0))
    for row in rows:
        now = streak_now(stored_streak(row), int(row.reveal_seq))
        current, best, banked, used = result[row.user_pk]
        result[row.user_pk] = (
            max(now.current, current),
            max(now.best, best),
            banked + now.freezes,
            used + now.used,
        )
    return result


def workspace_word(ctx: Context) -> str:
    """What the whole workspace is called where the caller is: a Discord server, a Slack workspace."""
    return "this workspace" if ctx.platform == "slack" else "this server"


async def stats(rt: Runtime, ctx: Context, cmd: ShowStats) -> Reply:
    """Points, rank, streaks, answers by verdict, accuracy by topic (weakest first), cards due."""
    async with rt.engine.connect() as conn:  # reads only: an unknown caller gets zeros, no row
        if cmd.user:
            who = cmd.user.strip().lstrip("@")
            found = await find_user(conn, ctx.platform, ctx.workspace_id, who)
            if found is None:
                return error(f"No player called '{cmd.user}' here yet. Try `stats` for your own.")
            user_pk, name = found
        else:
            known = await user_pk_of(conn, ctx)
            user_pk, name = (known if known is not None else NOBODY), ctx.display_name
        board = standing_store.board_query(
            window=Window.ALL.value,
            period="all",
            channel_pk=None,
            platform=ctx.platform,
            workspace_id=ctx.workspace_id,
        )
        mine = await standing_store.user_row(conn, board, user_pk)
        points = int(mine.points) if mine is not None else 0
        rank = await standing_store.rank_of(conn, board, points) if mine is not None else None
        current, best, banked, used = (await _streaks(conn, [user_pk], None, ctx))[user_pk]
        verdicts = dict(await answer_store.verdict_counts(conn, user_pk))
        bank = await workspace_bank(conn, rt.bank, ctx.platform, ctx.workspace_id)
        topics = _topic_accuracy(bank, await answer_store.scored_answers(conn, user_pk))
        due, total = await count_due(conn, user_pk, rt.clock.now())
        recent = await recent_grades(rt, conn, user_pk) if user_pk != NOBODY else ()
        team = await team_rank(rt, conn, ctx, user_pk) if user_pk != NOBODY else ""
    return Reply(
        (
            StatsCard(
                name=name,
                points=points,
                rank=rank,
                current_streak=current,
                best_streak=best,
                freezes=banked,
                freezes_used=used,
                team=team,
                verdicts=tuple((v.value, verdicts.get(v.value, 0)) for v in Verdict),
                topics=topics,
                cards_due=due,
                cards_total=total,
                scope=f"{workspace_word(ctx)}, all time",
                recent=recent,
            ),
        )
    )


def _topic_accuracy(bank: Bank, rows: Sequence[Any]) -> tuple[tuple[str, int, int], ...]:
    good: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for row in rows:
        question = bank.get(row.question_id)
        topic = question.topic if question is not None else "unknown"
        seen[topic] += 1
        good[topic] += row.verdict == Verdict.STRONG
    ordered = sorted(seen, key=lambda t: (good[t] / seen[t], t))
    return tuple((t, good[t], seen[t]) for t in ordered)


async def list_topics(rt: Runtime, ctx: Context, _cmd: ListTopics) -> Reply:
    """The topics of the banks the caller's channel draws from, with question counts."""
    async with rt.engine.connect() as conn:
        bank = await practice_bank(conn, rt.bank, ctx)
    topics = bank.topics()
    shorts = short_names([name for name, _ in topics])
    rows = tuple((name, shorts.get(name, "-"), str(count)) for name, count in topics)
    return Reply(
        (
            TableCard(
                "Topics",
                ("topic", "short", "questions"),
                rows,
                footer=f"{len(bank.questions)} questions. `question <topic>` practises one topic; "
                "a short name or part of a name will do (`question rl`, `question ensemble`).",
            ),
        )
    )
