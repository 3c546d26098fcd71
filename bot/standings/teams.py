"""Teams: ``team add|remove|list`` (admins change them) and ``leaderboard teams [window]``.

Rule: a team's score in a window is its members' points in that window divided by its *active*
members, those with at least one scored answer in the window, so a big team is not ahead for
being big, nor behind for members who never play. A team with no active member scores 0. Ties
share a rank; equal scores are listed by name. Points are the workspace's (every channel), for
the window's period in the caller's channel's time zone, like ``leaderboard ... server``.
A member is in at most one team (the schema says so): adding someone who is in another team is
refused, naming it, and nothing is written.
A Discord role (``<@&123>`` or ``@Name``) or a Slack user group (``<!subteam^S123|@group>`` or
``@handle``, when no player has that name) stands for its members *at the time of* ``team add``
(a snapshot: run it again to add newcomers; the board never waits on the platform).
``team remove <name> <group>`` takes the group's current members out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.cards import Reply, TableCard, Tone, error, notice
from bot.commands import ManageTeam, ShowTeamBoard, TeamAction, Window
from bot.context import Context
from bot.daily.scoring import current_period, window_title
from bot.ports import GroupError
from bot.runtime import Runtime
from bot.standings.seasons import DEFAULT_LENGTH, SeasonLength, months, season_of, title
from bot.store import seasons as season_store
from bot.store import standings as standing_store
from bot.store import teams as team_store
from bot.store.channels import get_channel
from bot.store.users import ensure_user, find_user

NAME = re.compile(r"^[\w][\w.-]{0,39}$")
MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
GROUP = re.compile(r"^<(@&|!subteam\^)")
GROUP_ID = re.compile(r"^<(?:@&(\d{5,25})|!subteam\^([A-Z0-9]{2,25})(?:\|[^>]*)?)>$")
WINDOWS = ("week", "month", "season", "all")
RULE = "Score: points in the window / active members (members who answered in it)."


@dataclass(frozen=True)
class TeamLine:
    """A team's line of the team board."""

    rank: int
    name: str
    score: Fraction
    points: int
    active: int
    members: int


def rank_teams(rows: Sequence[Any]) -> list[TeamLine]:
    """Team totals ranked by points per active member (ties share a rank, then by name)."""
    scored = [(Fraction(int(r.points), int(r.active)) if r.active else Fraction(0), r) for r in rows]
    scored.sort(key=lambda item: (-item[0], item[1].name.casefold()))
    lines: list[TeamLine] = []
    for position, (score, row) in enumerate(scored, start=1):
        rank = lines[-1].rank if lines and lines[-1].score == score else position
        lines.append(TeamLine(rank, row.name, score, int(row.points), int(row.active), int(row.members)))
    return lines


async def window_board(
    rt: Runtime, conn: AsyncConnection, ctx: Context, window: str
) -> tuple[Any, str] | str:
    """The workspace's per-user board of a window and its title; an error text when seasons are off."""
    channel = await get_channel(conn, ctx.channel)  # reads only: a channel never used has no row
    zone = channel.timezone if channel is not None else rt.default_timezone
    now = rt.clock.now()
    if window == "season":
        stored = await season_store.get_length(conn, ctx.platform, ctx.workspace_id)
        length = SeasonLength(stored) if stored else DEFAULT_LENGTH
        if length is SeasonLength.OFF:
            return "Seasons are off here, so there is no season window. Try week, month or all."
        key = season_of(now.astimezone(ZoneInfo(zone)).date(), length)
        board = season_store.board_query(
            months=months(key), channel_pk=None, platform=ctx.platform, workspace_id=ctx.workspace_id
        )
        return board, f"season {title(key)}"
    chosen = Window(window)
    board = standing_store.board_query(
        window=chosen.value,
        period=current_period(chosen, now, zone),
        channel_pk=None,
        platform=ctx.platform,
        workspace_id=ctx.workspace_id,
    )
    return board, window_title(chosen, now, zone)


async def team_board(rt: Runtime, ctx: Context, cmd: ShowTeamBoard) -> Reply:
    """Teams ranked by points per active member in a window."""
    async with rt.engine.connect() as conn:  # reads only
        found = await window_board(rt, conn, ctx, cmd.window)
        if isinstance(found, str):
            return error(found)
        board, when = found
        lines = rank_teams(await team_store.team_totals(conn, board, ctx.platform, ctx.workspace_id))
    if not lines:
        return notice("No teams here yet. Admins create them with `team add <name> @member @member`.")
    rows = tuple(
        (str(t.rank), t.name, f"{float(t.score):.1f}", str(t.points), f"{t.active} of {t.members}")
        for t in lines
    )
    return Reply(
        (TableCard(f"Teams: {when}", ("rank", "team", "score", "points", "active"), rows, footer=RULE),)
    )


async def team_rank(rt: Runtime, conn: AsyncConnection, ctx: Context, user_pk: int) -> str:
    """'Data: #2 of 3 teams, all time' for a member of a team; empty otherwise."""
    mine = (await team_store.teams_of_users(conn, [user_pk])).get(user_pk)
    if mine is None:
        return ""
    found = await window_board(rt, conn, ctx, "all")
    assert not isinstance(found, str)
    lines = rank_teams(await team_store.team_totals(conn, found[0], ctx.platform, ctx.workspace_id))
    line = next(t for t in lines if t.name == mine.name)
    per = f"{float(line.score):.1f} per active member"
    return f"{mine.name}: #{line.rank} of {len(lines)} teams, all time ({per})"


async def manage_team(rt: Runtime, ctx: Context, cmd: ManageTeam) -> Reply:
    """``team add|remove|list``."""
    if cmd.action is TeamAction.LIST:
        return await _list(rt, ctx)
    if not NAME.match(cmd.name):
        return error(
            "Name the team with one word of up to 40 letters, digits, '.', '-' or '_': "
            "`team add data @ann @bob`, `team remove data [@ann]`."
        )
    expanded = await _expand_groups(rt, ctx, cmd.members)
    if isinstance(expanded, str):
        return error(expanded)
    async with rt.engine.begin() as conn:
        resolved = await _resolve(conn, ctx, expanded, rt)
        if isinstance(resolved, str):
            return error(resolved)
        team = await team_store.find_team(conn, ctx.platform, ctx.workspace_id, cmd.name)
        if cmd.action is TeamAction.REMOVE:
            if team is None:
                return error(f"There is no team called '{cmd.name}' here. `team list` shows the teams.")
            if not resolved:
                await team_store.delete_team(conn, int(team.id))
                return notice(f"Removed the team {team.name}.", Tone.SUCCESS)
            removed = await team_store.remove_members(conn, int(team.id), [pk for pk, _ in resolved])
            return notice(f"Took {removed} member(s) out of {team.name}.", Tone.SUCCESS)
        current = await team_store.teams_of_users(conn, [pk for pk, _ in resolved])
        elsewhere = [
            f"{name} (in {current[pk].name})"
            for pk, name in resolved
            if pk in current and (team is None or current[pk].id != team.id)
        ]
        if elsewhere:
            return error(
                "A member can be in one team only: "
                + ", ".join(elsewhere)
                + ". Take them out first (`team remove <team> @member`). Nothing was changed."
            )
        team_id = (
            int(team.id)
            if team
            else await team_store.create_team(conn, ctx.platform, ctx.workspace_id, cmd.name, rt.clock.now())
        )
        new = [(pk, name) for pk, name in resolved if pk not in current]
        await team_store.add_members(conn, team_id, [pk for pk, _ in new])
    names = ", ".join(name for _, name in new) or "nobody new"
    return notice(f"Team {team.name if team else cmd.name}: added {names}.", Tone.SUCCESS)


async def _expand_groups(
    rt: Runtime, ctx: Context, tokens: tuple[str, ...]
) -> tuple[str | tuple[str, str], ...] | str:
    """The tokens with each role or user group replaced by its members (user id, name), asked
    of the platform before any transaction opens; an error text when a group cannot be listed."""
    out: list[str | tuple[str, str]] = []
    for token in tokens:
        if not GROUP.match(token):
            named = await _group_named(rt, ctx, token)
            out.extend(named if named else [token])
            continue
        found = GROUP_ID.match(token)
        if rt.groups is None or found is None:
            return f"'{token[:40]}' is not a role or user group I can read; name the members (@ann @bob)."
        try:
            members = await rt.groups.members(ctx.workspace_id, found.group(1) or found.group(2))
        except GroupError as exc:
            return str(exc)
        if not members:
            return f"'{token[:40]}' has no members right now; nothing was changed."
        out.extend(members)
    return tuple(out)


async def _group_named(rt: Runtime, ctx: Context, token: str) -> list[tuple[str, str]]:
    """The members of the role or user group a plain ``@name`` names, when no player has that
    name (Slack sends ``@data-team`` as typed); empty otherwise."""
    if rt.groups is None or not token.startswith("@") or len(token) < 2:
        return []
    async with rt.engine.connect() as conn:
        if await find_user(conn, ctx.platform, ctx.workspace_id, token[1:]) is not None:
            return []
    try:
        return await rt.groups.members(ctx.workspace_id, token[1:])
    except GroupError:
        return []  # not a group either: the usual "no player called" answer follows


async def _resolve(
    conn: AsyncConnection, ctx: Context, tokens: tuple[str | tuple[str, str], ...], rt: Runtime
) -> list[tuple[int, str]] | str:
    """The users named by mentions, names or groups' members; an error text naming what is not
    understood."""
    found: dict[int, str] = {}
    for token in tokens:
        if isinstance(token, tuple):  # a member of a role or user group
            user_id, name = token
            member = Context(ctx.platform, ctx.workspace_id, ctx.channel_id, user_id, name, is_admin=False)
            existing = await find_user(conn, ctx.platform, ctx.workspace_id, user_id)
            if existing is None:
                existing = (await ensure_user(conn, member, rt.clock.now()), name)
            found[existing[0]] = existing[1]
            continue
        mention = MENTION.match(token)
        who = mention.group(1) if mention else token.lstrip("@")
        user = await find_user(conn, ctx.platform, ctx.workspace_id, who)
        if user is None and mention:
            member = Context(ctx.platform, ctx.workspace_id, ctx.channel_id, who, who, is_admin=False)
            user = (await ensure_user(conn, member, rt.clock.now()), who)
        if user is None:
            return f"No player called '{token[:40]}' here yet; mention them (@name) or ask them to play once."
        found[user[0]] = user[1]
    return list(found.items())


async def _list(rt: Runtime, ctx: Context) -> Reply:
    async with rt.engine.connect() as conn:
        rows = await team_store.roster(conn, ctx.platform, ctx.workspace_id)
    members: dict[str, list[str]] = {}
    for row in rows:
        members.setdefault(row.name, [])
        if row.display_name is not None:
            members[row.name].append(row.display_name)
    if not members:
        return notice("No teams here yet. Admins create them with `team add <name> @member @member`.")
    table = tuple((name, ", ".join(names) or "(no members)") for name, names in members.items())
    return Reply((TableCard("Teams", ("team", "members"), table, footer=RULE),))
