"""Next post times: DST in Europe/Berlin and America/New_York, month and year ends, weekdays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.daily.schedule import Schedule
from bot.text.timeparse import WEEKDAYS_ONLY


def local_wall(moment: datetime, schedule: Schedule) -> tuple[date, time]:
    at = moment.astimezone(schedule.zone)
    return at.date(), at.time()


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        ("Europe/Berlin", date(2026, 3, 28), date(2026, 3, 30)),  # spring forward 29 Mar
        ("Europe/Berlin", date(2026, 10, 24), date(2026, 10, 26)),  # fall back 25 Oct
        ("America/New_York", date(2026, 3, 7), date(2026, 3, 9)),  # spring forward 8 Mar
        ("America/New_York", date(2026, 10, 31), date(2026, 11, 2)),  # fall back 1 Nov
    ],
)
def test_nine_oclock_stays_nine_oclock_across_dst(zone: str, before: date, after: date) -> None:
    schedule = Schedule(post_time=time(9, 0), timezone=zone)
    moment = datetime.combine(before, time(0), tzinfo=schedule.zone).astimezone(UTC)
    seen = []
    for _ in range(3):
        moment = schedule.next_post(moment)
        seen.append(local_wall(moment, schedule))
    assert [wall for _, wall in seen] == [time(9, 0)] * 3
    assert seen[0][0] == before and seen[2][0] == after
    utc_hours = {
        schedule.next_post(datetime.combine(d, time(0), tzinfo=schedule.zone).astimezone(UTC)).hour
        for d in (before, after)
    }
    assert len(utc_hours) == 2  # the UTC hour moved with the clocks


def test_spring_forward_gap_posts_once_at_the_next_valid_moment() -> None:
    schedule = Schedule(post_time=time(2, 30), timezone="Europe/Berlin")
    first = schedule.next_post(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert first.astimezone(schedule.zone).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 0)
    following = schedule.next_post_after_day(schedule.local_date(first), first)
    assert following.astimezone(schedule.zone).replace(tzinfo=None) == datetime(2026, 3, 30, 2, 30)


def test_fall_back_repeated_hour_posts_once() -> None:
    schedule = Schedule(post_time=time(2, 30), timezone="Europe/Berlin")
    first = schedule.next_post(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)
    following = schedule.next_post_after_day(schedule.local_date(first), first)
    assert schedule.local_date(following) == date(2026, 10, 26)


def test_month_and_year_end() -> None:
    schedule = Schedule(post_time=time(23, 30), timezone="Asia/Tokyo")
    moment = datetime(2026, 12, 30, 15, 0, tzinfo=UTC)  # 31 Dec 00:00 in Tokyo
    first = schedule.next_post(moment)
    second = schedule.next_post_after_day(schedule.local_date(first), first)
    assert schedule.local_date(first) == date(2026, 12, 31)
    assert schedule.local_date(second) == date(2027, 1, 1)


def test_weekdays_only_skips_the_weekend() -> None:
    schedule = Schedule(post_time=time(9, 0), timezone="America/New_York", days=WEEKDAYS_ONLY)
    friday = schedule.next_post(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert schedule.local_date(friday) == date(2026, 11, 27)
    monday = schedule.next_post_after_day(schedule.local_date(friday), friday)
    assert schedule.local_date(monday) == date(2026, 11, 30)
