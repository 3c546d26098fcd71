"""Parsing user-typed times, durations, time zones and weekday sets, with messages saying what is accepted."""

from __future__ import annotations

import re
from datetime import time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = frozenset(range(7))
WEEKDAYS_ONLY = frozenset(range(5))

_DURATION_PART = re.compile(r"(\d+)\s*([dhms])")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_HHMM = re.compile(r"^(\d{1,2})[:.h](\d{2})$")


class TimeInputError(ValueError):
    """User input that is not an accepted time, duration, zone or day set; the message says what is."""


def parse_duration(
    text: str, *, minimum: timedelta = timedelta(0), maximum: timedelta = timedelta(days=7)
) -> timedelta:
    """Parse ``4h``, ``30m``, ``1h30m``, ``90s``, ``1d`` into a timedelta within [minimum, maximum]."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _DURATION_PART.sub("", cleaned) != "":
        raise TimeInputError(
            f"'{text}' is not a duration: use a number with a unit, such as 30m, 4h, 1h30m or 1d"
        )
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(cleaned))
    value = timedelta(seconds=seconds)
    if not minimum <= value <= maximum:
        raise TimeInputError(
            f"'{text}' is out of range: a duration from {_fmt(minimum)} to {_fmt(maximum)} is accepted"
        )
    return value


def _fmt(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds and seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds and seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def format_duration(value: timedelta) -> str:
    """Render a duration the way users type it (``4h``, ``90m``, ``1d``)."""
    return _fmt(value)


def parse_hhmm(text: str) -> time:
    """Parse a 24-hour local time ``HH:MM`` (also ``9:30``)."""
    match = _HHMM.match(text.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise TimeInputError(f"'{text}' is not a time: use 24-hour HH:MM, such as 09:30 or 17:00")


def parse_timezone(text: str) -> str:
    """Check an IANA time zone name (``Europe/Berlin``, ``UTC``); returns its canonical spelling."""
    name = text.strip()
    if name.upper() == "UTC":
        return "UTC"
    candidates = {zone.lower(): zone for zone in available_timezones()}
    canonical = candidates.get(name.lower())
    if canonical is not None and ("/" in canonical or canonical == "GMT"):
        try:
            ZoneInfo(canonical)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return canonical
    near = nearest_timezones(name)
    hint = f" Did you mean {' or '.join(near)}?" if near else ""
    raise TimeInputError(
        f"'{text[:60]}' is not a time zone: use an IANA name such as Europe/Berlin, America/New_York "
        f"or UTC.{hint}"
    )


@cache
def _city_zones() -> tuple[str, ...]:
    skipped = ("Etc/", "SystemV", "posix", "right/")
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith(skipped)))


def nearest_timezones(text: str, limit: int = 3) -> list[str]:
    """Zone names whose city (or whole name) is, or is spelled close to, ``text``: berlin -> Europe/Berlin."""
    wanted = re.sub(r"[\s_-]+", " ", text.strip().lower())
    if not wanted:
        return []
    zones = _city_zones()
    cities = {z: z.rsplit("/", 1)[-1].replace("_", " ").lower() for z in zones}
    exact = sorted(z for z, city in cities.items() if city == wanted)
    if exact:
        return exact[:limit]
    scored = process.extract(wanted, cities, scorer=fuzz.ratio, limit=limit, score_cutoff=80)
    names = {z: z.lower().replace("_", " ") for z in zones}
    whole = process.extract(wanted, names, scorer=fuzz.ratio, limit=limit, score_cutoff=85)
    found: list[str] = []
    for _city, _score, zone in sorted(scored + whole, key=lambda hit: -hit[1]):
        if zone not in found:
            found.append(zone)
    return found[:limit]


def suggest_timezones(prefix: str, limit: int = 25) -> list[str]:
    """Time zone names containing ``prefix`` (case-insensitive), for autocomplete."""
    wanted = prefix.strip().lower()
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV")))
    zones.insert(0, "UTC")
    return [z for z in zones if wanted in z.lower()][:limit]


def parse_days(text: str) -> frozenset[int]:
    """Parse ``every``, ``weekdays``, ``weekends`` or a list such as ``mon,wed,fri`` into weekday numbers."""
    cleaned = text.strip().lower()
    if cleaned in {"every", "daily", "all", "everyday"}:
        return EVERY_DAY
    if cleaned in {"weekdays", "workdays"}:
        return WEEKDAYS_ONLY
    if cleaned in {"weekends", "weekend"}:
        return frozenset({5, 6})
    names = {name: i for i, name in enumerate(WEEKDAYS)}
    names.update({name: i for i, name in enumerate(_FULL_NAMES)})
    days: set[int] = set()
    for part in re.split(r"[,\s]+", cleaned):
        if part not in names:
            raise TimeInputError(
                f"'{text}' is not a set of days: use every, weekdays, weekends or a list such as mon,wed,fri"
            )
        days.add(names[part])
    return frozenset(days)


_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def format_days(days: frozenset[int]) -> str:
    """Render a weekday set the way users type it."""
    if days == EVERY_DAY:
        return "every day"
    if days == WEEKDAYS_ONLY:
        return "weekdays"
    return ",".join(WEEKDAYS[d] for d in sorted(days))


def days_to_cron(days: frozenset[int]) -> str:
    """APScheduler ``day_of_week`` expression for a weekday set."""
    return ",".join(WEEKDAYS[d] for d in sorted(days))
