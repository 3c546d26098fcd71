"""Teams: admins define them, the team board ranks points per active member, stats shows the
rank, and the board equals a brute-force recomputation from the answers table (hypothesis)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App, build_app
from bot.bank.model import Bank
from bot.cards import Notice, StatsCard, TableCard, Tone
from bot.commands import (
    Ask,
    DailyAction,
    ManageDaily,
    ManageTeam,
    ShowStats,
    ShowTeamBoard,
    SubmitAnswer,
    TeamAction,
    Window,
)
from bot.config import Settings
from bot.context import Context
from bot.daily.scoring import current_period, period_keys
from bot.store.tables import answers, channels, rounds, team_members, teams
from bot.text.grammar import CommandError, parse
from tests.conftest import admin, member
from tests.core.rounds_helpers import posts, schedule
from tests.support.clock import FakeClock
from tests.support.databases import sqlite_url
from tests.support.messenger import RecordingMessenger


def test_team_grammar() -> None:
    assert parse("team add data @ann <@U9>") == ManageTeam(TeamAction.ADD, "data", ("@ann", "<@U9>"))
    assert parse("team remove data") == ManageTeam(TeamAction.REMOVE, "data")
    assert parse("team list") == parse("team") == ManageTeam(TeamAction.LIST)
    assert parse("leaderboard teams month") == ShowTeamBoard("month")
    with pytest.raises(CommandError, match="leaderboard teams"):
        parse("leaderboard teams yearly")
    with pytest.raises(CommandError, match="team add <name>"):
        parse("team add")


async def round_with(
    app: App, messenger: RecordingMessenger, channel: str, strong: list[str], missed: list[str]
) -> None:
    """Post a round now in ``channel``, let users answer (strong or missed), reveal it."""
    ctx = await schedule(app, "09:00", "UTC", channel=channel)
    await app.service.handle(ctx, ManageDaily(DailyAction.NOW))
    question = app.bank.get(posts(messenger, channel)[-1].question_id)
    assert question is not None
    for user in strong + missed:
        text = question.answer if user in strong else "nothing relevant"
        await app.service.handle(member(channel=channel, user=user, name=user), SubmitAnswer(text=text))
    await app.service.handle(admin(channel=channel), ManageDaily(DailyAction.REVEAL))


async def test_admins_define_teams_and_the_board_is_points_per_active_member(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    for who in ("ann", "bob", "cy", "dee"):
        await mini_app.service.handle(member(user=who, name=who), Ask())  # they have played once
    refused = await mini_app.service.handle(member(), ManageTeam(TeamAction.ADD, "data", ("ann",)))
    assert isinstance(refused.cards[0], Notice) and refused.cards[0].tone is Tone.ERROR
    made = await mini_app.service.handle(
        admin(), ManageTeam(TeamAction.ADD, "Data", ("@ann", "bob", "<@dee>"))
    )
    assert str(made.cards[0].text) == "Team Data: added ann, bob, dee."  # type: ignore[union-attr]
    await mini_app.service.handle(admin(), ManageTeam(TeamAction.ADD, "ops", ("cy",)))
    twice = await mini_app.service.handle(admin(), ManageTeam(TeamAction.ADD, "ops", ("ann", "nobody")))
    assert "No player called 'nobody'" in str(twice.cards[0])
    moved = await mini_app.service.handle(admin(), ManageTeam(TeamAction.ADD, "ops", ("ann",)))
    assert "one team only: ann (in Data)" in str(moved.cards[0]) and "Nothing was changed" in str(
        moved.cards[0]
    )
    # ann and bob answer for Data (dee never does), cy for ops
    await round_with(mini_app, messenger, "C1", strong=["ann", "cy"], missed=["bob"])
    card = (await mini_app.service.handle(member(), ShowTeamBoard("all"))).cards[0]
    assert isinstance(card, TableCard) and card.title == "Teams: all time"
    # Data: (20 + 10) / 2 active = 15.0 (dee is not active); ops: 20 / 1
    assert card.rows == (("1", "ops", "20.0", "20", "1 of 1"), ("2", "Data", "15.0", "30", "2 of 3"))
    assert card.footer.startswith("Score: points in the window / active members")
    stats = (await mini_app.service.handle(member(user="bob", name="bob"), ShowStats())).cards[0]
    assert isinstance(stats, StatsCard)
    assert stats.team == "Data: #2 of 2 teams, all time (15.0 per active member)"
    listed = (await mini_app.service.handle(member(), ManageTeam(TeamAction.LIST))).cards[0]
    assert isinstance(listed, TableCard) and listed.rows == (("Data", "ann, bob, dee"), ("ops", "cy"))
    await mini_app.service.handle(admin(), ManageTeam(TeamAction.REMOVE, "data", ("dee",)))
    await mini_app.service.handle(admin(), ManageTeam(TeamAction.REMOVE, "ops"))
    after = (await mini_app.service.handle(member(), ManageTeam(TeamAction.LIST))).cards[0]
    assert isinstance(after, TableCard) and after.rows == (("Data", "ann, bob"),)


# -- the board equals a brute force over the answers table ---------------------------------------


@pytest.fixture
def driven(
    tmp_path: Path, mini_bank: Bank
) -> Iterator[tuple[asyncio.AbstractEventLoop, App, FakeClock, RecordingMessenger]]:
    """An app on a real SQLite file, driven from a plain (hypothesis) test through its own loop."""
    loop = asyncio.new_event_loop()
    clock, messenger = FakeClock(datetime(2026, 11, 2, 8, 0, tzinfo=UTC)), RecordingMessenger()
    app = loop.run_until_complete(
        build_app(Settings(database_url=sqlite_url(tmp_path)), messenger, clock, mini_bank)
    )
    yield loop, app, clock, messenger
    loop.run_until_complete(app.close())
    loop.close()


EXAMPLE = itertools.count()
USERS = ["u1", "u2", "u3", "u4", "u5"]
ROUNDS = st.lists(
    st.tuples(
        st.integers(0, 20), st.dictionaries(st.sampled_from(USERS), st.sampled_from(["strong", "missed"]))
    ),
    min_size=1,
    max_size=4,
)


async def brute_force(
    app: App, workspace: str, window: str, now: datetime
) -> list[tuple[str, Fraction, int, int]]:
    """(team, score, points, active) from answers, rounds, channels and team rows only."""
    async with app.engine.connect() as conn:
        scored = (
            await conn.execute(
                select(answers.c.user_pk, answers.c.points, rounds.c.local_date, channels.c.timezone)
                .join(rounds, rounds.c.id == answers.c.round_id)
                .join(channels, channels.c.id == rounds.c.channel_pk)
                .where(channels.c.workspace_id == workspace, rounds.c.scored.is_(True))
            )
        ).all()
        membership = (
            await conn.execute(
                select(teams.c.name, team_members.c.user_pk)
                .select_from(teams)
                .outerjoin(team_members, team_members.c.team_id == teams.c.id)
                .where(teams.c.workspace_id == workspace)
            )
        ).all()
    points: dict[int, int] = {}
    for row in scored:
        local = datetime.fromisoformat(row.local_date).date()
        if period_keys(local)[window] == current_period(Window(window), now, row.timezone):
            points[row.user_pk] = points.get(row.user_pk, 0) + int(row.points)
    result = []
    for name in sorted({m.name for m in membership}):
        pks = [m.user_pk for m in membership if m.name == name and m.user_pk is not None]
        active = [pk for pk in pks if pk in points]
        total = sum(points[pk] for pk in active)
        result.append((name, Fraction(total, len(active)) if active else Fraction(0), total, len(active)))
    return sorted(result, key=lambda t: (-t[1], t[0]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=ROUNDS,
    teams_of=st.dictionaries(st.sampled_from(USERS), st.sampled_from(["red", "blue", "green"])),
    window=st.sampled_from(["week", "month", "all"]),
)
def test_team_board_equals_a_brute_force_from_the_answers(
    driven: tuple[asyncio.AbstractEventLoop, App, FakeClock, RecordingMessenger],
    plan: list[tuple[int, dict[str, str]]],
    teams_of: dict[str, str],
    window: str,
) -> None:
    loop, app, clock, messenger = driven
    n = next(EXAMPLE)
    workspace, start = f"W{n}", datetime(2026, 11, 2, 8, 0, tzinfo=UTC) + timedelta(days=40 * n)

    def ctx(user: str, channel: str, is_admin: bool = False) -> Context:
        return Context("test", workspace, channel, user, user, is_admin=is_admin)

    async def scenario() -> None:
        for index, (day, who) in enumerate(sorted(plan, key=lambda p: p[0])):
            channel = f"C{index}"
            clock.set(start + timedelta(days=day))
            boss = ctx("boss", channel, True)
            await app.service.handle(boss, parse("daily set 09:00 UTC"))
            await app.service.handle(boss, ManageDaily(DailyAction.NOW))
            question = app.bank.get(posts(messenger, channel)[-1].question_id)
            assert question is not None
            for user, verdict in sorted(who.items()):
                text = question.answer if verdict == "strong" else "nothing relevant"
                await app.service.handle(ctx(user, channel), SubmitAnswer(text=text))
            await app.service.handle(boss, ManageDaily(DailyAction.REVEAL))
        for user in USERS:  # everyone has played once (a practice question; reads create no one)
            await app.service.handle(ctx(user, "C0"), Ask())
        for team in sorted(set(teams_of.values())):
            names = tuple(u for u, t in sorted(teams_of.items()) if t == team)
            await app.service.handle(ctx("boss", "C0", True), ManageTeam(TeamAction.ADD, team, names))

    loop.run_until_complete(scenario())
    reply = loop.run_until_complete(app.service.handle(ctx("u1", "C0"), ShowTeamBoard(window)))
    expected = loop.run_until_complete(brute_force(app, workspace, window, clock.now()))
    if not expected:
        assert isinstance(reply.cards[0], Notice)
        return
    card = reply.cards[0]
    assert isinstance(card, TableCard)
    assert [(r[1], r[2], int(r[3])) for r in card.rows] == [
        (t, f"{float(s):.1f}", p) for t, s, p, _ in expected
    ]
    assert [int(r[4].split(" of ")[0]) for r in card.rows] == [a for *_, a in expected]
