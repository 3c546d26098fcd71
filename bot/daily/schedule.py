"""A channel's daily schedule and the next moment it posts, DST-correct.

APScheduler's ``CronTrigger`` with zoneinfo finds the next matching local day and time. Two DST
cases are settled here on purpose:
- a local time that does not exist on a spring-forward day (02:30 when clocks jump 02:00 -> 03:00)
  posts once, at the first valid moment after the gap (03:00 local);
- a local time that happens twice on a fall-back day posts once, at the first occurrence: the next
  post is always looked for from the start of the following local day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.store.channels import Channel
from bot.text.timeparse import EVERY_DAY, WEEKDAYS, days_to_cron

DEFAULT_REVEAL_AFTER = timedelta(hours=8)
MIN_REVEAL = timedelta(minutes=1)
MAX_REVEAL = timedelta(days=7)


@dataclass(frozen=True)
class Schedule:
    """When and how a channel gets its daily question."""

    post_time: time
    timezone: str = "UTC"
    days: frozenset[int] = EVERY_DAY
    reveal_after: timedelta = DEFAULT_REVEAL_AFTER
    mode: str = "open"
    topics: tuple[str, ...] = field(default=())
    difficulty: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.timezone)

    def to_row(self) -> dict[str, object]:
        """Column values of ``channels`` for this schedule."""
        return {
            "post_time": self.post_time.strftime("%H:%M"),
            "timezone": self.timezone,
            "days": ",".join(WEEKDAYS[d] for d in sorted(self.days)),
            "reveal_after_s": int(self.reveal_after.total_seconds()),
            "mode": self.mode,
            "topics": json.dumps(list(self.topics)),
            "difficulty": self.difficulty,
        }

    @classmethod
    def from_channel(cls, channel: Channel) -> Schedule:
        """The schedule a channel has stored."""
        hour, minute = (int(part) for part in channel.post_time.split(":"))
        return cls(
            post_time=time(hour, minute),
            timezone=channel.timezone,
            days=frozenset(WEEKDAYS.index(d) for d in channel.days.split(",") if d),
            reveal_after=timedelta(seconds=channel.reveal_after_s),
            mode=str(channel.mode),
            topics=tuple(json.loads(channel.topics)),
            difficulty=channel.difficulty,
        )

    def local_date(self, moment: datetime) -> date:
        """The calendar date in the schedule's zone at ``moment``."""
        return moment.astimezone(UTC).astimezone(self.zone).date()

    def next_post(self, after: datetime) -> datetime:
        """The first scheduled post moment strictly after ``after`` (aware UTC)."""
        trigger = CronTrigger(
            hour=self.post_time.hour,
            minute=self.post_time.minute,
            day_of_week=days_to_cron(self.days),
            timezone=self.zone,
        )
        fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
        assert fire is not None  # a non-empty weekday set always fires again
        return self._settle_gap(fire).astimezone(UTC)

    def next_post_after_day(self, day: date, now: datetime) -> datetime:
        """The next post after local ``day`` has had its round, and not before ``now``."""
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
        start = max(next_midnight.astimezone(UTC), now)
        return self.next_post(start - timedelta(microseconds=1))

    def shortest_gap(self) -> timedelta:
        """The shortest time between two posts of this schedule, over a whole year.

        A reveal must come strictly before the next post, so it must be shorter than this. Days
        between scheduled weekdays give whole days; a clock change inside the gap shortens it by
        the zone's DST shift (23 h between two 09:00 posts in Berlin in March).
        """
        ordered = sorted(self.days)
        day_gaps = [(b - a) % 7 or 7 for a, b in zip(ordered, ordered[1:] + ordered[:1], strict=True)]
        gap = timedelta(days=min(day_gaps))
        offsets = {
            datetime(2026, month, 1, 12, tzinfo=UTC).astimezone(self.zone).utcoffset() for month in (1, 7)
        }
        if len(offsets) == 2:
            low, high = sorted(o for o in offsets if o is not None)
            gap -= high - low
        return gap

    def _settle_gap(self, fire: datetime) -> datetime:
        """Move a fire time that fell into a spring-forward gap to the end of the gap."""
        local = fire.astimezone(UTC).astimezone(self.zone)  # normalise an invalid wall time
        if (local.hour, local.minute) == (self.post_time.hour, self.post_time.minute):
            return fire
        wall = datetime.combine(local.date(), self.post_time, tzinfo=self.zone)
        earliest = wall.replace(fold=1).astimezone(UTC)
        latest = wall.replace(fold=0).astimezone(UTC)
        low, high = min(earliest, latest), max(earliest, latest)
        # the offset changes somewhere in (low, high]; find the first valid minute
        offset_before = low.astimezone(self.zone).utcoffset()
        moment = low
        while moment < high and moment.astimezone(self.zone).utcoffset() == offset_before:
            moment += timedelta(minutes=1)
        return moment
