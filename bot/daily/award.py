"""Scoring a revealed round: points, streaks and standings for every answer, exactly once.

It runs inside the reveal's scoring transaction, guarded by the round's ``scored`` flag, so a
reveal retried after a crash scores nothing twice. Missed answers also become practice cards.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.grading import Verdict
from bot.daily.scoring import next_streak, period_keys, points_for, stored_streak
from bot.practice.missed import cards_from_missed
from bot.store import answers as answer_store
from bot.store import channels as channel_store
from bot.store import rounds as round_store
from bot.store import standings as standing_store
from bot.store.channels import Channel


class ScoredAnswer(Protocol):
    """What scoring reads of an answer."""

    @property
    def id(self) -> int: ...
    @property
    def user_pk(self) -> int: ...
    @property
    def verdict(self) -> str: ...


async def award_round(conn: AsyncConnection, round_id: int, now: datetime) -> None:
    """Award points and streaks for a round, once (guarded by ``scored``)."""
    if not await round_store.claim_scoring(conn, round_id):
        return
    round_ = await round_store.get_round(conn, round_id)
    assert round_ is not None
    channel = await channel_store.get_channel_by_pk(conn, round_.channel_pk)
    seq = channel.reveal_seq + 1
    await channel_store.update_channel(conn, channel.id, reveal_seq=seq)
    await round_store.set_seq(conn, round_id, seq)
    periods = period_keys(date.fromisoformat(round_.local_date))
    scored = await answer_store.round_answers(conn, round_id)
    for answer in scored:
        await _award_answer(conn, channel, answer, seq, periods)
    await cards_from_missed(conn, round_.question_id, scored, now, channel.timezone)


async def _award_answer(
    conn: AsyncConnection, channel: Channel, answer: ScoredAnswer, seq: int, periods: dict[str, str]
) -> None:
    previous = await standing_store.get_streak(conn, channel.id, answer.user_pk)
    streak = next_streak(stored_streak(previous) if previous else None, seq)
    verdict = Verdict(answer.verdict)
    points = points_for(verdict, streak.current)
    await answer_store.set_points(conn, answer.id, points)
    await standing_store.save_streak(
        conn,
        channel.id,
        answer.user_pk,
        streak.current,
        streak.best,
        streak.last_seq,
        freezes=streak.freezes,
        freezes_used=streak.used,
    )
    await standing_store.add_result(
        conn,
        channel_pk=channel.id,
        user_pk=answer.user_pk,
        platform=channel.platform,
        workspace_id=channel.workspace_id,
        periods=periods,
        points=points,
        strong=verdict is Verdict.STRONG,
    )
