"""Reminder settings (opt-in per member and channel) and the claims of reminders sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import rounds as round_store
from bot.store.dialect import insert_ignore, upsert_replace
from bot.store.tables import answers, channels, reminder_settings, reminders_sent, rounds, users


class ReminderState(StrEnum):
    """How a claimed reminder ended (or that it is still claimed)."""

    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"  # the member cannot be reached
    FAILED = "failed"  # given up


CLAIMED, SENT, SKIPPED, FAILED = (
    ReminderState.CLAIMED,
    ReminderState.SENT,
    ReminderState.SKIPPED,
    ReminderState.FAILED,
)


@dataclass(frozen=True)
class DueReminder:
    """A reminder that can be sent: which round, which member, where, and when it is due."""

    round_id: int
    user_pk: int
    user_id: str
    reveal_at: datetime
    question_id: str
    lead_s: int
    platform: str
    workspace_id: str
    channel_id: str


@dataclass(frozen=True)
class ExpiredClaim:
    """A claim whose lease ran out before its sender recorded how the send ended."""

    reminder: DueReminder
    round_open: bool
    still_wanted: bool  # the member's reminder is still on in that channel
    attempts: int  # times claimed, takeovers included
    failures: int  # sends that failed in a live process


def _due(row: Any, lead_s: int) -> DueReminder:
    return DueReminder(
        round_id=row.round_id,
        user_pk=row.user_pk,
        user_id=row.user_id,
        reveal_at=row.reveal_at,
        question_id=row.question_id,
        lead_s=lead_s,
        platform=row.platform,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
    )


async def set_lead(conn: AsyncConnection, user_pk: int, channel_pk: int, lead_s: int, now: datetime) -> None:
    """Turn a member's reminder on in a channel (or change how long before the reveal)."""
    await upsert_replace(
        conn,
        reminder_settings,
        {"user_pk": user_pk, "channel_pk": channel_pk, "lead_s": lead_s, "updated_at": now},
        ("user_pk", "channel_pk"),
    )


async def clear(conn: AsyncConnection, user_pk: int, channel_pk: int) -> bool:
    """Turn a member's reminder off in a channel; True if it was on."""
    result = await conn.execute(
        delete(reminder_settings).where(
            reminder_settings.c.user_pk == user_pk, reminder_settings.c.channel_pk == channel_pk
        )
    )
    return bool(result.rowcount)


async def get_lead(conn: AsyncConnection, user_pk: int, channel_pk: int) -> int | None:
    """A member's reminder lead in a channel, in seconds; None when off."""
    row = (
        await conn.execute(
            select(reminder_settings.c.lead_s).where(
                reminder_settings.c.user_pk == user_pk, reminder_settings.c.channel_pk == channel_pk
            )
        )
    ).first()
    return int(row.lead_s) if row is not None else None


def _candidates_query(now: datetime) -> Any:
    """Open rounds x opted-in members of their channel who have neither answered nor a claim."""
    return (
        select(
            rounds.c.id.label("round_id"),
            rounds.c.reveal_at,
            rounds.c.question_id,
            reminder_settings.c.user_pk,
            reminder_settings.c.lead_s,
            users.c.user_id,
            channels.c.platform,
            channels.c.workspace_id,
            channels.c.channel_id,
        )
        .join(reminder_settings, reminder_settings.c.channel_pk == rounds.c.channel_pk)
        .join(users, users.c.id == reminder_settings.c.user_pk)
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .outerjoin(
            answers, and_(answers.c.round_id == rounds.c.id, answers.c.user_pk == reminder_settings.c.user_pk)
        )
        .outerjoin(
            reminders_sent,
            and_(
                reminders_sent.c.round_id == rounds.c.id,
                reminders_sent.c.user_pk == reminder_settings.c.user_pk,
            ),
        )
        .where(
            rounds.c.state == round_store.OPEN,
            rounds.c.reveal_at > now,
            answers.c.id.is_(None),
            reminders_sent.c.round_id.is_(None),
        )
        .order_by(rounds.c.id, reminder_settings.c.user_pk)
    )


async def unclaimed(conn: AsyncConnection, now: datetime) -> list[DueReminder]:
    """Every reminder that could still be sent for the open rounds (due or not yet)."""
    return [_due(row, row.lead_s) for row in await conn.execute(_candidates_query(now))]


async def claim(conn: AsyncConnection, round_id: int, user_pk: int, now: datetime, until: datetime) -> bool:
    """Claim one reminder before sending it; False when it was claimed already (by anyone)."""
    return await insert_ignore(
        conn,
        reminders_sent,
        {
            "round_id": round_id,
            "user_pk": user_pk,
            "state": str(CLAIMED),
            "attempts": 1,
            "lease_until": until,
            "updated_at": now,
        },
        ("round_id", "user_pk"),
    )


async def expired_claims(conn: AsyncConnection, now: datetime) -> list[ExpiredClaim]:
    """Claims whose sender died before recording the outcome, with what a resend needs."""
    statement = (
        select(
            reminders_sent.c.round_id,
            reminders_sent.c.user_pk,
            reminders_sent.c.attempts,
            reminders_sent.c.failures,
            rounds.c.state.label("round_state"),
            rounds.c.reveal_at,
            rounds.c.question_id,
            reminder_settings.c.lead_s,
            users.c.user_id,
            channels.c.platform,
            channels.c.workspace_id,
            channels.c.channel_id,
        )
        .join(rounds, rounds.c.id == reminders_sent.c.round_id)
        .join(users, users.c.id == reminders_sent.c.user_pk)
        .join(channels, channels.c.id == rounds.c.channel_pk)
        .outerjoin(
            reminder_settings,
            and_(
                reminder_settings.c.user_pk == reminders_sent.c.user_pk,
                reminder_settings.c.channel_pk == rounds.c.channel_pk,
            ),
        )
        .where(reminders_sent.c.state == str(CLAIMED), reminders_sent.c.lease_until <= now)
        .order_by(reminders_sent.c.round_id, reminders_sent.c.user_pk)
    )
    return [
        ExpiredClaim(
            reminder=_due(row, row.lead_s or 0),
            round_open=row.round_state == str(round_store.OPEN) and row.reveal_at > now,
            still_wanted=row.lead_s is not None,
            attempts=row.attempts,
            failures=row.failures,
        )
        for row in await conn.execute(statement)
    ]


async def retake(
    conn: AsyncConnection, round_id: int, user_pk: int, attempts: int, now: datetime, until: datetime
) -> bool:
    """Take over an expired claim (one process wins); True when this caller has it."""
    result = await conn.execute(
        update(reminders_sent)
        .where(
            reminders_sent.c.round_id == round_id,
            reminders_sent.c.user_pk == user_pk,
            reminders_sent.c.state == str(CLAIMED),
            reminders_sent.c.attempts == attempts,
            reminders_sent.c.lease_until <= now,
        )
        .values(attempts=attempts + 1, lease_until=until, updated_at=now)
    )
    return bool(result.rowcount)


async def finish(
    conn: AsyncConnection, round_id: int, user_pk: int, state: ReminderState, now: datetime
) -> None:
    """Record how a claimed reminder ended: sent, skipped (unreachable) or failed (gave up)."""
    await conn.execute(
        update(reminders_sent)
        .where(reminders_sent.c.round_id == round_id, reminders_sent.c.user_pk == user_pk)
        .values(state=str(state), lease_until=None, updated_at=now)
    )


async def record_failure(conn: AsyncConnection, round_id: int, user_pk: int, now: datetime) -> None:
    """Count a send that failed in a live process; the claim stays, to be retried after its lease."""
    await conn.execute(
        update(reminders_sent)
        .where(
            reminders_sent.c.round_id == round_id,
            reminders_sent.c.user_pk == user_pk,
            reminders_sent.c.state == str(CLAIMED),
        )
        .values(failures=reminders_sent.c.failures + 1, updated_at=now)
    )


async def next_lease_end(conn: AsyncConnection) -> datetime | None:
    """When the earliest unfinished claim can be taken over."""
    statement = select(func.min(reminders_sent.c.lease_until)).where(reminders_sent.c.state == str(CLAIMED))
    value = (await conn.execute(statement)).scalar_one_or_none()
    return value if isinstance(value, datetime) else None
