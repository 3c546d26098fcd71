"""Seasons: the rules, as pure functions.

A workspace's seasons are calendar months (the default) or quarters, or off. A season is a set
of calendar months, so its board is the sum of the month standings the leaderboards already
keep (the month of a round is its local date in its channel's time zone): changing the length
never rewrites points, and a past season stays readable under either name (``2026-11``,
``2026-Q4``) whatever the length is now. A season ends at local midnight before the first day
of the next one, in each channel's own time zone.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum


class SeasonLength(StrEnum):
    """How long a workspace's seasons are."""

    MONTH = "month"
    QUARTER = "quarter"
    OFF = "off"


DEFAULT_LENGTH = SeasonLength.MONTH
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


class SeasonError(ValueError):
    """Text that names no season; the message says what is accepted."""


def season_of(day: date, length: SeasonLength) -> str:
    """The key of the season ``day`` is in: ``2026-11`` (month) or ``2026-Q4`` (quarter)."""
    if length is SeasonLength.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def parse_season(text: str) -> str:
    """A season key typed by a user, normalised (``2026-q4`` -> ``2026-Q4``)."""
    cleaned = text.strip()
    if _MONTH.match(cleaned):
        return cleaned
    quarter = _QUARTER.match(cleaned)
    if quarter:
        return f"{quarter.group(1)}-Q{quarter.group(2)}"
    raise SeasonError(
        f"'{cleaned[:20]}' is not a season: use a month like 2026-11 or a quarter like 2026-Q4."
    )


def first_day(key: str) -> date:
    """The first day of a season."""
    year, part = key.split("-")
    month = (int(part[1]) - 1) * 3 + 1 if part.startswith("Q") else int(part)
    return date(int(year), month, 1)


def months(key: str) -> tuple[str, ...]:
    """The month periods (``YYYY-MM``) a season sums."""
    start = first_day(key)
    count = 3 if "Q" in key else 1
    return tuple(_add_months(start, i).strftime("%Y-%m") for i in range(count))


def next_first_day(key: str) -> date:
    """The first day after a season (the first day of the next one)."""
    return _add_months(first_day(key), 3 if "Q" in key else 1)


def previous_season(key: str) -> str:
    """The season just before ``key``, of the same length."""
    start = first_day(key)
    back = _add_months(start, -3 if "Q" in key else -1)
    return season_of(back, SeasonLength.QUARTER if "Q" in key else SeasonLength.MONTH)


def title(key: str) -> str:
    """A human name: 'November 2026', 'Q4 2026 (Oct-Dec)'."""
    start = first_day(key)
    if "Q" in key:
        end = _add_months(start, 2)
        return f"{key[-2:]} {start.year} ({start:%b}-{end:%b})"
    return f"{start:%B %Y}"


def _add_months(day: date, count: int) -> date:
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)
