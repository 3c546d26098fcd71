"""Points, streaks, leaderboards (windows, ties, the caller's line) and stats."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import App
from bot.bank.grading import Verdict
from bot.cards import LeaderboardCard, StatsCard
from bot.commands import Scope, ShowLeaderboard, ShowStats, SubmitAnswer, Window
from bot.context import Context
from bot.daily.scoring import next_streak, points_for, streak_bonus
from tests.conftest import member
from tests.core.rounds_helpers import local, posts, run_at, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

ZONE = "Europe/Berlin"


async def play_days(
    app: App,
    clock: FakeClock,
    messenger: RecordingMessenger,
    plan: list[dict[str, str]],
    *,
    zone: str = ZONE,
    start: datetime | None = None,
    days: str = "every",
    at: str = "09:00",
) -> None:
    """Schedule C1, then for each posted round let the listed users answer (text by quality)."""
    first = start or local(zone, 2026, 11, 2, 8, 0)
    clock.set(first)
    await schedule(app, at, zone, reveal="1h", days=days)
    moment = first
    for answers in plan:
        while True:
            moment += timedelta(minutes=30)
            before = len(posts(messenger))
            await run_at(app, clock, moment)
            if len(posts(messenger)) > before:
                break
        card = posts(messenger)[-1]
        question = app.bank.get(card.question_id)
        assert question is not None
        for user, quality in answers.items():
            text = question.answer if quality == "strong" else "nothing relevant"
            await app.service.handle(member(user=user, name=user), SubmitAnswer(text=text))
        moment += timedelta(hours=2)
        await run_at(app, clock, moment)  # reveal


async def board(
    app: App, ctx: Context, window: Window = Window.ALL, scope: Scope = Scope.CHANNEL
) -> LeaderboardCard:
    reply = await app.service.handle(ctx, ShowLeaderboard(window, scope))
    card = reply.cards[0]
    assert isinstance(card, LeaderboardCard)
    return card


def test_points_rules() -> None:
    assert points_for(Verdict.STRONG, 1) == 20
    assert points_for(Verdict.PARTIAL, 1) == 15
    assert points_for(Verdict.MISSED, 1) == 10
    assert [streak_bonus(n) for n in (1, 2, 3, 6, 30)] == [0, 2, 4, 10, 10]  # capped


def test_streak_continues_only_on_the_next_round() -> None:
    one = next_streak(None, 1)
    two = next_streak(one, 2)
    broken = next_streak(two, 4)
    assert (two.current, two.best) == (2, 2)
    assert (broken.current, broken.best) == (1, 2)


async def test_streak_bonus_grows_then_a_missed_round_breaks_the_streak(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    plan = [{"ann": "strong"}] * 3 + [{"bob": "missed"}] + [{"ann": "missed"}]
    await play_days(mini_app, clock, messenger, plan)
    stats = (await mini_app.service.handle(member(user="ann", name="ann"), ShowStats())).cards[0]
    assert isinstance(stats, StatsCard)
    assert stats.points == 20 + 22 + 24 + 10
    assert (stats.current_streak, stats.best_streak) == (1, 3)
    assert dict(stats.verdicts) == {"strong": 3, "partial": 0, "missed": 1}


async def test_days_without_a_round_never_break_a_streak(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    # weekdays only: Friday then Monday are consecutive rounds
    await play_days(
        mini_app,
        clock,
        messenger,
        [{"ann": "strong"}] * 2,
        days="weekdays",
        start=local(ZONE, 2026, 11, 27, 8, 0),
    )
    stats = (await mini_app.service.handle(member(user="ann", name="ann"), ShowStats())).cards[0]
    assert isinstance(stats, StatsCard) and stats.current_streak == 2


async def test_streak_counts_local_days_in_a_far_east_zone(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    zone = "Pacific/Auckland"  # 00:30 local is the previous UTC day
    await play_days(
        mini_app,
        clock,
        messenger,
        [{"ann": "strong"}] * 3,
        zone=zone,
        at="00:30",
        start=local(zone, 2026, 11, 2, 0, 0),
    )
    stats = (await mini_app.service.handle(member(user="ann", name="ann"), ShowStats())).cards[0]
    assert isinstance(stats, StatsCard) and stats.current_streak == 3


async def test_ties_share_a_rank(mini_app: App, clock: FakeClock, messenger: RecordingMessenger) -> None:
    await play_days(
        mini_app,
        clock,
        messenger,
        [{"ann": "strong", "bob": "strong", "cy": "missed", "dee": "missed", "eve": "strong"}],
    )
    card = await board(mini_app, member(user="cy", name="cy"))
    assert [(r.rank, r.points) for r in card.rows] == [(1, 20), (1, 20), (1, 20), (4, 10), (4, 10)]
    assert [r.name for r in card.rows if r.is_caller] == ["cy"]


async def test_top_ten_plus_the_callers_own_line(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    day_one = {f"p{i:02d}": "strong" for i in range(12)}
    day_two = {f"p{i:02d}": "strong" for i in range(11)}  # p11 misses day two
    await play_days(mini_app, clock, messenger, [day_one, day_two])
    card = await board(mini_app, member(user="p11", name="p11"))
    assert len(card.rows) == 10
    assert card.caller_row is not None and card.caller_row.name == "p11"
    assert (card.caller_row.rank, card.caller_row.points, card.caller_row.answers) == (12, 20, 1)
    assert card.rows[0].streak == 2 and card.caller_row.streak == 0


async def test_week_window_starts_at_local_midnight(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    zone = "Pacific/Auckland"
    # Sunday 29 Nov 23:30 and Monday 30 Nov 23:30 local; Monday 00:00 local is Sunday 11:00 UTC
    await play_days(
        mini_app,
        clock,
        messenger,
        [{"ann": "strong"}, {"ann": "missed"}],
        zone=zone,
        at="23:30",
        start=local(zone, 2026, 11, 29, 20, 0),
    )
    clock.set(local(zone, 2026, 11, 30, 23, 59))
    week = await board(mini_app, member(user="ann", name="ann"), Window.WEEK)
    assert [(r.points, r.answers) for r in week.rows] == [(12, 1)]  # Monday's answer only (streak 2: +2)
    clock.set(local(zone, 2026, 11, 29, 23, 59))
    previous = await board(mini_app, member(user="ann", name="ann"), Window.WEEK)
    assert [(r.points, r.answers) for r in previous.rows] == [(20, 1)]  # Sunday's, in last week
    month = await board(mini_app, member(user="ann", name="ann"), Window.MONTH)
    assert [(r.points, r.answers) for r in month.rows] == [(32, 2)]


async def test_server_scope_sums_channels_and_stays_in_its_workspace(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await play_days(mini_app, clock, messenger, [{"ann": "strong"}])
    other = Context("test", "W2", "C1", "zed", "zed")
    assert (await board(mini_app, other, scope=Scope.SERVER)).rows == ()
    mine = await board(mini_app, member(user="ann", name="ann"), scope=Scope.SERVER)
    assert [r.name for r in mine.rows] == ["ann"]
    lookup = await mini_app.service.handle(other, ShowStats(user="ann"))
    assert "No player called 'ann'" in str(lookup.cards[0])
