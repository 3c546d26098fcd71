"""Members' submissions in the database: add, count per member, the queue, decide, tell."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import submissions

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


async def add_submission(conn: AsyncConnection, values: dict[str, Any]) -> int:
    """Store a pending submission; its id."""
    result = await conn.execute(insert(submissions).values(status=PENDING, **values))
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


async def count_since(
    conn: AsyncConnection, platform: str, workspace_id: str, user_id: str, since: datetime
) -> int:
    """How many submissions a member made since ``since``."""
    statement = select(func.count()).where(
        submissions.c.platform == platform,
        submissions.c.workspace_id == workspace_id,
        submissions.c.user_id == user_id,
        submissions.c.created_at >= since,
    )
    return int((await conn.execute(statement)).scalar_one())


async def pending(conn: AsyncConnection, platform: str, workspace_id: str, limit: int) -> list[Row[Any]]:
    """The oldest pending submissions of a workspace."""
    statement = (
        select(submissions)
        .where(
            submissions.c.platform == platform,
            submissions.c.workspace_id == workspace_id,
            submissions.c.status == PENDING,
        )
        .order_by(submissions.c.id)
        .limit(limit)
    )
    return list((await conn.execute(statement)).all())


async def get_pending(
    conn: AsyncConnection, platform: str, workspace_id: str, submission_id: int
) -> Row[Any] | None:
    """One pending submission of this workspace, locked for the decision (PostgreSQL)."""
    statement = (
        select(submissions)
        .where(
            submissions.c.id == submission_id,
            submissions.c.platform == platform,
            submissions.c.workspace_id == workspace_id,
            submissions.c.status == PENDING,
        )
        .with_for_update()
    )
    return (await conn.execute(statement)).first()


async def update_body(
    conn: AsyncConnection, submission_id: int, body: dict[str, Any], suggested: bool
) -> None:
    """Replace a pending submission's fields (an admin's edit)."""
    await conn.execute(
        update(submissions)
        .where(submissions.c.id == submission_id)
        .values(body=json.dumps(body), suggested=suggested)
    )


async def decide(
    conn: AsyncConnection,
    submission_id: int,
    status: str,
    *,
    by: str,
    now: datetime,
    reason: str | None = None,
    question_id: str | None = None,
) -> None:
    """Approve or reject a pending submission."""
    await conn.execute(
        update(submissions)
        .where(submissions.c.id == submission_id, submissions.c.status == PENDING)
        .values(status=status, decided_by=by, decided_at=now, reason=reason, question_id=question_id)
    )


async def untold(conn: AsyncConnection, platform: str, workspace_id: str, user_id: str) -> list[Row[Any]]:
    """A member's decided submissions whose outcome they have not been shown yet."""
    statement = (
        select(submissions)
        .where(
            submissions.c.platform == platform,
            submissions.c.workspace_id == workspace_id,
            submissions.c.user_id == user_id,
            submissions.c.status != PENDING,
            submissions.c.told_at.is_(None),
        )
        .order_by(submissions.c.id)
    )
    return list((await conn.execute(statement)).all())


async def mark_told(conn: AsyncConnection, ids: list[int], now: datetime) -> None:
    """Record that the submitters were told."""
    if ids:
        await conn.execute(update(submissions).where(submissions.c.id.in_(ids)).values(told_at=now))


async def get_submission(conn: AsyncConnection, submission_id: int) -> Row[Any] | None:
    """One submission by id."""
    return (await conn.execute(select(submissions).where(submissions.c.id == submission_id))).first()


async def mine(conn: AsyncConnection, platform: str, workspace_id: str, user_id: str) -> list[Row[Any]]:
    """A member's submissions, newest first (the last 20)."""
    statement = (
        select(submissions)
        .where(
            submissions.c.platform == platform,
            submissions.c.workspace_id == workspace_id,
            submissions.c.user_id == user_id,
        )
        .order_by(submissions.c.id.desc())
        .limit(20)
    )
    return list((await conn.execute(statement)).all())
