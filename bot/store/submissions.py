"""Members' submissions in the database: the daily quota, add, the queue, decide, tell, forget."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import insert_ignore
from bot.store.tables import submission_quota, submissions


class SubmissionStatus(StrEnum):
    """Where a submission is: waiting for an admin, or decided."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


PENDING, APPROVED, REJECTED = SubmissionStatus.PENDING, SubmissionStatus.APPROVED, SubmissionStatus.REJECTED


@dataclass(frozen=True)
class Submission:
    """A member's submitted question (``body`` is its JSON) and what became of it."""

    id: int
    platform: str
    workspace_id: str
    user_id: str
    display_name: str
    credit: bool
    status: SubmissionStatus
    body: str
    suggested: bool
    duplicates: str
    reason: str | None
    question_id: str | None
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    told_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> Submission:
        """The record of a ``submissions`` row."""
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        return cls(**{**values, "status": SubmissionStatus(values["status"])})


async def add_submission(conn: AsyncConnection, values: dict[str, Any]) -> int:
    """Store a pending submission; its id."""
    result = await conn.execute(insert(submissions).values(status=PENDING, **values))
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


async def take_slot(
    conn: AsyncConnection, platform: str, workspace_id: str, user_id: str, day: date, limit: int
) -> bool:
    """Use one of the member's ``limit`` submissions of ``day``; False when none is left.

    The check and the increment are one conditional UPDATE, so two submits at once cannot both
    take the last slot (PostgreSQL re-checks ``used < limit`` after waiting for the row lock).
    Call in the transaction that stores the submission: a rollback gives the slot back."""
    keys = {"platform": platform, "workspace_id": workspace_id, "user_id": user_id, "day": day}
    await insert_ignore(conn, submission_quota, {**keys, "used": 0}, tuple(keys))
    result = await conn.execute(
        update(submission_quota)
        .where(*(submission_quota.c[name] == value for name, value in keys.items()))
        .where(submission_quota.c.used < limit)
        .values(used=submission_quota.c.used + 1)
    )
    return result.rowcount == 1


async def pending(conn: AsyncConnection, platform: str, workspace_id: str, limit: int) -> list[Submission]:
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
    return [Submission.from_row(row) for row in (await conn.execute(statement)).all()]


async def get_pending(
    conn: AsyncConnection, platform: str, workspace_id: str, submission_id: int
) -> Submission | None:
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
    row = (await conn.execute(statement)).first()
    return None if row is None else Submission.from_row(row)


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


async def untold(conn: AsyncConnection, platform: str, workspace_id: str, user_id: str) -> list[Submission]:
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
    return [Submission.from_row(row) for row in (await conn.execute(statement)).all()]


async def mark_told(conn: AsyncConnection, ids: list[int], now: datetime) -> None:
    """Record that the submitters were told."""
    if ids:
        await conn.execute(update(submissions).where(submissions.c.id.in_(ids)).values(told_at=now))


async def get_submission(conn: AsyncConnection, submission_id: int) -> Submission | None:
    """One submission by id."""
    row = (await conn.execute(select(submissions).where(submissions.c.id == submission_id))).first()
    return None if row is None else Submission.from_row(row)


async def mine(conn: AsyncConnection, platform: str, workspace_id: str, user_id: str) -> list[Submission]:
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
    return [Submission.from_row(row) for row in (await conn.execute(statement)).all()]


async def forget_member(
    conn: AsyncConnection, platform: str, workspace_id: str, user_id: str
) -> list[tuple[str, str]]:
    """Delete a member's pending and rejected submissions and quota rows; keep the approved ones
    with the member's id and name blanked (the question is the bank's now), and blank the member
    as the admin who decided others' submissions. Returns the
    (qualified question id, display name) of each approved question the member was credited for."""
    member = (
        (submissions.c.platform == platform)
        & (submissions.c.workspace_id == workspace_id)
        & (submissions.c.user_id == user_id)
    )
    credited = (
        await conn.execute(
            select(submissions.c.question_id, submissions.c.display_name).where(
                member, submissions.c.status == APPROVED, submissions.c.credit.is_(True)
            )
        )
    ).all()
    await conn.execute(delete(submissions).where(member, submissions.c.status != APPROVED))
    await conn.execute(update(submissions).where(member).values(user_id="", display_name="", credit=False))
    await conn.execute(  # an admin's decisions stay, without their id
        update(submissions)
        .where(
            submissions.c.platform == platform,
            submissions.c.workspace_id == workspace_id,
            submissions.c.decided_by == user_id,
        )
        .values(decided_by="")
    )
    await conn.execute(
        delete(submission_quota).where(
            submission_quota.c.platform == platform,
            submission_quota.c.workspace_id == workspace_id,
            submission_quota.c.user_id == user_id,
        )
    )
    return [(str(row.question_id), str(row.display_name)) for row in credited if row.question_id]
