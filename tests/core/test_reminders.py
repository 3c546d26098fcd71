"""Opt-in reminders before the reveal: due once per member and round, only for who has not answered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.bank.commands import ImportBank
from bot.bank.model import Bank
from bot.cards import Card, Notice
from bot.commands import Remind, SubmitAnswer
from bot.config import Settings
from bot.ports import ChannelRef, DeliveryError, MessageRef
from bot.store.tables import reminder_settings, reminders_sent
from bot.text.grammar import parse
from tests.conftest import admin, member
from tests.core.rounds_helpers import local, posts, run_at, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger
from tests.support.nudger import RecordingNudger

ZONE = "Europe/Berlin"


@pytest.fixture
def nudger() -> RecordingNudger:
    return RecordingNudger()


@pytest.fixture
async def rapp(
    db_url: str, mini_bank: Bank, clock: FakeClock, messenger: RecordingMessenger, nudger: RecordingNudger
) -> AsyncIterator[App]:
    app = await build_app(Settings(database_url=db_url), messenger, clock, mini_bank, nudger=nudger)
    yield app
    await app.close()


async def open_round(app: App, clock: FakeClock) -> None:
    """C1 posts at 09:00 Berlin and reveals at 13:00."""
    clock.set(local(ZONE, 2026, 11, 25, 8, 0))
    await schedule(app, "09:00", ZONE, reveal="4h")
    await run_at(app, clock, local(ZONE, 2026, 11, 25, 9, 0))


async def say(app: App, user: str, line: str) -> str:
    reply = await app.service.handle(member(user=user, name=user), parse(line))
    card = reply.cards[0]
    assert isinstance(card, Notice)
    return card.text


async def claims(app: App) -> list[tuple[str, int]]:
    async with app.engine.connect() as conn:
        rows = (await conn.execute(select(reminders_sent.c.state, reminders_sent.c.attempts))).all()
    return sorted((r.state, r.attempts) for r in rows)


async def test_reminder_once_only_for_opted_in_members_who_have_not_answered(
    rapp: App, clock: FakeClock, messenger: RecordingMessenger, nudger: RecordingNudger
) -> None:
    assert "on" in await say(rapp, "bob", "remind on")  # default: 1 h before the reveal
    assert "30m before" in await say(rapp, "cy", "remind on 30m")
    await say(rapp, "dee", "remind on")
    assert await say(rapp, "dee", "remind off") == "Reminders off."
    await say(rapp, "ann", "remind on")
    await open_round(rapp, clock)
    await rapp.service.handle(member(user="ann", name="ann"), SubmitAnswer(text="an answer"))
    assert await rapp.dispatcher.next_wake() == local(ZONE, 2026, 11, 25, 12, 0)  # the timer wakes for it
    await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 11, 59))
    assert nudger.users() == []
    await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 12, 0))
    assert nudger.users() == ["bob"]
    (nudge,) = nudger.sent
    question = rapp.bank.get(posts(messenger)[0].question_id)
    assert question is not None and question.question[:50] in nudge.card.text  # type: ignore[union-attr]
    assert "revealed in 1h" in nudge.card.text and nudge.channel.channel_id == "C1"  # type: ignore[union-attr]
    assert nudge.resend is False and nudge.key.startswith("remind-")
    await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 12, 10))
    await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 12, 30))
    assert nudger.users() == ["bob", "cy"]  # cy at 30 min; bob not again
    await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 12, 45))
    assert nudger.users() == ["bob", "cy"]
    assert await claims(rapp) == [("sent", 1), ("sent", 1)]


async def test_answering_before_the_reminder_time_means_no_reminder(
    rapp: App, clock: FakeClock, nudger: RecordingNudger
) -> None:
    await say(rapp, "bob", "remind on 2h")
    await open_round(rapp, clock)
    await rapp.service.handle(member(user="bob", name="bob"), SubmitAnswer(text="done early"))
    for hour in (11, 12, 13, 14):
        await run_at(rapp, clock, local(ZONE, 2026, 11, 25, hour, 0))
    assert nudger.sent == [] and await claims(rapp) == []


async def test_unreachable_member_is_skipped_with_a_log_line_and_never_retried(
    rapp: App, clock: FakeClock, nudger: RecordingNudger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await say(rapp, "bob", "remind on")
    await say(rapp, "cy", "remind on")
    nudger.fail_for["bob"] = DeliveryError("cannot DM this member", permanent=True)
    await open_round(rapp, clock)
    for minute in (0, 5, 30, 59):
        await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 12, minute))
    assert [n.user_id for n in nudger.attempts] == ["bob", "cy"]
    assert nudger.users() == ["cy"]
    assert await claims(rapp) == [("sent", 1), ("skipped", 1)]
    assert any("skipped: cannot DM this member" in r.getMessage() for r in caplog.records)


async def test_a_flaky_platform_is_retried_after_the_lease_then_given_up(
    rapp: App, clock: FakeClock, nudger: RecordingNudger
) -> None:
    await say(rapp, "bob", "remind on")
    nudger.fail_for["bob"] = DeliveryError("HTTP 503")
    await open_round(rapp, clock)
    moment = local(ZONE, 2026, 11, 25, 12, 0)
    for _ in range(8):
        await run_at(rapp, clock, moment)
        moment += timedelta(seconds=31)  # past the 30 s lease
    assert [n.resend for n in nudger.attempts] == [False, True, True]  # three attempts in all
    assert await claims(rapp) == [("failed", 3)]


class Killed(BaseException):
    """The process dies mid-send: nothing after the nudge runs, not even an ``except Exception``."""


class DiesBeforeSending(RecordingNudger):
    """A nudger whose process is killed on the first ``deaths`` sends it is asked for."""

    def __init__(self, deaths: int) -> None:
        super().__init__()
        self.deaths = deaths

    async def nudge(
        self, channel: ChannelRef, user_id: str, card: Card, *, key: str, resend: bool = False
    ) -> None:
        if self.deaths:
            self.deaths -= 1
            raise Killed
        await super().nudge(channel, user_id, card, key=key, resend=resend)


async def test_a_claim_taken_over_from_killed_processes_is_still_sent(
    db_url: str, mini_bank: Bank, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    """Three kills in a row are not three failures: the fourth process sends the reminder."""
    nudger = DiesBeforeSending(deaths=3)
    app = await build_app(Settings(database_url=db_url), messenger, clock, mini_bank, nudger=nudger)
    try:
        await say(app, "bob", "remind on")
        await open_round(app, clock)
        moment = local(ZONE, 2026, 11, 25, 12, 0)
        for _ in range(3):
            with pytest.raises(Killed):
                await run_at(app, clock, moment)
            moment += timedelta(seconds=31)  # past the 30 s lease: the next process takes it over
        await run_at(app, clock, moment)
        assert nudger.users() == ["bob"]
        assert [n.resend for n in nudger.sent] == [True]
        assert await claims(app) == [("sent", 4)]
    finally:
        await app.close()


async def test_two_processes_send_each_reminder_once(
    db_url: str, mini_bank: Bank, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    nudgers = [RecordingNudger(), RecordingNudger()]
    apps = [
        await build_app(Settings(database_url=db_url), messenger, clock, mini_bank, nudger=n) for n in nudgers
    ]
    try:
        for n in range(120):
            await say(apps[0], f"m{n:03d}", "remind on")
        await open_round(apps[0], clock)
        clock.set(local(ZONE, 2026, 11, 25, 12, 0))
        await asyncio.gather(*(app.dispatcher.run_due() for app in apps))
        sent = nudgers[0].users() + nudgers[1].users()
        assert sorted(sent) == [f"m{n:03d}" for n in range(120)]
    finally:
        for app in apps:
            await app.close()


async def test_forget_me_deletes_reminder_settings_and_claims(
    rapp: App, clock: FakeClock, nudger: RecordingNudger
) -> None:
    await say(rapp, "bob", "remind on")
    await open_round(rapp, clock)
    await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 12, 0))
    assert nudger.users() == ["bob"]
    assert "reminders" in await say(rapp, "bob", "forget-me")  # asks first, naming them
    assert "reminders" in await say(rapp, "bob", "forget-me confirm")
    async with rapp.engine.connect() as conn:
        for table in (reminder_settings, reminders_sent):
            assert (await conn.execute(select(func.count()).select_from(table))).scalar_one() == 0


async def test_remind_status_and_bad_input(rapp: App) -> None:
    assert "off here" in await say(rapp, "bob", "remind")
    await say(rapp, "bob", "remind on 45m")
    assert "45m before the reveal" in await say(rapp, "bob", "remind")
    assert (await rapp.service.handle(member(user="bob"), Remind(on=False))).cards[0].text == "Reminders off."  # type: ignore[union-attr]
    for bad in ("remind on 1m", "remind on 2d", "remind maybe", "remind on soon"):
        with pytest.raises(ValueError, match="remind on 30m"):
            parse(bad)


class SlowNudger(RecordingNudger):
    """Each reminder takes two (fake) seconds, as a paced platform would; logs into ``events``."""

    def __init__(self, clock: FakeClock, events: list[str]) -> None:
        super().__init__()
        self.clock = clock
        self.events = events

    async def nudge(
        self, channel: ChannelRef, user_id: str, card: Card, *, key: str, resend: bool = False
    ) -> None:
        """Record the reminder after two seconds."""
        self.clock.advance(timedelta(seconds=2))
        self.events.append(f"remind {user_id}")
        await super().nudge(channel, user_id, card, key=key, resend=resend)


class LoggingMessenger(RecordingMessenger):
    """A recording messenger that also logs its replies (reveals) into a shared list."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    async def reply(self, message: MessageRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Record a reveal."""
        self.events.append(f"reveal {message.channel.channel_id}")
        return await super().reply(message, card, key=key, resend=resend)


async def test_a_reveal_due_during_a_long_reminder_fan_out_is_not_held_up(
    db_url: str, mini_bank: Bank, clock: FakeClock
) -> None:
    events: list[str] = []
    nudger = SlowNudger(clock, events)
    app = await build_app(
        Settings(database_url=db_url), LoggingMessenger(events), clock, mini_bank, nudger=nudger
    )
    try:
        clock.set(local(ZONE, 2026, 11, 25, 8, 0))
        await schedule(app, "09:00", ZONE, reveal="4h")
        await schedule(app, "09:00", ZONE, reveal="3h1m", channel="C2")  # reveals at 12:01
        for n in range(150):
            await say(app, f"m{n:03d}", "remind on")
        await run_at(app, clock, local(ZONE, 2026, 11, 25, 9, 0))
        await run_at(app, clock, local(ZONE, 2026, 11, 25, 12, 0))  # 150 reminders x 2 s = 5 min
        assert len(nudger.sent) == 150
        reveal = events.index("reveal C2")
        # due at 12:01, revealed after the first batch of 50 reminders (12:01:40), not after all 150
        assert events[:reveal] == [f"remind m{n:03d}" for n in range(50)]
    finally:
        await app.close()


async def test_a_reminder_quotes_a_workspace_question(
    rapp: App, clock: FakeClock, messenger: RecordingMessenger, nudger: RecordingNudger
) -> None:
    markdown = "### Graphs\n\n1. **What is a spanning tree?**\n   - A tree that reaches every vertex.\n"
    await rapp.service.handle(admin(), ImportBank("graphs.md", markdown.encode()))
    await say(rapp, "bob", "remind on")
    clock.set(local(ZONE, 2026, 11, 25, 8, 0))
    await rapp.service.handle(admin(), parse(f"daily set 09:00 {ZONE} reveal 4h banks graphs"))
    await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 9, 0))
    assert posts(messenger)[-1].question_id == "graphs:spanning-tree"
    await run_at(rapp, clock, local(ZONE, 2026, 11, 25, 12, 0))
    [nudge] = nudger.sent
    assert isinstance(nudge.card, Notice) and "\u201cWhat is a spanning tree?\u201d" in nudge.card.text
