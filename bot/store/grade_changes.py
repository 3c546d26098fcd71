"""Changing a scored answer's verdict, and the log of such changes; the grades ``stats`` lists.

A change is a conditional update (compare and set): a regrade racing an appeal, or two admins at
once, never both apply. What a change recomputes is the rule of ``bot.grades.regrade``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.grading import Verdict
from bot.store.tables import answers, grade_changes, rounds


@dataclass(frozen=True)
class GradeChange:
    """One logged change of an answer's verdict: from what to what, by whom, and why."""

    id: int
    answer_id: int
    appeal_id: int | None  # the appeal it decided; None for an admin's regrade
    verdict_before: Verdict
    verdict_after: Verdict
    points_before: int
    points_after: int
    changed_by: str
    note: str
    changed_at: datetime


@dataclass(frozen=True)
class PastGrade:
    """A member's graded daily answer as ``stats`` lists it."""

    local_date: str
    question_id: str
    verdict: Verdict
    points: int


async def set_verdict(
    conn: AsyncConnection,
    answer_id: int,
    *,
    old_verdict: Verdict,
    old_points: int,
    verdict: Verdict,
    points: int,
) -> bool:
    """Change an answer's verdict and points if they are still what the caller read."""
    result = await conn.execute(
        update(answers)
        .where(
            answers.c.id == answer_id,
            answers.c.verdict == old_verdict.value,
            answers.c.points == old_points,
        )
        .values(verdict=verdict.value, points=points)
    )
    return bool(result.rowcount)


async def log_change(
    conn: AsyncConnection,
    answer_id: int,
    *,
    appeal_id: int | None,
    before: tuple[Verdict, int],
    after: tuple[Verdict, int],
    by: str,
    note: str,
    now: datetime,
) -> None:
    """Record one grade change: who, when, from what verdict and points to what."""
    await conn.execute(
        grade_changes.insert().values(
            answer_id=answer_id,
            appeal_id=appeal_id,
            verdict_before=before[0].value,
            verdict_after=after[0].value,
            points_before=before[1],
            points_after=after[1],
            changed_by=by,
            note=note,
            changed_at=now,
        )
    )


async def changes_of(conn: AsyncConnection, answer_id: int) -> list[GradeChange]:
    """The logged grade changes of an answer, oldest first."""
    statement = (
        select(grade_changes).where(grade_changes.c.answer_id == answer_id).order_by(grade_changes.c.id)
    )
    return [
        GradeChange(
            id=int(row.id),
            answer_id=int(row.answer_id),
            appeal_id=row.appeal_id,
            verdict_before=Verdict(row.verdict_before),
            verdict_after=Verdict(row.verdict_after),
            points_before=int(row.points_before),
            points_after=int(row.points_after),
            changed_by=str(row.changed_by),
            note=str(row.note or ""),
            changed_at=row.changed_at,
        )
        for row in await conn.execute(statement)
    ]


async def recent_grades(conn: AsyncConnection, user_pk: int, limit: int) -> list[PastGrade]:
    """A user's last ``limit`` graded daily answers, newest first."""
    statement = (
        select(rounds.c.local_date, rounds.c.question_id, answers.c.verdict, answers.c.points)
        .join(rounds, rounds.c.id == answers.c.round_id)
        .where(answers.c.user_pk == user_pk, rounds.c.scored.is_(True))
        .order_by(rounds.c.local_date.desc(), rounds.c.id.desc())
        .limit(limit)
    )
    return [
        PastGrade(str(row.local_date), str(row.question_id), Verdict(row.verdict), int(row.points))
        for row in await conn.execute(statement)
    ]
