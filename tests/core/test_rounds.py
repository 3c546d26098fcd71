"""Daily rounds on a fake clock, on SQLite and PostgreSQL: exactly once, catch-up, DST, failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.cards import Notice, RevealCard, TableCard, Tone
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, SubmitAnswer
from bot.ports import DeliveryError
from tests.conftest import AppFactory, admin, member
from tests.core.rounds_helpers import local, posts, round_rows, run_at, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger, gone

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


async def test_posts_at_local_time_each_day_across_berlin_dst(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 3, 27, 12, 0))
    await schedule(app, "09:00", BERLIN)
    for day in (28, 29, 30):
        await run_at(app, clock, local(BERLIN, 2026, 3, day, 8, 59))
        assert len(posts(messenger)) == day - 28
        await run_at(app, clock, local(BERLIN, 2026, 3, day, 9, 0))
        assert len(posts(messenger)) == day - 27
    rows = await round_rows(app)
    assert [r.scheduled_for.astimezone(local(BERLIN, 2026, 1, 1).tzinfo).hour for r in rows] == [9, 9, 9]  # type: ignore[attr-defined]


async def test_new_york_fall_back_posts_once_at_nine(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(NEW_YORK, 2026, 10, 31, 12, 0))
    await schedule(app, "09:00", NEW_YORK)
    for hour in range(0, 24):
        await run_at(app, clock, local(NEW_YORK, 2026, 11, 1, hour, 0))
    assert len(posts(messenger)) == 1
    (row,) = await round_rows(app)
    assert row.scheduled_for == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)  # type: ignore[attr-defined]


async def test_spring_forward_gap_time_posts_once(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 3, 28, 12, 0))
    await schedule(app, "02:30", BERLIN)
    moment = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    while moment < datetime(2026, 3, 29, 6, 0, tzinfo=UTC):
        await run_at(app, clock, moment)
        moment += timedelta(minutes=15)
    assert len(posts(messenger)) == 1
    (row,) = await round_rows(app)
    assert row.scheduled_for == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # type: ignore[attr-defined]  # 03:00 CEST


async def test_two_channels_in_different_time_zones(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))
    await schedule(app, "09:00", BERLIN, channel="EU")
    await schedule(app, "09:00", NEW_YORK, channel="US")
    await run_at(app, clock, datetime(2026, 11, 25, 8, 0, tzinfo=UTC))  # 09:00 Berlin
    assert (len(posts(messenger, "EU")), len(posts(messenger, "US"))) == (1, 0)
    await run_at(app, clock, datetime(2026, 11, 25, 14, 0, tzinfo=UTC))  # 09:00 New York
    assert (len(posts(messenger, "EU")), len(posts(messenger, "US"))) == (1, 1)


async def test_weekdays_schedule_skips_the_weekend(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 27, 0, 0))  # Friday
    await schedule(app, "09:00", BERLIN, days="weekdays")
    for day in (27, 28, 29, 30):
        await run_at(app, clock, local(BERLIN, 2026, 11, day, 12, 0))
    rows = await round_rows(app)
    assert [r.local_date for r in rows] == ["2026-11-27", "2026-11-30"]  # type: ignore[attr-defined]


async def test_catch_up_inside_the_window_posts_late(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 24, 12, 0))
    await schedule(app, "09:00", BERLIN)
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 13, 0))  # down from 09:00 to 13:00
    (card,) = posts(messenger)
    assert card.late and any("late" in note for note in card.notes)


async def test_catch_up_outside_the_window_skips_to_next_day(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 24, 12, 0))
    await schedule(app, "09:00", BERLIN)
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 16, 0))  # 7 h late: over the 6 h window
    assert posts(messenger) == []
    await run_at(app, clock, local(BERLIN, 2026, 11, 26, 9, 0))
    assert len(posts(messenger)) == 1
    assert [r.local_date for r in await round_rows(app)] == ["2026-11-26"]  # type: ignore[attr-defined]


async def test_missed_reveal_happens_after_restart(
    make_app: AppFactory, db_url: str, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    first = await make_app(db_url)
    clock.set(local(BERLIN, 2026, 11, 25, 8, 0))
    await schedule(first, "09:00", BERLIN, reveal="4h")
    await run_at(first, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    await first.service.handle(member(), SubmitAnswer(text="an answer"))
    await first.close()
    second = await make_app(db_url)  # the bot was down through the reveal time
    await run_at(second, clock, local(BERLIN, 2026, 11, 25, 20, 0))
    reveals = [s.card for s in messenger.of_kind("reply") if isinstance(s.card, RevealCard)]
    assert len(reveals) == 1 and reveals[0].answered == 1
    assert [s.kind for s in messenger.sent].count("edit") == 1


async def test_pause_and_resume(app: App, clock: FakeClock, messenger: RecordingMessenger) -> None:
    clock.set(local(BERLIN, 2026, 11, 24, 12, 0))
    ctx = await schedule(app, "09:00", BERLIN)
    await app.service.handle(ctx, ManageDaily(DailyAction.PAUSE))
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    assert posts(messenger) == []
    clock.set(local(BERLIN, 2026, 11, 25, 12, 0))
    await app.service.handle(ctx, ManageDaily(DailyAction.RESUME))
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 23, 0))
    assert posts(messenger) == []  # no catch-up of a day missed while paused
    await run_at(app, clock, local(BERLIN, 2026, 11, 26, 9, 0))
    assert len(posts(messenger)) == 1


async def test_daily_now_counts_as_todays_round(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 25, 7, 0))
    ctx = await schedule(app, "09:00", BERLIN)
    reply = await app.service.handle(ctx, ManageDaily(DailyAction.NOW))
    assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.SUCCESS
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    assert len(posts(messenger)) == 1
    again = await app.service.handle(ctx, ManageDaily(DailyAction.NOW))
    assert isinstance(again.cards[0], Notice) and "already posted" in again.cards[0].text
    await run_at(app, clock, local(BERLIN, 2026, 11, 26, 9, 0))
    assert len(posts(messenger)) == 2


async def test_crash_between_claim_and_send_retries_with_same_key(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 25, 8, 0))
    await schedule(app, "09:00", BERLIN)
    messenger.fail_next.append(TimeoutError("platform did not answer"))
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    assert posts(messenger) == []
    (row,) = await round_rows(app)
    assert row.state == "claimed"  # type: ignore[attr-defined]
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 1))
    sent = messenger.of_kind("post")
    assert len(sent) == 1 and sent[0].resend and sent[0].key == f"post-{row.id}"  # type: ignore[attr-defined]


async def test_timer_and_tick_waking_together_reveal_once(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 25, 8, 0))
    await schedule(app, "09:00", BERLIN, reveal="1h")
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    await app.service.handle(member(), SubmitAnswer(text="some answer"))
    clock.set(local(BERLIN, 2026, 11, 25, 10, 0))
    await asyncio.gather(*(app.dispatcher.run_due() for _ in range(4)))
    assert len(messenger.of_kind("reply")) == 1
    (row,) = await round_rows(app)
    assert row.state == "revealed" and row.seq == 1  # type: ignore[attr-defined]


async def test_gone_channel_is_paused_and_status_says_why(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 25, 8, 0))
    ctx = await schedule(app, "09:00", BERLIN)
    messenger.fail_next.append(gone())
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    status = await app.service.handle(ctx, ManageDaily(DailyAction.STATUS))
    table = status.cards[0]
    assert isinstance(table, TableCard)
    assert ("state", "paused") in table.rows
    assert any(row[0] == "last error" and "Unknown Channel" in row[1] for row in table.rows)


async def test_channel_failing_for_a_day_is_paused(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 25, 8, 0))
    ctx = await schedule(app, "09:00", BERLIN)
    messenger.fail_next.extend(DeliveryError("503 from platform") for _ in range(100))
    moment = local(BERLIN, 2026, 11, 25, 9, 0)
    while moment < local(BERLIN, 2026, 11, 26, 10, 0):
        await run_at(app, clock, moment)
        moment += timedelta(minutes=15)
    status = await app.service.handle(ctx, ManageDaily(DailyAction.STATUS))
    assert isinstance(status.cards[0], TableCard) and ("state", "paused") in status.cards[0].rows
    assert len(messenger.fail_next) > 0  # it stopped trying, rather than retrying forever


async def test_non_admin_cannot_manage_the_schedule(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    from datetime import time

    for command in (
        ConfigureDaily(post_time=time(9, 0)),
        ManageDaily(DailyAction.NOW),
        ManageDaily(DailyAction.OFF),
    ):
        reply = await app.service.handle(member(), command)
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.ERROR
    status = await app.service.handle(member(), ManageDaily(DailyAction.STATUS))
    assert "no daily question" in str(status.cards[0])
    assert messenger.sent == []


async def test_no_repeat_until_the_bank_is_used_up(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    topic = "Time Series Analysis"  # 5 questions
    clock.set(local(BERLIN, 2026, 11, 1, 8, 0))
    from datetime import time

    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), timezone=BERLIN, topics=(topic,)))
    for day in range(1, 11):
        await run_at(app, clock, local(BERLIN, 2026, 11, day, 9, 0))
    ids = [card.question_id for card in posts(messenger)]
    assert len(ids) == 10
    assert len(set(ids[:5])) == 5 and len(set(ids[5:])) == 5
    assert any("left before the bank starts over" in note for note in posts(messenger)[4].notes)


async def test_skip_closes_unscored_and_posts_a_replacement(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 25, 8, 0))
    ctx = await schedule(app, "09:00", BERLIN)
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    await app.service.handle(member(), SubmitAnswer(text="an answer"))
    await app.service.handle(ctx, ManageDaily(DailyAction.SKIP))
    rows = await round_rows(app)
    assert [r.state for r in rows] == ["skipped", "open"]  # type: ignore[attr-defined]
    assert len(posts(messenger)) == 2 and posts(messenger)[0].question_id != posts(messenger)[1].question_id
    assert not rows[0].scored  # type: ignore[attr-defined]


async def test_paused_channel_gets_no_more_attempts_until_resumed(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 25, 8, 0))
    ctx = await schedule(app, "09:00", BERLIN)
    messenger.fail_next.append(gone())
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    messenger.fail_next.extend(gone() for _ in range(5))
    for hour in range(10, 14):
        await run_at(app, clock, local(BERLIN, 2026, 11, 25, hour, 0))
    assert len(messenger.fail_next) == 5  # nothing was tried while paused
    await app.service.handle(ctx, ManageDaily(DailyAction.RESUME))
    messenger.fail_next.clear()
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 14, 0))
    assert len(posts(messenger)) == 1  # within the catch-up window: today's post goes out late


async def test_resume_after_the_window_skips_the_stale_post(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 25, 8, 0))
    ctx = await schedule(app, "09:00", BERLIN)
    messenger.fail_next.append(gone())
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 9, 0))
    clock.set(local(BERLIN, 2026, 11, 25, 20, 0))
    await app.service.handle(ctx, ManageDaily(DailyAction.RESUME))
    await run_at(app, clock, local(BERLIN, 2026, 11, 25, 20, 1))
    assert posts(messenger) == []
    await run_at(app, clock, local(BERLIN, 2026, 11, 26, 9, 0))
    assert len(posts(messenger)) == 1
    assert [r.state for r in await round_rows(app)] == ["skipped", "open"]  # type: ignore[attr-defined]
