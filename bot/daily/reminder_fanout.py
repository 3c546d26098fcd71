"""Sending reminders: exactly once per member and round, through restarts and several processes.

Each reminder is claimed (a ``reminders_sent`` row, unique per round and member) and committed
before it is sent, then marked sent. A process killed between the two leaves a claim whose lease
runs out; whoever runs next takes it over and re-sends with the same key and ``resend=True``, so
an adapter that can recognise the earlier send (Discord nonce, console transcript) shows it once.
A member who cannot be reached (left, DMs blocked) is skipped with a log line; other failures are
retried after the lease, ``MAX_FAILURES`` failed sends in all, never forever. A takeover from a
killed process is not a failure (a batch's outcomes are recorded after its sends, so one kill strands
the rest of the batch), but a send that keeps killing its process is given up after ``MAX_CLAIMS``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bank.catalog import SEPARATOR, workspace_question
from bot.bank.model import Bank
from bot.cards import Notice
from bot.daily.posts import MISSING_QUESTION
from bot.ports import ChannelRef, Clock, DeliveryError, Nudger
from bot.store import reminders as store
from bot.store.reminders import DueReminder, ReminderState
from bot.text.timeparse import format_duration

log = logging.getLogger(__name__)

BATCH = 50  # reminders claimed per transaction, then sent concurrently (the adapter paces them)
MAX_FAILURES = 3  # sends that failed in a live process
MAX_CLAIMS = 10  # claims in all, takeovers from killed processes included
EXCERPT = 200


def reminder_card(question: str, left: timedelta) -> Notice:
    """The private nudge: what is about to close, and how to answer."""
    excerpt = question if len(question) <= EXCERPT else question[: EXCERPT - 1].rstrip() + "…"
    minutes = max(int(left.total_seconds() // 60), 1)
    return Notice(
        f"The daily question is revealed in {format_duration(timedelta(minutes=minutes))} and you have "
        f"not answered yet: “{excerpt}” Answer where it was posted (`answer <text>` or the Answer "
        "button). `remind off` stops these reminders.",
        title="dailyq reminder",
    )


class ReminderFanout:
    """Finds due reminders, claims them and sends them through a ``Nudger``."""

    def __init__(
        self, engine: AsyncEngine, bank: Bank, nudger: Nudger, clock: Clock, lease: timedelta
    ) -> None:
        self.engine = engine
        self.bank = bank
        self.nudger = nudger
        self.clock = clock
        self.lease = lease

    async def next_due(self) -> datetime | None:
        """The next moment a reminder falls due (or an expired claim can be taken over)."""
        now = self.clock.now()
        async with self.engine.connect() as conn:
            waiting = await store.unclaimed(conn, now)
            stale = await store.next_lease_end(conn)
        moments = [r.reveal_at - timedelta(seconds=r.lead_s) for r in waiting]
        if stale is not None:
            moments.append(stale)
        return min(moments) if moments else None

    async def run_due(self, between: Callable[[], Awaitable[None]] | None = None) -> int:
        """Send every reminder due now; returns how many were sent. ``between`` runs after each
        batch (the dispatcher's due posts and reveals, so a long fan-out never delays them)."""
        sent = 0
        while True:
            now = self.clock.now()
            claimed = await self._claim_batch(now)
            if not claimed:
                return sent
            results = await asyncio.gather(*(self._send(item) for item in claimed))
            sent += sum(results)
            if between is not None:
                await between()

    async def _claim_batch(self, now: datetime) -> list[tuple[DueReminder, int]]:
        """Claim up to ``BATCH`` due reminders (retakes first) in one transaction."""
        until = now + self.lease
        claimed: list[tuple[DueReminder, int]] = []
        async with self.engine.begin() as conn:
            for expired in await store.expired_claims(conn, now):
                if len(claimed) >= BATCH:
                    break
                due = expired.reminder
                spent = expired.failures >= MAX_FAILURES or expired.attempts >= MAX_CLAIMS
                if not expired.round_open or not expired.still_wanted or spent:
                    log.warning(
                        "reminder for member %s in round %s given up after %s failed sends (%s claims)",
                        due.user_pk,
                        due.round_id,
                        expired.failures,
                        expired.attempts,
                    )
                    await store.finish(conn, due.round_id, due.user_pk, store.FAILED, now)
                elif await store.retake(conn, due.round_id, due.user_pk, expired.attempts, now, until):
                    claimed.append((due, expired.attempts + 1))
            for due in await store.unclaimed(conn, now):
                if len(claimed) >= BATCH:
                    break
                if due.reveal_at - timedelta(seconds=due.lead_s) > now:
                    continue
                if await store.claim(conn, due.round_id, due.user_pk, now, until):
                    claimed.append((due, 1))
        return claimed

    async def _question_text(self, row: DueReminder) -> str:
        """The round's question; a workspace one (``bank:id``) costs a query, a bundled one none."""
        if SEPARATOR not in row.question_id:
            bundled = self.bank.get(row.question_id)
            return bundled.question if bundled else ""
        async with self.engine.connect() as conn:
            question = await workspace_question(
                conn, self.bank, row.platform, row.workspace_id, row.question_id
            )
        return "" if question.question == MISSING_QUESTION else question.question

    async def _send(self, item: tuple[DueReminder, int]) -> bool:
        row, attempt = item
        card = reminder_card(await self._question_text(row), row.reveal_at - self.clock.now())
        ref = ChannelRef(row.platform, row.workspace_id, row.channel_id)
        try:
            await self.nudger.nudge(
                ref, row.user_id, card, key=f"remind-{row.round_id}-{row.user_pk}", resend=attempt > 1
            )
        except DeliveryError as exc:
            if not exc.permanent:
                log.warning(
                    "reminder for member %s in round %s failed (attempt %s): %s",
                    row.user_pk,
                    row.round_id,
                    attempt,
                    exc,
                )
                await self._failed(row)
                return False
            log.info("reminder for member %s in round %s skipped: %s", row.user_pk, row.round_id, exc)
            await self._finish(row, store.SKIPPED)
            return False
        except Exception as exc:
            log.warning(
                "reminder for member %s in round %s failed (attempt %s): %s",
                row.user_pk,
                row.round_id,
                attempt,
                exc,
            )
            await self._failed(row)
            return False
        await self._finish(row, store.SENT)
        return True

    async def _finish(self, row: DueReminder, state: ReminderState) -> None:
        async with self.engine.begin() as conn:
            await store.finish(conn, row.round_id, row.user_pk, state, self.clock.now())

    async def _failed(self, row: DueReminder) -> None:
        """Count the failed send; the claim's lease runs out and the next run retries it."""
        async with self.engine.begin() as conn:
            await store.record_failure(conn, row.round_id, row.user_pk, self.clock.now())
