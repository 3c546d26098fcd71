"""Teams and their members, and team totals over a leaderboard board."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import team_members, teams, users


async def find_team(conn: AsyncConnection, platform: str, workspace_id: str, name: str) -> Row[Any] | None:
    """A team of a workspace by name (ignoring case)."""
    statement = select(teams).where(
        teams.c.platform == platform,
        teams.c.workspace_id == workspace_id,
        teams.c.name_key == name.casefold(),
    )
    return (await conn.execute(statement)).first()


async def create_team(conn: AsyncConnection, platform: str, workspace_id: str, name: str, now: Any) -> int:
    """Create a team; returns its id (the name is unique in the workspace, ignoring case)."""
    result = await conn.execute(
        teams.insert()
        .values(
            platform=platform, workspace_id=workspace_id, name=name, name_key=name.casefold(), created_at=now
        )
        .returning(teams.c.id)
    )
    return int(result.scalar_one())


async def teams_of_users(conn: AsyncConnection, user_pks: list[int]) -> dict[int, Row[Any]]:
    """The team of each of these users that is in one."""
    statement: Any = (
        select(team_members.c.user_pk, teams.c.id, teams.c.name)
        .join(teams, teams.c.id == team_members.c.team_id)
        .where(team_members.c.user_pk.in_(user_pks))
    )
    return {int(r.user_pk): r for r in (await conn.execute(statement)).all()}


async def add_members(conn: AsyncConnection, team_id: int, user_pks: list[int]) -> None:
    """Put users in a team (the caller checked that none is in another one)."""
    if user_pks:
        await conn.execute(team_members.insert(), [{"team_id": team_id, "user_pk": pk} for pk in user_pks])


async def remove_members(conn: AsyncConnection, team_id: int, user_pks: list[int]) -> int:
    """Take users out of a team; how many were in it."""
    result = await conn.execute(
        delete(team_members).where(team_members.c.team_id == team_id, team_members.c.user_pk.in_(user_pks))
    )
    return int(result.rowcount)


async def delete_team(conn: AsyncConnection, team_id: int) -> None:
    """Delete a team and its memberships."""
    await conn.execute(delete(team_members).where(team_members.c.team_id == team_id))
    await conn.execute(delete(teams).where(teams.c.id == team_id))


async def roster(conn: AsyncConnection, platform: str, workspace_id: str) -> list[Row[Any]]:
    """Every team of a workspace with its members' names (one row per member; none for empty teams)."""
    statement: Any = (
        select(teams.c.id, teams.c.name, users.c.display_name)
        .select_from(teams)
        .outerjoin(team_members, team_members.c.team_id == teams.c.id)
        .outerjoin(users, users.c.id == team_members.c.user_pk)
        .where(teams.c.platform == platform, teams.c.workspace_id == workspace_id)
        .order_by(teams.c.name_key, users.c.display_name)
    )
    return list((await conn.execute(statement)).all())


async def team_totals(conn: AsyncConnection, board: Any, platform: str, workspace_id: str) -> list[Row[Any]]:
    """Per team of a workspace: members, active members (with points on ``board``) and points."""
    sub = board.subquery()
    statement = (
        select(
            teams.c.id,
            teams.c.name,
            func.count(team_members.c.user_pk).label("members"),
            func.count(sub.c.user_pk).label("active"),
            func.coalesce(func.sum(sub.c.points), 0).label("points"),
        )
        .select_from(teams)
        .outerjoin(team_members, team_members.c.team_id == teams.c.id)
        .outerjoin(sub, sub.c.user_pk == team_members.c.user_pk)
        .where(teams.c.platform == platform, teams.c.workspace_id == workspace_id)
        .group_by(teams.c.id, teams.c.name)
    )
    return list((await conn.execute(statement)).all())
