"""Appeals, grade changes and the reads behind "My grade": every SQL statement of the feature.

An answer is looked up together with its round, channel and user, so a use case can check the
workspace of an id before it acts on it. Changes are conditional updates (compare and set), so
two admins deciding at once, or a regrade racing an appeal, never both apply.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dialect import insert_ignore, upsert_add
from bot.store.tables import answers, appeals, channels, grade_changes, rounds, standings, users

OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"
MAX_ID = 2**63 - 1  # the largest id either database stores; a larger (crafted) one finds nothing


def storable(row_id: int) -> bool:
    """Whether ``row_id`` can name a row at all (ids come from buttons and typed text)."""
    return 0 < row_id <= MAX_ID


def encode_key_points(labels: Sequence[str], found: Sequence[bool]) -> str:
    """The ``answers.key_points`` value: JSON ``[[point, found], ...]``."""
    return json.dumps([[label, bool(hit)] for label, hit in zip(labels, found, strict=False)])


def decode_key_points(value: str | None) -> list[tuple[str, bool]]:
    """The stored key points of an answer; empty for quiz picks and answers from before 0005."""
    if not value:
        return []
    try:
        return [(str(label), bool(hit)) for label, hit in json.loads(value)]
    except (ValueError, TypeError):
        return []


def _answer_scope() -> Any:
    """An answer with its round, channel and answerer, and its appeal if any."""
    return (
        select(
            answers,
            rounds.c.question_id,
            rounds.c.local_date,
            rounds.c.mode,
            rounds.c.seed,
            rounds.c.state.label("round_state"),
            rounds.c.scored,
            rounds.c.revealed_at,
            rounds.c.reveal_at,
            rounds.c.channel_pk,
            channels.c.platform,
            channels.c.workspace_id,
            channels.c.channel_id,
            users.c.user_id,
            users.c.display_name,
            appeals.c.id.label("appeal_id"),
            appeals.c.state.label("appeal_state"),
            appeals.c.reason.label("appeal_reason"),
            appeals.c.note.label("appeal_note"),
        )
        .join(rounds, rounds.c.id == answers.c.round_id)
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .join(users, users.c.id == answers.c.user_pk)
        .outerjoin(appeals, appeals.c.answer_id == answers.c.id)
    )


async def answer_by_id(conn: AsyncConnection, answer_id: int) -> Row[Any] | None:
    """One answer with its scope (round, channel, user, appeal)."""
    if not storable(answer_id):
        return None
    return (await conn.execute(_answer_scope().where(answers.c.id == answer_id))).first()


async def answer_of(conn: AsyncConnection, round_id: int, user_pk: int) -> Row[Any] | None:
    """A user's answer to a round with its scope."""
    statement = _answer_scope().where(answers.c.round_id == round_id, answers.c.user_pk == user_pk)
    return (await conn.execute(statement)).first()


async def appeal_by_id(conn: AsyncConnection, appeal_id: int) -> Row[Any] | None:
    """An appeal with its answer's scope (the answer columns, then ``appeal_*``)."""
    if not storable(appeal_id):
        return None
    statement = _answer_scope().where(appeals.c.id == appeal_id)
    return (await conn.execute(statement)).first()


async def round_answers(conn: AsyncConnection, round_id: int) -> list[Row[Any]]:
    """Every answer of a round with its scope, in answer order."""
    statement = _answer_scope().where(answers.c.round_id == round_id).order_by(answers.c.id)
    return list((await conn.execute(statement)).all())


async def open_appeals(conn: AsyncConnection, channel_pk: int) -> list[Row[Any]]:
    """The open appeals of a channel's rounds, oldest first."""
    statement = (
        _answer_scope()
        .add_columns(appeals.c.created_at.label("appealed_at"))
        .where(rounds.c.channel_pk == channel_pk, appeals.c.state == OPEN)
        .order_by(appeals.c.created_at, appeals.c.id)
    )
    return list((await conn.execute(statement)).all())


async def insert_appeal(
    conn: AsyncConnection, answer_id: int, reason: str, verdict: str, now: datetime
) -> int | None:
    """File an appeal; None when the answer already has one (the schema's UNIQUE decides)."""
    values = {
        "answer_id": answer_id,
        "reason": reason,
        "state": OPEN,
        "verdict_before": verdict,
        "verdict_after": None,
        "note": "",
        "created_at": now,
        "decided_at": None,
        "decided_by": None,
    }
    if not await insert_ignore(conn, appeals, values, ("answer_id",)):
        return None
    row = (await conn.execute(select(appeals.c.id).where(appeals.c.answer_id == answer_id))).one()
    return int(row.id)


async def close_appeal(
    conn: AsyncConnection,
    appeal_id: int,
    *,
    state: str,
    verdict_after: str | None,
    note: str,
    by: str,
    now: datetime,
) -> bool:
    """Decide an open appeal; False when it was no longer open (someone decided it first)."""
    result = await conn.execute(
        update(appeals)
        .where(appeals.c.id == appeal_id, appeals.c.state == OPEN)
        .values(state=state, verdict_after=verdict_after, note=note, decided_by=by, decided_at=now)
    )
    return bool(result.rowcount)


async def set_verdict(
    conn: AsyncConnection, answer_id: int, *, old_verdict: str, old_points: int, verdict: str, points: int
) -> bool:
    """Change an answer's verdict and points if they are still what the caller read."""
    result = await conn.execute(
        update(answers)
        .where(answers.c.id == answer_id, answers.c.verdict == old_verdict, answers.c.points == old_points)
        .values(verdict=verdict, points=points)
    )
    return bool(result.rowcount)


async def adjust_standings(
    conn: AsyncConnection,
    *,
    channel_pk: int,
    user_pk: int,
    platform: str,
    workspace_id: str,
    periods: dict[str, str],
    points: int,
    strong: int,
) -> None:
    """Add ``points`` and ``strong`` (either may be negative) to a user's totals in each period."""
    for window, period in periods.items():
        await upsert_add(
            conn,
            standings,
            {
                "channel_pk": channel_pk,
                "user_pk": user_pk,
                "platform": platform,
                "workspace_id": workspace_id,
                "window": window,
                "period": period,
                "points": points,
                "answers": 0,
                "strong": strong,
            },
            ("channel_pk", "user_pk", "window", "period"),
            {"points": points, "strong": strong},
        )


async def log_change(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """Record one grade change (who, when, from what to what)."""
    await conn.execute(grade_changes.insert().values(**values))


async def changes_of(conn: AsyncConnection, answer_id: int) -> list[Row[Any]]:
    """The logged grade changes of an answer, oldest first."""
    statement = (
        select(grade_changes).where(grade_changes.c.answer_id == answer_id).order_by(grade_changes.c.id)
    )
    return list((await conn.execute(statement)).all())


async def recent_grades(conn: AsyncConnection, user_pk: int, limit: int) -> list[Any]:
    """A user's last ``limit`` graded daily answers, newest first."""
    statement = (
        select(rounds.c.local_date, rounds.c.question_id, answers.c.verdict, answers.c.points)
        .join(rounds, rounds.c.id == answers.c.round_id)
        .where(answers.c.user_pk == user_pk, rounds.c.scored.is_(True))
        .order_by(rounds.c.local_date.desc(), rounds.c.id.desc())
        .limit(limit)
    )
    return list((await conn.execute(statement)).all())
