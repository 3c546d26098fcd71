"""Points, streaks and leaderboard windows: the rules, as pure functions.

| what | points |
|---|---|
| answering a daily round | 10 |
| a strong answer (open mode) or the correct pick (quiz mode) | +10 |
| a partial answer (open mode) | +5 |
| streak bonus | +2 per consecutive round answered beyond the first, at most +10 |
| streak freeze | one earned per 7 rounds answered in a streak, at most 2 banked; a missed round uses one |

Solo practice never earns points. Streaks count consecutive *revealed* rounds of a channel that
the user answered; days without a round (unscheduled days, pauses, skipped questions) never break
a streak. A revealed round the user missed uses a banked freeze automatically: the streak goes on
(a frozen round does not count as answered, so it adds no length and no bonus). A miss with no
freeze left breaks the streak; when several rounds are missed in a row the freezes are used one
per round, so a gap longer than the bank uses them all and still breaks the streak. When a
user's answer comes after a miss, the miss is settled first, then the answer counts (and may
earn a freeze): a freeze can be used and earned in the same scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.bank.grading import Verdict
from bot.commands import Window

ANSWER_POINTS = 10
QUALITY_POINTS = {Verdict.STRONG: 10, Verdict.PARTIAL: 5, Verdict.MISSED: 0}
STREAK_STEP = 2
STREAK_CAP = 10
FREEZE_EVERY = 7
FREEZE_CAP = 2


@dataclass(frozen=True)
class Streak:
    """A user's streak in a channel after a round.

    ``current`` rounds answered in the streak, ``best`` ever, ``last_seq`` the last round the
    streak covers (answered or frozen), ``freezes`` banked and ``used`` in total."""

    current: int
    best: int
    last_seq: int
    freezes: int = 0
    used: int = 0


def settle(streak: Streak, seq: int) -> Streak:
    """The streak once every revealed round before ``seq`` is accounted for (misses use freezes)."""
    missed = seq - 1 - streak.last_seq
    if missed <= 0 or streak.current == 0:
        return streak
    if missed <= streak.freezes:
        return replace(streak, last_seq=seq - 1, freezes=streak.freezes - missed, used=streak.used + missed)
    return replace(streak, current=0, last_seq=seq - 1, freezes=0, used=streak.used + streak.freezes)


def next_streak(previous: Streak | None, seq: int, *, freeze_every: int = FREEZE_EVERY) -> Streak:
    """The streak after the user answered the round with reveal sequence number ``seq``."""
    before = settle(previous, seq) if previous is not None else Streak(0, 0, seq - 1)
    current = before.current + 1
    earned = int(current % freeze_every == 0 and before.freezes < FREEZE_CAP)
    return Streak(current, max(current, before.best), seq, before.freezes + earned, before.used)


def stored_streak(row: Any) -> Streak:
    """A ``Streak`` from a row of the streaks table."""
    return Streak(int(row.current), int(row.best), int(row.last_seq), int(row.freezes), int(row.freezes_used))


def streak_now(streak: Streak, channel_seq: int) -> Streak:
    """The streak as it stands after the channel's latest revealed round ``channel_seq``."""
    return settle(streak, channel_seq + 1)


def streak_bonus(current: int) -> int:
    """Bonus points for a streak of ``current`` rounds (capped)."""
    return min(STREAK_STEP * max(current - 1, 0), STREAK_CAP)


def points_for(verdict: Verdict, streak: int) -> int:
    """Points of one daily answer with the given verdict and the streak it extends."""
    return ANSWER_POINTS + QUALITY_POINTS[verdict] + streak_bonus(streak)


def period_keys(local_day: date) -> dict[str, str]:
    """The standings periods a round of ``local_day`` counts in, per window."""
    monday = local_day - timedelta(days=local_day.weekday())
    return {
        Window.WEEK.value: monday.isoformat(),
        Window.MONTH.value: local_day.strftime("%Y-%m"),
        Window.ALL.value: "all",
    }


def current_period(window: Window, now: datetime, timezone: str) -> str:
    """The period of ``window`` that contains ``now`` in the channel's time zone."""
    local_day = now.astimezone(ZoneInfo(timezone)).date()
    return period_keys(local_day)[window.value]


def window_title(window: Window, now: datetime, timezone: str) -> str:
    """A human title for a window, e.g. 'this week (from Mon 23 Nov)'."""
    local_day = now.astimezone(ZoneInfo(timezone)).date()
    if window is Window.WEEK:
        monday = local_day - timedelta(days=local_day.weekday())
        return f"this week (from Mon {monday:%d %b})"
    if window is Window.MONTH:
        return f"{local_day:%B %Y}"
    return "all time"
