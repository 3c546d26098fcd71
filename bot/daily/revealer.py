"""Revealing rounds: claim the due reveals, score each once, close the post, reply with the answer.

Scoring (points, streaks, standings) is one transaction guarded by the round's ``scored`` flag,
so it happens exactly once even if the reveal is retried after a crash; the reply carries the
idempotency key ``reveal-<round id>``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bank.catalog import round_question
from bot.bank.model import Bank
from bot.cards import Card
from bot.daily.award import award_round
from bot.daily.changes import Changes
from bot.daily.failures import Failures
from bot.daily.policy import DailyConfig
from bot.daily.posts import question_card, reveal_card
from bot.logs import round_logged
from bot.ports import Clock, DeliveryError, MessageRef, Messenger, Metrics
from bot.standings.quotes import best_quotes, opted_out
from bot.store import answers as answer_store
from bot.store import channels as channel_store
from bot.store import rounds as round_store
from bot.store.rounds import REVEALED, REVEALING

if TYPE_CHECKING:
    from bot.grades.judging import RoundJudging

log = logging.getLogger(__name__)


class Revealer:
    """Reveals due rounds through a ``Messenger``, and closes the posts of skipped ones."""

    def __init__(
        self,
        engine: AsyncEngine,
        bank: Bank,
        messenger: Messenger,
        clock: Clock,
        config: DailyConfig,
        *,
        metrics: Metrics,
        failures: Failures,
        changes: Changes,
        judging: RoundJudging | None = None,
    ) -> None:
        self.engine = engine
        self.bank = bank
        self.messenger = messenger
        self.clock = clock
        self.config = config
        self.metrics = metrics
        self.failures = failures
        self.changes = changes
        self.judging = judging  # the optional judge, asked at the reveal before scoring

    async def reveal_due(self) -> None:
        """Reveal every open round past its reveal time (and resume reveals whose worker died)."""
        async with self.engine.connect() as conn:
            pending = await round_store.pending_reveals(conn, self.clock.now(), limit=10_000)
        for round_id in pending:
            await self.reveal_round(round_id)

    async def claim(self, round_id: int) -> int | None:
        """Claim the reveal of a round; returns the attempt number, None if someone else has it."""
        now = self.clock.now()
        async with self.engine.begin() as conn:
            return await round_store.claim_reveal(conn, round_id, now, now + self.config.lease)

    @round_logged
    async def reveal_round(self, round_id: int) -> bool:
        """Reveal one round; True when it is now revealed."""
        attempt = await self.claim(round_id)
        if attempt is None:
            return False
        if self.judging is not None:  # network calls: before, never inside, the scoring transaction
            await self.judging.judge_round(round_id)
        async with self.engine.begin() as conn:
            await award_round(conn, round_id, self.clock.now())
            round_ = await round_store.get_round(conn, round_id)
            assert round_ is not None
            channel = await channel_store.get_channel_by_pk(conn, round_.channel_pk)
            answers = await answer_store.round_answers(conn, round_id)
            quotes = best_quotes(answers, await opted_out(conn, (a.user_pk for a in answers)))
        question = await round_question(self.engine, self.bank, channel.id, round_.question_id)
        if round_.message_id is not None:
            ref = MessageRef(channel.ref, round_.message_id, round_.thread_id)
            await self.edit(ref, question_card(round_, question, closed=True))
            try:
                await self.messenger.reply(
                    ref,
                    reveal_card(round_, question, answers, quotes),
                    key=f"reveal-{round_id}",
                    resend=attempt > 1,
                )
            except DeliveryError as exc:
                await self.failures.record(channel, round_id, attempt, exc)
                if not exc.permanent:
                    return False
            except Exception as exc:
                await self.failures.record(channel, round_id, attempt, exc)
                return False
        async with self.engine.begin() as conn:
            done = await round_store.transition(
                conn, round_id, REVEALING, REVEALED, revealed_at=self.clock.now(), lease_until=None
            )
        log.info("round %s revealed (%s answers)", round_id, len(answers))
        if done:
            self.metrics.revealed(channel.platform)
        self.changes.changed()
        return done

    async def close_skipped(self, round_id: int) -> None:
        """Edit a skipped round's post so it no longer takes answers."""
        async with self.engine.connect() as conn:
            round_ = await round_store.get_round(conn, round_id)
            assert round_ is not None
            channel = await channel_store.get_channel_by_pk(conn, round_.channel_pk)
        if round_.message_id is None:
            return
        question = await round_question(self.engine, self.bank, channel.id, round_.question_id)
        card = question_card(round_, question, closed=True, notes=("Skipped by an admin: not scored.",))
        await self.edit(MessageRef(channel.ref, round_.message_id, round_.thread_id), card)

    async def edit(self, ref: MessageRef, card: Card) -> None:
        """Edit a message; a failure to edit never blocks a reveal (logged)."""
        try:
            await self.messenger.edit(ref, card)
        except Exception as exc:
            log.warning("could not edit message %s: %s", ref.message_id, exc)
