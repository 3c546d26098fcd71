"""Appeals and the answers they are about: every SQL statement of the feature, as frozen records.

An answer is looked up together with its round, channel and user, so a use case can check the
workspace of an id before it acts on it. Deciding is a conditional update (compare and set), so
two admins deciding at once never both apply. Verdict changes themselves: ``bot.store.grade_changes``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.grading import Verdict
from bot.store.dialect import insert_ignore
from bot.store.tables import answers, appeals, channels, rounds, users

MAX_ID = 2**63 - 1  # the largest id either database stores; a larger (crafted) one finds nothing


class AppealState(StrEnum):
    """Where an appeal stands: waiting for an admin, or decided one way or the other (final)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Appeal:
    """A player's appeal of one answer's grade."""

    id: int
    state: AppealState
    reason: str
    note: str
    filed_at: datetime


@dataclass(frozen=True)
class ScopedAnswer:
    """A daily answer with what deciding about it needs: its round, channel, author and appeal."""

    id: int
    round_id: int
    user_pk: int
    text: str | None
    choice: int | None
    score: float
    verdict: Verdict
    points: int
    answered_at: datetime
    feedback: str | None
    key_points: tuple[tuple[str, bool], ...]  # as graded; empty for quiz picks and old answers
    question_id: str
    local_date: str
    mode: str
    seed: int
    scored: bool
    revealed_at: datetime | None
    reveal_at: datetime
    channel_pk: int
    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    display_name: str
    appeal: Appeal | None


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
            appeals.c.created_at.label("appeal_filed_at"),
        )
        .join(rounds, rounds.c.id == answers.c.round_id)
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .join(users, users.c.id == answers.c.user_pk)
        .outerjoin(appeals, appeals.c.answer_id == answers.c.id)
    )


def _scoped(row: Any) -> ScopedAnswer:
    appeal = None
    if row.appeal_id is not None:
        appeal = Appeal(
            int(row.appeal_id),
            AppealState(row.appeal_state),
            str(row.appeal_reason),
            str(row.appeal_note or ""),
            row.appeal_filed_at,
        )
    return ScopedAnswer(
        id=int(row.id),
        round_id=int(row.round_id),
        user_pk=int(row.user_pk),
        text=row.text,
        choice=row.choice,
        score=float(row.score),
        verdict=Verdict(row.verdict),
        points=int(row.points),
        answered_at=row.answered_at,
        feedback=row.feedback,
        key_points=tuple(decode_key_points(row.key_points)),
        question_id=str(row.question_id),
        local_date=str(row.local_date),
        mode=str(row.mode),
        seed=int(row.seed),
        scored=bool(row.scored),
        revealed_at=row.revealed_at,
        reveal_at=row.reveal_at,
        channel_pk=int(row.channel_pk),
        platform=str(row.platform),
        workspace_id=str(row.workspace_id),
        channel_id=str(row.channel_id),
        user_id=str(row.user_id),
        display_name=str(row.display_name),
        appeal=appeal,
    )


async def _first(conn: AsyncConnection, statement: Any) -> ScopedAnswer | None:
    row = (await conn.execute(statement)).first()
    return _scoped(row) if row is not None else None


async def answer_by_id(conn: AsyncConnection, answer_id: int) -> ScopedAnswer | None:
    """One answer with its scope (round, channel, user, appeal)."""
    if not storable(answer_id):
        return None
    return await _first(conn, _answer_scope().where(answers.c.id == answer_id))


async def answer_of(conn: AsyncConnection, round_id: int, user_pk: int) -> ScopedAnswer | None:
    """A user's answer to a round with its scope."""
    return await _first(
        conn, _answer_scope().where(answers.c.round_id == round_id, answers.c.user_pk == user_pk)
    )


async def appeal_by_id(conn: AsyncConnection, appeal_id: int) -> ScopedAnswer | None:
    """The answer an appeal is about, with its scope (``appeal`` is that appeal)."""
    if not storable(appeal_id):
        return None
    return await _first(conn, _answer_scope().where(appeals.c.id == appeal_id))


async def round_answers(conn: AsyncConnection, round_id: int) -> list[ScopedAnswer]:
    """Every answer of a round with its scope, in answer order."""
    statement = _answer_scope().where(answers.c.round_id == round_id).order_by(answers.c.id)
    return [_scoped(row) for row in await conn.execute(statement)]


async def open_appeals(conn: AsyncConnection, channel_pk: int) -> list[ScopedAnswer]:
    """The answers of a channel's rounds under an open appeal, the oldest appeal first."""
    statement = (
        _answer_scope()
        .where(rounds.c.channel_pk == channel_pk, appeals.c.state == AppealState.OPEN.value)
        .order_by(appeals.c.created_at, appeals.c.id)
    )
    return [_scoped(row) for row in await conn.execute(statement)]


async def insert_appeal(
    conn: AsyncConnection, answer_id: int, reason: str, verdict: Verdict, now: datetime
) -> int | None:
    """File an appeal; None when the answer already has one (the schema's UNIQUE decides)."""
    values = {
        "answer_id": answer_id,
        "reason": reason,
        "state": AppealState.OPEN.value,
        "verdict_before": verdict.value,
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
    state: AppealState,
    verdict_after: Verdict | None,
    note: str,
    by: str,
    now: datetime,
) -> bool:
    """Decide an open appeal; False when it was no longer open (someone decided it first)."""
    result = await conn.execute(
        update(appeals)
        .where(appeals.c.id == appeal_id, appeals.c.state == AppealState.OPEN.value)
        .values(
            state=state.value,
            verdict_after=verdict_after.value if verdict_after is not None else None,
            note=note,
            decided_by=by,
            decided_at=now,
        )
    )
    return bool(result.rowcount)
