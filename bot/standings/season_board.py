"""``leaderboard season [key]`` and ``season [length month|quarter|off]``."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.cards import LeaderboardCard, Reply, Tone, error, notice
from bot.commands import ConfigureSeason, Scope, ShowSeasonBoard
from bot.context import Context
from bot.runtime import Runtime
from bot.standings.boards import NOBODY, ranked, workspace_word
from bot.standings.seasons import DEFAULT_LENGTH, SeasonLength, months, next_first_day, season_of, title
from bot.store import seasons as season_store
from bot.store.channels import get_channel
from bot.store.users import user_pk_of

OFF_TEXT = (
    "Seasons are off in this {where}: an admin turns them on with `season length month` or "
    "`season length quarter`. Past seasons stay readable (`leaderboard season 2026-11`)."
)
LENGTH_WORDS = {
    SeasonLength.MONTH: "calendar months",
    SeasonLength.QUARTER: "quarters",
    SeasonLength.OFF: "off",
}


async def workspace_length(rt: Runtime, ctx: Context) -> SeasonLength:
    """The caller's workspace's season length (the default when never set)."""
    async with rt.engine.connect() as conn:
        stored = await season_store.get_length(conn, ctx.platform, ctx.workspace_id)
    return SeasonLength(stored) if stored else DEFAULT_LENGTH


def last_day_text(key: str) -> str:
    """'ends after Mon 30 Nov' for a season."""
    return f"ends after {next_first_day(key) - timedelta(days=1):%a %d %b %Y}"


async def season_board(rt: Runtime, ctx: Context, cmd: ShowSeasonBoard) -> Reply:
    """A season's standings: the current season or a past one, the workspace's or the channel's."""
    now = rt.clock.now()
    length = await workspace_length(rt, ctx)
    async with rt.engine.connect() as conn:  # reads only: nobody and no channel is created
        channel = await get_channel(conn, ctx.channel)
        zone = channel.timezone if channel is not None else rt.default_timezone
        today = now.astimezone(ZoneInfo(zone)).date()
        if cmd.season is None and length is SeasonLength.OFF:
            return error(OFF_TEXT.format(where=workspace_word(ctx).removeprefix("this ")))
        key = cmd.season or season_of(today, length)
        if months(key)[0] > today.strftime("%Y-%m"):
            return error(f"The season {key} has not started yet. `leaderboard season` shows the current one.")
        known = await user_pk_of(conn, ctx)
        caller_pk = known if known is not None else NOBODY
        channel_pk = (channel.id if channel is not None else NOBODY) if cmd.scope is Scope.CHANNEL else None
        board = season_store.board_query(
            months=months(key), channel_pk=channel_pk, platform=ctx.platform, workspace_id=ctx.workspace_id
        )
        rows, caller_row = await ranked(conn, board, caller_pk, channel_pk, ctx)
    where = "this channel" if cmd.scope is Scope.CHANNEL else workspace_word(ctx)
    running = next_first_day(key) > today
    when = f"season {title(key)}" + (f", {last_day_text(key)}" if running else ", ended")
    return Reply(
        (LeaderboardCard(f"Leaderboard: {where}, {when}", rows, caller_row, "No points yet in this season."),)
    )


async def configure_season(rt: Runtime, ctx: Context, cmd: ConfigureSeason) -> Reply:
    """Show the workspace's seasons, or (admins) set their length."""
    if cmd.length is not None:
        length = SeasonLength(cmd.length)
        async with rt.engine.begin() as conn:
            await season_store.set_length(conn, ctx.platform, ctx.workspace_id, length.value, rt.clock.now())
        if length is SeasonLength.OFF:
            return notice(
                "Seasons are off: no season boards or champion posts. "
                "Points and the all-time board are unchanged.",
                Tone.SUCCESS,
            )
        return notice(
            f"Seasons are now {LENGTH_WORDS[length]}. {await _current(rt, ctx, length)} "
            "Points never change: a season adds up the months it covers.",
            Tone.SUCCESS,
        )
    length = await workspace_length(rt, ctx)
    if length is SeasonLength.OFF:
        return notice(OFF_TEXT.format(where=workspace_word(ctx).removeprefix("this ")))
    return notice(
        f"Seasons here are {LENGTH_WORDS[length]}. {await _current(rt, ctx, length)} At its end every "
        "scheduled channel gets one post naming the champions. `leaderboard season` shows the standings.",
        title="Seasons",
    )


async def _current(rt: Runtime, ctx: Context, length: SeasonLength) -> str:
    async with rt.engine.connect() as conn:
        channel = await get_channel(conn, ctx.channel)
    zone = channel.timezone if channel is not None else rt.default_timezone
    today = rt.clock.now().astimezone(ZoneInfo(zone)).date()
    key = season_of(today, length)
    return f"The current season is {title(key)} ({key}); it {last_day_text(key)} ({zone})."
