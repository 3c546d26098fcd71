"""Who gets the champion and milestone roles: ties, a champion who defends the title, a refusal,
and milestones reached only through reveals (SQLite and PostgreSQL, the port recorded)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.app import App, build_app
from bot.bank.model import Bank
from bot.commands import ConfigureDaily, ConfigureRoles, SubmitAnswer
from bot.config import Settings
from bot.context import Context
from bot.ports import RoleProblem
from bot.store import roles as role_store
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger
from tests.support.roles import Crash, RecordingRoles

CHAMPION, STREAK = "700000000000000001", "700000000000000002"


def ctx(user: str, *, is_admin: bool = False) -> Context:
    return Context("discord", "G1", "C1", user, user, is_admin=is_admin)


async def rolling_app(
    db_url: str, bank: Bank, clock: FakeClock, messenger: RecordingMessenger, roles: RecordingRoles
) -> App:
    """An app on ``db_url`` whose Discord roles go to ``roles``."""
    return await build_app(Settings(database_url=db_url), messenger, clock, bank, roles=roles)


@pytest.fixture
async def rig(
    db_url: str, mini_bank: Bank
) -> AsyncIterator[tuple[App, FakeClock, RecordingMessenger, RecordingRoles]]:
    clock = FakeClock(datetime(2026, 10, 25, 8, 0, tzinfo=UTC))
    messenger, roles = RecordingMessenger(), RecordingRoles()
    app = await build_app(Settings(database_url=db_url), messenger, clock, mini_bank, roles=roles)
    admin = ctx("admin", is_admin=True)
    await app.service.handle(admin, ConfigureRoles("champion", f"<@&{CHAMPION}>"))
    await app.service.handle(admin, ConfigureRoles("streak7", STREAK))
    await app.service.handle(
        admin, ConfigureDaily(time(9, 0), timezone="UTC", reveal_after=timedelta(hours=4))
    )
    try:
        yield app, clock, messenger, roles
    finally:
        await app.close()


async def play(
    app: App, clock: FakeClock, messenger: RecordingMessenger, first: datetime, days: int, who: list[str]
) -> None:
    """Each day the post at 09:00, ``who`` answer right, the reveal at 13:00."""
    for day in range(days):
        clock.set(first + timedelta(days=day, hours=9))
        await app.dispatcher.run_due()
        question = app.bank.get(messenger.of_kind("post")[-1].card.question_id)  # type: ignore[union-attr]
        assert question is not None
        for user in who:
            await app.service.handle(ctx(user), SubmitAnswer(text=question.answer))
        clock.set(first + timedelta(days=day, hours=13))
        await app.dispatcher.run_due()


def day(month: int, d: int) -> datetime:
    return datetime(2026, month, d, tzinfo=UTC)


async def test_ties_share_the_role_a_defending_champion_keeps_it_and_milestones_wait_for_the_reveal(
    rig: tuple[App, FakeClock, RecordingMessenger, RecordingRoles],
) -> None:
    app, clock, messenger, roles = rig
    await play(app, clock, messenger, day(10, 25), 6, ["ann", "bob"])
    assert roles.calls == []  # a streak of 6
    clock.set(day(10, 31) + timedelta(hours=9))
    await app.dispatcher.run_due()
    question = app.bank.get(messenger.of_kind("post")[-1].card.question_id)  # type: ignore[union-attr]
    assert question is not None
    await app.service.handle(ctx("ann"), SubmitAnswer(text=question.answer))
    await app.dispatcher.run_due()
    assert roles.calls == []  # answered, not yet revealed: still 6
    clock.set(day(10, 31) + timedelta(hours=13))
    await app.dispatcher.run_due()
    assert roles.calls == [("grant", "G1", "ann", STREAK)]  # bob missed the 7th
    # October: ann 7 answers, bob 6; bob catches up on 1 November, too late for October
    clock.set(day(11, 1))
    await app.dispatcher.run_due()
    assert roles.calls[1:] == [("grant", "G1", "ann", CHAMPION)]
    # November: cy and dee tie (same answers, same streaks): both champions; ann loses the role
    await play(app, clock, messenger, day(11, 1), 2, ["cy", "dee"])
    clock.set(day(12, 1))
    await app.dispatcher.run_due()
    assert sorted(roles.calls[2:4]) == [("grant", "G1", "cy", CHAMPION), ("grant", "G1", "dee", CHAMPION)]
    assert roles.calls[4:] == [("revoke", "G1", "ann", CHAMPION)]
    # December: cy alone defends the title and keeps the role; dee loses it, once
    await play(app, clock, messenger, day(12, 1), 1, ["cy"])
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    await app.dispatcher.run_due()
    await app.dispatcher.run_due()
    assert roles.calls[5:] == [("grant", "G1", "cy", CHAMPION), ("revoke", "G1", "dee", CHAMPION)]


async def test_a_refused_grant_is_recorded_shown_and_not_repeated(
    rig: tuple[App, FakeClock, RecordingMessenger, RecordingRoles],
) -> None:
    app, clock, messenger, roles = rig
    roles.refuse = RoleProblem.TOO_HIGH
    await play(app, clock, messenger, day(10, 25), 7, ["ann", "bob"])  # both reach 7 at once
    assert roles.calls == [("grant", "G1", "ann", STREAK)]  # the first refusal stops the rest
    clock.set(day(11, 1))
    await app.dispatcher.run_due()
    assert roles.calls[1:] == [("grant", "G1", "ann", CHAMPION)]  # ann and bob tie; one try
    [post] = [s.card for s in messenger.sent if s.key.startswith("season-")]
    assert post.footer.endswith(  # type: ignore[union-attr]
        "Could not give the champion role: that role is above my highest role, so Discord does not "
        "let me give it. Drag my role above it in Server Settings > Roles, then set the role again "
        "with `daily roles`."
    )
    await play(app, clock, messenger, day(11, 1), 2, ["ann", "bob", "cy"])
    assert len(roles.calls) == 2  # nothing is tried again
    async with app.engine.connect() as conn:
        grants = await role_store.grants_of(conn)
    assert sorted((g.kind, g.user_id, g.state) for g in grants) == [
        ("champion", "ann", "failed"),
        ("champion", "bob", "failed"),
        ("streak7", "ann", "failed"),
        ("streak7", "bob", "failed"),
    ]
    shown = str(await app.service.handle(ctx("admin", is_admin=True), ConfigureRoles()))
    assert shown.count("above my highest role") == 2
    # fixed and set again: the missed champions get it at once, the milestones at the next run
    roles.refuse = None
    await app.service.handle(ctx("admin", is_admin=True), ConfigureRoles("champion", CHAMPION))
    assert sorted(roles.calls[2:]) == [("grant", "G1", "ann", CHAMPION), ("grant", "G1", "bob", CHAMPION)]
    await app.service.handle(ctx("admin", is_admin=True), ConfigureRoles("streak7", STREAK))
    await app.dispatcher.run_due()
    assert sorted(roles.calls[4:]) == [("grant", "G1", "ann", STREAK), ("grant", "G1", "bob", STREAK)]


async def test_a_process_dying_mid_grant_is_taken_over_after_the_lease(db_url: str, mini_bank: Bank) -> None:
    clock = FakeClock(datetime(2026, 10, 25, 8, 0, tzinfo=UTC))
    messenger, roles = RecordingMessenger(), RecordingRoles()
    first = await rolling_app(db_url, mini_bank, clock, messenger, roles)
    admin = ctx("admin", is_admin=True)
    await first.service.handle(admin, ConfigureRoles("champion", CHAMPION))
    await first.service.handle(
        admin, ConfigureDaily(time(9, 0), timezone="UTC", reveal_after=timedelta(hours=4))
    )
    await play(first, clock, messenger, day(10, 25), 2, ["ann"])
    roles.crash = True
    clock.set(day(11, 1))
    with pytest.raises(Crash):
        await first.dispatcher.run_due()
    await first.close()
    assert roles.calls == [("grant", "G1", "ann", CHAMPION)]  # it may or may not have arrived
    second = await rolling_app(db_url, mini_bank, clock, messenger, roles)
    try:
        await second.dispatcher.run_due()  # the lease of the dead process has not expired yet
        assert len(roles.calls) == 1
        clock.advance(timedelta(minutes=5))
        await second.dispatcher.run_due()
        await second.dispatcher.run_due()
        assert roles.calls == [("grant", "G1", "ann", CHAMPION)] * 2  # giving a role twice is harmless
        async with second.engine.connect() as conn:
            grants = await role_store.grants_of(conn)
        assert [(g.user_id, g.season, g.state) for g in grants] == [("ann", "2026-10", "granted")]
        assert len({s.message_id for s in messenger.sent if s.key.startswith("season-")}) == 1
    finally:
        await second.close()
