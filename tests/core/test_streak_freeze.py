"""Streak freezes: earned per 7 rounds answered in a streak (at most 2 banked), used by a miss."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import App
from bot.cards import StatsCard
from bot.commands import DailyAction, ManageDaily, ShowStats, SubmitAnswer
from bot.daily.scoring import FREEZE_CAP, Streak, next_streak, streak_now
from tests.conftest import admin, member
from tests.core.rounds_helpers import local, posts, run_at, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

ZONE = "Europe/Berlin"


def answered(seqs: list[int]) -> Streak:
    """The streak after answering the rounds with these reveal numbers, in order."""
    streak: Streak | None = None
    for seq in seqs:
        streak = next_streak(streak, seq)
    assert streak is not None
    return streak


def test_a_freeze_is_earned_on_the_seventh_answered_round() -> None:
    assert answered(list(range(1, 7))).freezes == 0
    assert answered(list(range(1, 8))).freezes == 1
    assert answered(list(range(1, 15))).freezes == 2


def test_at_most_two_are_banked() -> None:
    streak = answered(list(range(1, 50)))
    assert (streak.current, streak.freezes, streak.used) == (49, FREEZE_CAP, 0)


def test_a_missed_round_uses_a_freeze_instead_of_breaking_the_streak() -> None:
    streak = next_streak(answered(list(range(1, 8))), 9)  # round 8 missed
    # the frozen round keeps the streak but is not an answered round: 7 + 1, not 9
    assert (streak.current, streak.best, streak.freezes, streak.used) == (8, 8, 0, 1)


def test_a_miss_with_no_freeze_breaks_the_streak() -> None:
    streak = next_streak(answered(list(range(1, 7))), 8)
    assert (streak.current, streak.best, streak.freezes, streak.used) == (1, 6, 0, 0)


def test_a_gap_longer_than_the_bank_uses_every_freeze_and_still_breaks() -> None:
    two = answered(list(range(1, 15)))
    assert two.freezes == 2
    streak = next_streak(two, 18)  # rounds 15, 16 and 17 missed
    assert (streak.current, streak.best, streak.freezes, streak.used) == (1, 14, 0, 2)
    covered = next_streak(two, 17)  # 15 and 16 missed: both freezes, the streak goes on
    assert (covered.current, covered.freezes, covered.used) == (15, 0, 2)


def test_a_freeze_used_and_earned_in_the_same_scoring() -> None:
    # one banked after 7, six more answered (13), round 14 missed, round 15 answered: the miss
    # is settled first (0 banked), then the 14th answered round earns one
    before = answered(list(range(1, 14)))
    assert (before.current, before.freezes) == (13, 1)
    after = next_streak(before, 15)
    assert (after.current, after.freezes, after.used) == (14, 1, 1)


def test_a_full_bank_is_not_wasted_when_a_miss_and_an_earn_coincide() -> None:
    before = answered([*range(1, 21), 22])  # 2 banked at 14, round 21 missed: 1 banked, 21 answered
    assert (before.current, before.freezes, before.used) == (21, 2, 1)  # the 21st earned it back


def test_the_streak_as_it_stands_uses_freezes_for_rounds_revealed_since() -> None:
    seven = answered(list(range(1, 8)))
    assert streak_now(seven, 7) == seven
    one_missed = streak_now(seven, 8)
    assert (one_missed.current, one_missed.freezes, one_missed.used) == (7, 0, 1)
    two_missed = streak_now(seven, 9)
    assert (two_missed.current, two_missed.freezes, two_missed.used) == (0, 0, 1)


async def play(
    app: App, clock: FakeClock, messenger: RecordingMessenger, plan: list[object], start: datetime
) -> None:
    """Schedule C1 daily; each plan entry is who answers a round (a set), or an admin's
    ``pause``/``resume`` (then the next three days pass with the channel paused)."""
    clock.set(start)
    ctx = await schedule(app, "09:00", ZONE, reveal="1h")
    moment = start
    for step in plan:
        if isinstance(step, str):
            await app.service.handle(ctx, ManageDaily(DailyAction(step)))
            if step == "pause":
                for _ in range(3 * 24 * 2):
                    moment += timedelta(minutes=30)
                    await run_at(app, clock, moment)
            continue
        assert isinstance(step, set)
        while True:
            moment += timedelta(minutes=30)
            before = len(posts(messenger))
            await run_at(app, clock, moment)
            if len(posts(messenger)) > before:
                break
        question = app.bank.get(posts(messenger)[-1].question_id)
        assert question is not None
        for user in sorted(step):
            await app.service.handle(member(user=user, name=user), SubmitAnswer(text=question.answer))
        moment += timedelta(hours=2)
        await run_at(app, clock, moment)


async def stats_of(app: App, user: str) -> StatsCard:
    card = (await app.service.handle(member(user=user, name=user), ShowStats())).cards[0]
    assert isinstance(card, StatsCard)
    return card


async def test_a_missed_day_is_frozen_and_stats_show_it(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    ann, both = {"ann"}, {"ann", "bob"}
    await play(mini_app, clock, messenger, [ann] * 7 + [{"bob"}], local(ZONE, 2026, 11, 2, 8, 0))
    missed = await stats_of(mini_app, "ann")
    # before her next answer the miss already shows: the freeze is used, the streak stands
    assert (missed.current_streak, missed.freezes, missed.freezes_used) == (7, 0, 1)
    assert missed.streak_text == "7 (best 7); freezes: 0 banked, 1 used"
    await play_more(mini_app, clock, messenger, [both])
    ann_card = await stats_of(mini_app, "ann")
    assert (ann_card.current_streak, ann_card.best_streak, ann_card.freezes, ann_card.freezes_used) == (
        8,
        8,
        0,
        1,
    )
    # 7 strong answers with bonus 0,2,..,10,10 then the 8th keeps the capped bonus: 20+30
    assert ann_card.points == sum(20 + min(2 * i, 10) for i in range(8))
    bob = await stats_of(mini_app, "bob")
    assert (bob.current_streak, bob.freezes, bob.freezes_used) == (2, 0, 0)


async def play_more(app: App, clock: FakeClock, messenger: RecordingMessenger, plan: list[object]) -> None:
    """Go on with the schedule set by ``play`` (same channel, the clock where it is)."""
    moment = clock.now()
    for step in plan:
        assert isinstance(step, set)
        while True:
            moment += timedelta(minutes=30)
            before = len(posts(messenger))
            await run_at(app, clock, moment)
            if len(posts(messenger)) > before:
                break
        question = app.bank.get(posts(messenger)[-1].question_id)
        assert question is not None
        for user in sorted(step):
            await app.service.handle(member(user=user, name=user), SubmitAnswer(text=question.answer))
        moment += timedelta(hours=2)
        await run_at(app, clock, moment)


async def test_pause_days_and_skipped_questions_use_no_freeze(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    ann = {"ann"}
    await play(
        mini_app,
        clock,
        messenger,
        [ann] * 3 + ["pause", "resume"] + [ann] * 2,
        local(ZONE, 2026, 11, 2, 8, 0),
    )
    # a question posted then skipped by an admin is never revealed: not a missed round either
    moment = clock.now()
    while True:
        moment += timedelta(minutes=30)
        before = len(posts(messenger))
        await run_at(mini_app, clock, moment)
        if len(posts(messenger)) > before:
            break
    skipped = posts(messenger)[-1]
    await mini_app.service.handle(admin(), ManageDaily(DailyAction.SKIP))
    replacement = posts(messenger)[-1]
    assert replacement.question_id != skipped.question_id
    question = mini_app.bank.get(replacement.question_id)
    assert question is not None
    await mini_app.service.handle(member(user="ann", name="ann"), SubmitAnswer(text=question.answer))
    await run_at(mini_app, clock, moment + timedelta(hours=2))
    card = await stats_of(mini_app, "ann")
    assert (card.current_streak, card.freezes, card.freezes_used) == (6, 0, 0)


async def test_a_freeze_earned_on_one_day_covers_the_next(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    ann, bob = {"ann"}, {"bob"}
    await play(mini_app, clock, messenger, [ann] * 7, local(ZONE, 2026, 11, 2, 8, 0))
    earned = await stats_of(mini_app, "ann")
    assert (earned.current_streak, earned.freezes, earned.freezes_used) == (7, 1, 0)
    await play_more(mini_app, clock, messenger, [bob, bob])  # two misses, one freeze
    broken = await stats_of(mini_app, "ann")
    assert (broken.current_streak, broken.best_streak, broken.freezes, broken.freezes_used) == (0, 7, 0, 1)
