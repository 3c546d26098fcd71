"""Points, streaks and leaderboard windows: the rules, as pure functions.

| what | points |
|---|---|
| answering a daily round | 10 |
| a strong answer (open mode) or the correct pick (quiz mode) | +10 |
| a partial answer (open mode) | +5 |
| streak bonus | +2 per consecutive round answered beyond the first, at most +10 |

Solo practice never earns points. Streaks count consecutive *revealed* rounds of a channel that
the user answered; days without a round (unscheduled days, pauses) never break a streak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.commands import Window
from bot.grading import Verdict

ANSWER_POINTS = 10
QUALITY_POINTS = {Verdict.STRONG: 10, Verdict.PARTIAL: 5, Verdict.MISSED: 0}
STREAK_STEP = 2
STREAK_CAP = 10


@dataclass(frozen=True)
class Streak:
    """A user's streak in a channel after a round: current length, best ever, last round seq."""

    current: int
    best: int
    last_seq: int


def next_streak(previous: Streak | None, seq: int) -> Streak:
    """The streak after the user answered the round with reveal sequence number ``seq``."""
    current = previous.current + 1 if previous is not None and previous.last_seq == seq - 1 else 1
    best = max(current, previous.best if previous else 0)
    return Streak(current, best, seq)


def live_streak(current: int, last_seq: int, channel_seq: int) -> int:
    """The streak as it stands now: broken when the user missed the channel's latest revealed round."""
    return current if last_seq >= channel_seq else 0


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
