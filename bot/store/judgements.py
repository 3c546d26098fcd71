"""The judge's side of the answers table: which answers of a round still need a verdict, and
storing the verdicts (with feedback) before the round is scored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.grading import Verdict
from bot.store.tables import answers, rounds


@dataclass(frozen=True)
class ToJudge:
    """An open-mode round not scored yet: its question and the written answers not yet judged."""

    question_id: str
    answers: tuple[tuple[int, str], ...]  # (answer id, text)
    channel_pk: int = 0  # where a workspace question (``bank:id``) is looked up


@dataclass(frozen=True)
class Judgement:
    """A verdict to store on one answer, with the judge's feedback."""

    answer_id: int
    verdict: Verdict
    feedback: str


async def answers_to_judge(conn: AsyncConnection, round_id: int) -> ToJudge | None:
    """The round's written answers without a judge's verdict; None when the round is scored
    already or is a quiz."""
    round_row = (
        await conn.execute(
            select(rounds.c.question_id, rounds.c.mode, rounds.c.scored, rounds.c.channel_pk).where(
                rounds.c.id == round_id
            )
        )
    ).first()
    if round_row is None or round_row.scored or round_row.mode != "open":
        return None
    statement = (
        select(answers.c.id, answers.c.text)
        .where(answers.c.round_id == round_id, answers.c.text.is_not(None), answers.c.judged_at.is_(None))
        .order_by(answers.c.id)
    )
    rows = (await conn.execute(statement)).all()
    return ToJudge(
        str(round_row.question_id),
        tuple((int(r.id), str(r.text)) for r in rows),
        int(round_row.channel_pk),
    )


async def save_judgements(
    conn: AsyncConnection, round_id: int, judgements: list[Judgement], now: datetime
) -> int:
    """Store verdicts and feedback unless the round was scored meanwhile; returns how many.

    The no-op update holds the round row (PostgreSQL row lock, SQLite write lock) so a scoring
    transaction of another worker waits for these verdicts, or has already won and none are stored.
    """
    held = await conn.execute(
        update(rounds).where(rounds.c.id == round_id, rounds.c.scored.is_(False)).values(scored=False)
    )
    if not held.rowcount:
        return 0
    stored = 0
    for item in judgements:
        result = await conn.execute(
            update(answers)
            .where(answers.c.id == item.answer_id, answers.c.judged_at.is_(None))
            .values(verdict=item.verdict.value, feedback=item.feedback, judged_at=now)
        )
        stored += result.rowcount
    return stored
