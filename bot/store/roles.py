"""The roles an admin gave the bot, and the grants it made (so it only ever takes back its own)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.store.dialect import insert_ignore, upsert_replace
from bot.store.tables import role_grants, role_settings, streaks, users

PENDING = "pending"  # claimed, the platform call not known to have finished
GRANTED = "granted"
FAILED = "failed"
REMOVED = "removed"


def _grants(where: tuple[str, str], kind: str) -> tuple[ColumnElement[bool], ...]:
    """The conditions selecting a workspace's grants of one kind."""
    return (
        role_grants.c.platform == where[0],
        role_grants.c.workspace_id == where[1],
        role_grants.c.kind == kind,
    )


async def settings_of(conn: AsyncConnection, platform: str, workspace_id: str) -> dict[str, Row[Any]]:
    """A workspace's configured roles by kind."""
    statement = select(role_settings).where(
        role_settings.c.platform == platform, role_settings.c.workspace_id == workspace_id
    )
    return {str(r.kind): r for r in (await conn.execute(statement)).all()}


async def set_role(
    conn: AsyncConnection, platform: str, workspace_id: str, kind: str, role_id: str, now: datetime
) -> list[tuple[str, str]]:
    """Configure the role of a kind; its failed grants are forgotten (so they are retried) and
    returned as (user id, season)."""
    values = {
        "platform": platform,
        "workspace_id": workspace_id,
        "kind": kind,
        "role_id": role_id,
        "problem": None,
        "updated_at": now,
    }
    await upsert_replace(conn, role_settings, values, ("platform", "workspace_id", "kind"))
    statement = (
        delete(role_grants)
        .where(
            role_grants.c.platform == platform,
            role_grants.c.workspace_id == workspace_id,
            role_grants.c.kind == kind,
            role_grants.c.state == FAILED,
        )
        .returning(role_grants.c.user_id, role_grants.c.season)
    )
    return [(str(r.user_id), str(r.season)) for r in (await conn.execute(statement)).all()]


async def clear_roles(conn: AsyncConnection, platform: str, workspace_id: str, kinds: list[str]) -> int:
    """Stop using roles of these kinds (members keep what they were given); how many were set."""
    result = await conn.execute(
        delete(role_settings).where(
            role_settings.c.platform == platform,
            role_settings.c.workspace_id == workspace_id,
            role_settings.c.kind.in_(kinds),
        )
    )
    return int(result.rowcount)


async def set_problem(
    conn: AsyncConnection, platform: str, workspace_id: str, kind: str, problem: str | None
) -> None:
    """Record (or clear) why the role of a kind could not be given."""
    await conn.execute(
        update(role_settings)
        .where(
            role_settings.c.platform == platform,
            role_settings.c.workspace_id == workspace_id,
            role_settings.c.kind == kind,
        )
        .values(problem=problem)
    )


async def claim_grant(
    conn: AsyncConnection,
    where: tuple[str, str],
    kind: str,
    user_id: str,
    season: str,
    role_id: str,
    now: datetime,
) -> bool:
    """Insert the grant row of a member (unique per kind and season); True if this call claimed it."""
    values = {
        "platform": where[0],
        "workspace_id": where[1],
        "kind": kind,
        "user_id": user_id,
        "season": season,
        "role_id": role_id,
        "state": PENDING,
        "updated_at": now,
    }
    keys = ("platform", "workspace_id", "kind", "user_id", "season")
    return await insert_ignore(conn, role_grants, values, keys)


async def retake_pending(
    conn: AsyncConnection, where: tuple[str, str], kind: str, season: str, stale: datetime, now: datetime
) -> list[str]:
    """Take over the grants of a kind and season still pending since before ``stale`` (their
    process died mid-call); returns their members, once (a concurrent caller gets none)."""
    statement = (
        update(role_grants)
        .where(
            *_grants(where, kind),
            role_grants.c.season == season,
            role_grants.c.state == PENDING,
            role_grants.c.updated_at <= stale,
        )
        .values(updated_at=now)
        .returning(role_grants.c.user_id)
    )
    return sorted(str(r.user_id) for r in (await conn.execute(statement)).all())


async def finish_grant(
    conn: AsyncConnection,
    where: tuple[str, str],
    kind: str,
    user_id: str,
    season: str,
    *,
    state: str,
    error: str | None,
) -> None:
    """Record how a claimed grant ended."""
    await conn.execute(
        update(role_grants)
        .where(
            *_grants(where, kind),
            role_grants.c.user_id == user_id,
            role_grants.c.season == season,
        )
        .values(state=state, error=error)
    )


async def take_back(
    conn: AsyncConnection, where: tuple[str, str], kind: str, role_id: str, keep: set[str], now: datetime
) -> list[str]:
    """Mark removed the grants of ``role_id`` this bot made to members not in ``keep``; returns
    those members once (a concurrent caller gets the rest, so each is taken back once)."""
    statement = (
        update(role_grants)
        .where(
            *_grants(where, kind),
            role_grants.c.role_id == role_id,
            role_grants.c.state == GRANTED,
            role_grants.c.user_id.not_in(sorted(keep)),
        )
        .values(state=REMOVED, updated_at=now)
        .returning(role_grants.c.user_id)
    )
    return sorted({str(r.user_id) for r in (await conn.execute(statement)).all()})


async def milestone_due(
    conn: AsyncConnection, where: tuple[str, str], kind: str, threshold: int, limit: int = 50
) -> list[str]:
    """Members of a workspace whose streak (in any channel) reached ``threshold`` and who have no
    grant row of this milestone yet."""
    granted = exists().where(
        *_grants(where, kind),
        role_grants.c.season == "",
        role_grants.c.user_id == users.c.user_id,
    )
    statement = (
        select(users.c.user_id)
        .join(streaks, streaks.c.user_pk == users.c.id)
        .where(
            and_(users.c.platform == where[0], users.c.workspace_id == where[1]),
            streaks.c.current >= threshold,
            ~granted,
        )
        .group_by(users.c.user_id)
        .order_by(func.min(users.c.id))
        .limit(limit)
    )
    return [str(r.user_id) for r in (await conn.execute(statement)).all()]


async def grants_of(conn: AsyncConnection) -> list[Row[Any]]:
    """Every grant row (tests and status)."""
    return list((await conn.execute(select(role_grants).order_by(role_grants.c.id))).all())


async def milestone_settings(conn: AsyncConnection, platform: str) -> list[Row[Any]]:
    """The streak-milestone roles of every workspace of a platform that have no recorded problem."""
    statement = select(role_settings).where(
        role_settings.c.platform == platform,
        role_settings.c.kind.like("streak%"),
        role_settings.c.problem.is_(None),
    )
    return list((await conn.execute(statement)).all())


async def latest_season(conn: AsyncConnection, where: tuple[str, str], kind: str) -> str | None:
    """The latest season with a grant row of a kind (the champions' last season)."""
    statement = select(func.max(role_grants.c.season)).where(
        *_grants(where, kind),
    )
    found = (await conn.execute(statement)).scalar_one_or_none()
    return None if found is None else str(found)
