"""Changing a revealed answer's verdict: points, standings and the log in one transaction.

What a change touches (the rules of ``bot.daily.scoring``): the answer's quality points are swapped
for those of the new verdict; the streak bonus it earned stays, because a streak counts rounds
answered, not their verdicts. The same difference goes into the player's standings of the
round's week, month and all-time periods (and the strong count moves with it), so every
leaderboard window agrees with the answers. Streaks, answer counts and other answers are
unchanged. The player is told privately afterwards; a failed notice is logged, the change stays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.bank.catalog import workspace_question
from bot.bank.grading import Verdict
from bot.cards import Notice, Tone
from bot.context import Context
from bot.daily.scoring import QUALITY_POINTS, period_keys
from bot.ports import UserRef
from bot.runtime import Runtime
from bot.store import grade_changes as change_store
from bot.store import standings as standing_store
from bot.store.appeals import ScopedAnswer

log = logging.getLogger(__name__)


class ChangeConflict(Exception):
    """The answer changed between reading and writing it (another admin); nothing was written."""


@dataclass(frozen=True)
class Change:
    """A verdict change that was written: before and after."""

    answer_id: int
    verdict_before: str
    verdict_after: str
    points_before: int
    points_after: int


def rescored(points: int, before: Verdict, after: Verdict) -> int:
    """An answer's points under a new verdict: the quality points swapped, the rest kept."""
    return points - QUALITY_POINTS[before] + QUALITY_POINTS[after]


async def apply_change(
    conn: AsyncConnection,
    answer: ScopedAnswer,
    verdict: Verdict,
    *,
    by: Context,
    note: str,
    appeal_id: int | None,
    now: datetime,
) -> Change:
    """Write a new verdict for a scored answer, its points and standings, and log it.

    Runs inside the caller's transaction; raises ``ChangeConflict`` (so the caller rolls back)
    when the answer is no longer what was read."""
    before = answer.verdict
    points = rescored(answer.points, before, verdict)
    written = await change_store.set_verdict(
        conn, answer.id, old_verdict=before, old_points=answer.points, verdict=verdict, points=points
    )
    if not written:
        raise ChangeConflict(answer.id)
    await standing_store.add_totals(  # a regrade moves points, never the answer count
        conn,
        channel_pk=answer.channel_pk,
        user_pk=answer.user_pk,
        platform=answer.platform,
        workspace_id=answer.workspace_id,
        periods=period_keys(date.fromisoformat(answer.local_date)),
        points=points - answer.points,
        answers=0,
        strong=int(verdict is Verdict.STRONG) - int(before is Verdict.STRONG),
    )
    await change_store.log_change(
        conn,
        answer.id,
        appeal_id=appeal_id,
        before=(before, answer.points),
        after=(verdict, points),
        by=by.user_id,
        note=note,
        now=now,
    )
    log.info(
        "answer %s regraded %s -> %s (%s -> %s points) by %s:%s:%s%s",
        answer.id,
        before.value,
        verdict.value,
        answer.points,
        points,
        by.platform,
        by.workspace_id,
        by.user_id,
        f" on appeal {appeal_id}" if appeal_id is not None else "",
    )
    return Change(answer.id, before.value, verdict.value, answer.points, points)


def player_of(answer: ScopedAnswer) -> UserRef:
    """Where to tell the player who wrote ``answer``."""
    return UserRef(answer.platform, answer.workspace_id, answer.user_id, answer.channel_id)


async def question_text(rt: Runtime, answer: ScopedAnswer) -> str:
    """The text of the question ``answer`` answered, bundled or from its workspace's banks."""
    async with rt.engine.connect() as conn:
        question = await workspace_question(
            conn, rt.bank, answer.platform, answer.workspace_id, answer.question_id
        )
    return question.question


def change_notice(
    question: str, answer: ScopedAnswer, change: Change, note: str, *, on_appeal: bool
) -> Notice:
    """What the player is told about a changed grade of their answer to ``question``."""
    how = "Your appeal was accepted" if on_appeal else "An admin regraded your answer"
    text = (
        f"{how} (round #{answer.round_id}, {answer.local_date}: {question})\n"
        f"Verdict: {change.verdict_before} \u2192 {change.verdict_after}; "
        f"points: {change.points_before} \u2192 {change.points_after}. Leaderboards are updated."
    )
    if note:
        text += f"\nNote: {note}"
    return Notice(text, Tone.SUCCESS, title="Your grade was changed")


def rejection_notice(question: str, answer: ScopedAnswer, note: str) -> Notice:
    """What the player is told about a rejected appeal on their answer to ``question``."""
    text = (
        f"Your appeal on round #{answer.round_id} ({answer.local_date}: {question}) was rejected: "
        f"your answer stays {answer.verdict} ({answer.points} points)."
    )
    if note:
        text += f"\nNote: {note}"
    return Notice(text, Tone.INFO, title="Appeal rejected")


async def tell_player(rt: Runtime, user: UserRef, card: Notice) -> bool:
    """Tell the player privately through the messenger; False (and a log line) if it failed."""
    try:
        await rt.messenger.tell(user, card)
    except Exception as exc:  # DeliveryError, or the platform failing otherwise: the change stays
        log.warning("could not tell %s:%s about a grade change: %s", user.platform, user.user_id, exc)
        return False
    return True
