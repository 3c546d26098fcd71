"""The daily engine's timing rules: backoff, catch-up, when a failing channel is paused, and when a
champion post gives up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.daily.policy import (
    CHAMPION_ATTEMPTS,
    MAX_BACKOFF,
    DailyConfig,
    backoff,
    champion_retry,
    missed,
    setback,
)
from bot.ports import DeliveryError
from bot.store.channels import Channel
from bot.store.rounds import RoundMode

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CONFIG = DailyConfig(retry_base=timedelta(seconds=5), catchup=timedelta(hours=6), worker_id="test")
HEALTHY = Channel(
    id=7,
    platform="slack",
    workspace_id="T1",
    channel_id="C1",
    scheduled=True,
    paused=False,
    post_time="09:00",
    timezone="UTC",
    days="mon,tue,wed,thu,fri,sat,sun",
    reveal_after_s=8 * 3600,
    mode=RoundMode.OPEN,
    topics="[]",
    difficulty=None,
    next_post_at=NOW,
    cycle=1,
    reveal_seq=0,
    failures=0,
    failing_since=None,
    last_error=None,
    created_at=NOW - timedelta(days=30),
)


def test_backoff_doubles_from_the_base_and_stops_at_fifteen_minutes() -> None:
    base = timedelta(seconds=5)
    assert [backoff(n, base).total_seconds() for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 320, 640]
    assert backoff(9, base) == MAX_BACKOFF == timedelta(minutes=15)
    assert backoff(10_000, base) == MAX_BACKOFF  # a huge attempt count does not overflow
    assert backoff(0, base) == base


def test_a_post_is_skipped_only_when_later_than_the_catch_up_window() -> None:
    assert not missed(NOW - timedelta(hours=6), NOW, CONFIG)  # exactly at the edge: still sent
    assert missed(NOW - timedelta(hours=6, seconds=1), NOW, CONFIG)


def test_a_first_transient_failure_retries_and_starts_the_failure_record() -> None:
    result = setback(HEALTHY, 1, TimeoutError("platform timed out"), NOW, CONFIG)
    assert result.retry_at == NOW + timedelta(seconds=5)
    assert (result.failures, result.failing_since) == (1, NOW)
    assert result.last_error == "TimeoutError: platform timed out"
    assert (result.pause, result.paused) == (False, False)


def test_a_channel_failing_for_a_whole_day_is_paused_a_minute_less_is_not() -> None:
    failing = replace(HEALTHY, failures=40, failing_since=NOW - timedelta(days=1))
    almost = replace(failing, failing_since=NOW - timedelta(days=1) + timedelta(minutes=1))
    assert setback(failing, 41, TimeoutError("x"), NOW, CONFIG).pause
    kept = setback(almost, 41, TimeoutError("x"), NOW, CONFIG)
    assert not kept.pause and kept.failing_since == almost.failing_since and kept.failures == 41


def test_a_permanent_failure_pauses_at_once_and_a_paused_channel_stays_paused() -> None:
    gone = setback(HEALTHY, 1, DeliveryError("channel not found", permanent=True), NOW, CONFIG)
    assert (gone.pause, gone.paused) == (True, True)
    still = setback(replace(HEALTHY, paused=True), 2, DeliveryError("busy"), NOW, CONFIG)
    assert (still.pause, still.paused) == (False, True)


def test_a_long_error_is_cut_to_500_characters() -> None:
    assert len(setback(HEALTHY, 1, RuntimeError("e" * 2000), NOW, CONFIG).last_error) == 500


def test_a_champion_post_backs_off_then_gives_up_after_its_last_attempt() -> None:
    retries = [champion_retry(n, TimeoutError(), NOW, CONFIG) for n in range(1, CHAMPION_ATTEMPTS + 1)]
    assert retries == [NOW + timedelta(seconds=s) for s in (10, 20, 40, 80)] + [None]
    assert champion_retry(1, DeliveryError("gone", permanent=True), NOW, CONFIG) is None
