"""Revealing a round: score it once, close the post, reply with the reference answer.

Scoring (points, streaks, standings) is one transaction guarded by the round's ``scored`` flag,
so it happens exactly once even if the reveal is retried after a crash; the reply carries the
idempotency key ``reveal-<round id>``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import round_question
from bot.bank.grading import Verdict
from bot.daily.posts import channel_ref, question_card, reveal_card
from bot.daily.scoring import next_streak, period_keys, points_for, stored_streak
from bot.logs import round_logged
from bot.ports import DeliveryError, MessageRef
from bot.practice.missed import cards_from_missed
from bot.standings.quotes import best_quotes, opted_out
from bot.store import answers as answer_store
from bot.store import channels as channel_store
from bot.store import rounds as round_store
from bot.store import standings as standing_store
from bot.store.tables import rounds

if TYPE_CHECKING:
    from bot.daily.engine import Rounds

log = logging.getLogger(__name__)


class Revealer:
    """The reveal half of the rounds logic."""

    def __init__(self, rounds_logic: Rounds) -> None:
        self.r = rounds_logic

    async def reveal_pending(self) -> None:
        """Reveal every open round past its reveal time (and resume reveals whose worker died)."""
        async with self.r.engine.connect() as conn:
            pending = await round_store.pending_reveals(conn, self.r.clock.now(), limit=10_000)
        for row in pending:
            await self.reveal_round(int(row.id))

    async def claim(self, round_id: int) -> int | None:
        """Claim the reveal of a round; returns the attempt number, None if someone else has it."""
        now = self.r.clock.now()
        until = now + self.r.config.lease
        async with self.r.engine.begin() as conn:
            result = await conn.execute(
                update(rounds)
                .where(rounds.c.id == round_id, rounds.c.state == round_store.OPEN, rounds.c.reveal_at <= now)
                .values(
                    state=round_store.REVEALING, lease_until=until, reply_attempts=rounds.c.reply_attempts + 1
                )
                .returning(rounds.c.reply_attempts)
            )
            row = result.first()
            if row is not None:
                return int(row[0])
            return await round_store.take_lease(
                conn, round_id, round_store.REVEALING, now, until, counter="reply_attempts"
            )

    @round_logged
    async def reveal_round(self, round_id: int) -> bool:
        """Reveal one round; True when it is now revealed."""
        attempt = await self.claim(round_id)
        if attempt is None:
            return False
        if self.r.judging is not None:  # network calls: before, never inside, the scoring transaction
            await self.r.judging.judge_round(round_id)
        async with self.r.engine.begin() as conn:
            await self._score(conn, round_id)
            round_row = await round_store.get_round(conn, round_id)
            assert round_row is not None
            channel = await channel_store.get_channel_by_pk(conn, round_row.channel_pk)
            answers = await answer_store.round_answers(conn, round_id)
            quotes = best_quotes(answers, await opted_out(conn, (a.user_pk for a in answers)))
        question = await round_question(self.r.engine, self.r.bank, channel.id, round_row.question_id)
        if round_row.message_id is not None:
            ref = MessageRef(channel_ref(channel), round_row.message_id, round_row.thread_id)
            await self.r.deliver(ref, question_card(round_row, question, closed=True))
            try:
                await self.r.messenger.reply(
                    ref,
                    reveal_card(round_row, question, answers, quotes),
                    key=f"reveal-{round_id}",
                    resend=attempt > 1,
                )
            except DeliveryError as exc:
                if not exc.permanent:
                    await self.r.record_failure(channel, round_id, attempt, exc)
                    return False
                await self.r.record_failure(channel, round_id, attempt, exc)
            except Exception as exc:
                await self.r.record_failure(channel, round_id, attempt, exc)
                return False
        async with self.r.engine.begin() as conn:
            done = await round_store.transition(
                conn,
                round_id,
                round_store.REVEALING,
                round_store.REVEALED,
                revealed_at=self.r.clock.now(),
                lease_until=None,
            )
        log.info("round %s revealed (%s answers)", round_id, len(answers))
        if done:
            self.r.metrics.revealed(channel.platform)
        self.r.changed()
        return done

    async def _score(self, conn: AsyncConnection, round_id: int) -> None:
        """Award points and streaks for a round, once (guarded by ``scored``)."""
        won = await conn.execute(
            update(rounds).where(rounds.c.id == round_id, rounds.c.scored.is_(False)).values(scored=True)
        )
        if not won.rowcount:
            return
        round_row = await round_store.get_round(conn, round_id)
        assert round_row is not None
        channel = await channel_store.get_channel_by_pk(conn, round_row.channel_pk)
        seq = int(channel.reveal_seq) + 1
        await channel_store.update_channel(conn, channel.id, reveal_seq=seq)
        await conn.execute(update(rounds).where(rounds.c.id == round_id).values(seq=seq))
        periods = period_keys(date.fromisoformat(round_row.local_date))
        scored = await answer_store.round_answers(conn, round_id)
        for answer in scored:
            await self._score_answer(conn, channel, answer, seq, periods)
        await cards_from_missed(conn, round_row.question_id, scored, self.r.clock.now(), channel.timezone)

    async def _score_answer(
        self,
        conn: AsyncConnection,
        channel: Row[Any],
        answer: Row[Any],
        seq: int,
        periods: dict[str, str],
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
