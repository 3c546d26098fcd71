"""No peeking: practice never hands out, shows or grades a question that is open as a daily round
anywhere in the caller's workspace (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from bot.app import App
from bot.bank.model import Bank
from bot.cards import Notice, PracticeRevealCard, QuestionCard, Tone
from bot.commands import (
    Ask,
    ConfigureDaily,
    PracticeAnswer,
    RatePractice,
    Rating,
    Review,
    ShowPracticeAnswer,
    SubmitAnswer,
)
from bot.practice.session import NO_PEEKING
from bot.store.tables import practice
from tests.conftest import AppFactory, admin, member
from tests.core.rounds_helpers import local, posts, run_at, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

ZONE = "Europe/Berlin"


async def open_daily(app: App, clock: FakeClock, messenger: RecordingMessenger) -> str:
    """Schedule C1, let its 09:00 post go out; return the open question's id."""
    clock.set(local(ZONE, 2026, 11, 25, 8, 0))
    await schedule(app, "09:00", ZONE, reveal="8h")
    await run_at(app, clock, local(ZONE, 2026, 11, 25, 9, 1))
    return posts(messenger)[-1].question_id


def refused(reply_card: object) -> str:
    assert isinstance(reply_card, Notice) and reply_card.tone is Tone.ERROR, reply_card
    return reply_card.text


async def test_question_never_offers_the_open_daily_of_any_channel(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    daily = await open_daily(mini_app, clock, messenger)
    # members of another channel of the same workspace: every pick, for many users and moments
    offered = set()
    for n in range(40):
        clock.advance(timedelta(seconds=7))
        card = (await mini_app.service.handle(member(channel="C2", user=f"u{n}"), Ask())).cards[0]
        assert isinstance(card, QuestionCard)
        offered.add(card.question_id)
    assert daily not in offered
    assert offered == {q.id for q in mini_app.bank.questions} - {daily}


async def test_a_due_card_of_the_open_daily_is_held_back(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    daily = await open_daily(mini_app, clock, messenger)
    # the member forgot this question in practice (rated again): its card is due in 10 minutes
    rated = await mini_app.service.handle(member(), RatePractice(Rating.AGAIN, daily))
    assert "in 10 min" in str(rated.cards[0])
    clock.advance(timedelta(minutes=30))  # now the most overdue card, yet it is the open daily
    card = (await mini_app.service.handle(member(), Ask())).cards[0]
    assert isinstance(card, QuestionCard) and card.question_id != daily
    await run_at(mini_app, clock, local(ZONE, 2026, 11, 25, 17, 5))  # revealed: it comes back
    card = (await mini_app.service.handle(member(), Ask())).cards[0]
    assert isinstance(card, QuestionCard) and card.question_id == daily


async def test_show_and_try_refuse_an_open_daily_question(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(ZONE, 2026, 11, 25, 8, 0))
    users = [f"u{n}" for n in range(20)]
    held = {}  # practice questions handed out before the daily opened
    for user in users:
        card = (await mini_app.service.handle(member(user=user), Ask())).cards[0]
        assert isinstance(card, QuestionCard)
        held[user] = card.question_id
    daily = await open_daily(mini_app, clock, messenger)
    question = mini_app.bank.get(daily)
    assert question is not None
    caught = [user for user in users if held[user] == daily]
    assert caught and len(caught) < len(users)
    for user in users:
        reply = await mini_app.service.handle(member(user=user), ShowPracticeAnswer())
        if user in caught:
            assert refused(reply.cards[0]) == NO_PEEKING
            tried = await mini_app.service.handle(member(user=user), PracticeAnswer(question.answer))
            assert refused(tried.cards[0]) == NO_PEEKING
        else:
            card = reply.cards[0]
            assert isinstance(card, PracticeRevealCard) and card.question_id == held[user]
    # a crafted "Show answer" or "Answer" button value naming the open daily, from another channel
    for command in (ShowPracticeAnswer(daily), PracticeAnswer(question.answer, daily)):
        reply = await mini_app.service.handle(member(channel="C9", user="v"), command)
        text = refused(reply.cards[0])
        assert text == NO_PEEKING and question.answer not in text
    # the refused tries wrote nothing: no practice row got a suggested rating
    async with mini_app.engine.connect() as conn:
        suggested = (await conn.execute(select(practice.c.suggested))).scalars().all()
    assert suggested and all(s is None for s in suggested)
    # after the reveal the daily's answer may be practised
    await run_at(mini_app, clock, local(ZONE, 2026, 11, 25, 17, 5))
    after = (await mini_app.service.handle(member(user=caught[0]), ShowPracticeAnswer())).cards[0]
    assert isinstance(after, PracticeRevealCard) and after.answer == question.answer


async def test_other_workspaces_are_not_affected(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    daily = await open_daily(mini_app, clock, messenger)
    shown = (await mini_app.service.handle(member(workspace="W2"), ShowPracticeAnswer(daily))).cards[0]
    assert isinstance(shown, PracticeRevealCard)


async def test_a_topic_whose_only_question_is_open_says_so(
    make_app: AppFactory, db_url: str, mini_bank: Bank, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    one_per_topic = Bank([q for q in mini_bank.questions if q.id != "recall"])
    app = await make_app(db_url, with_bank=one_per_topic)
    daily = one_per_topic.get(await open_daily(app, clock, messenger))
    assert daily is not None
    for name, _count in one_per_topic.topics():
        reply = await app.service.handle(member(), Ask(name))
        if name == daily.topic:
            assert refused(reply.cards[0]) == (
                f"Every question in {name} is open as a daily question in this workspace right now. "
                "Try another topic, or answer the daily with `answer <text>`."
            )
        else:
            card = reply.cards[0]
            assert isinstance(card, QuestionCard) and card.topic == name


async def test_review_holds_back_a_missed_question_while_it_is_open_as_a_daily(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    # C1 asks the only "Basics" question; the member misses it, so it becomes a review card
    clock.set(local(ZONE, 2026, 11, 25, 8, 0))
    basics = ConfigureDaily(
        post_time=time(9, 0), timezone=ZONE, reveal_after=timedelta(hours=1), topics=("Basics",)
    )
    await mini_app.service.handle(admin(channel="C1"), basics)
    await run_at(mini_app, clock, local(ZONE, 2026, 11, 25, 9, 0))
    daily = posts(messenger)[-1].question_id
    await mini_app.service.handle(member(), SubmitAnswer(text="no idea"))
    await run_at(mini_app, clock, local(ZONE, 2026, 11, 25, 10, 30))
    # next day C2 of the same workspace opens the same question as its daily
    clock.set(local(ZONE, 2026, 11, 26, 8, 0))
    await mini_app.service.handle(admin(channel="C2"), basics)
    await run_at(mini_app, clock, local(ZONE, 2026, 11, 26, 9, 0))
    assert posts(messenger)[-1].question_id == daily
    held = (await mini_app.service.handle(member(), Review())).cards[0]
    assert isinstance(held, Notice) and held.text.startswith("The questions you missed are open as a daily")
    await run_at(mini_app, clock, local(ZONE, 2026, 11, 26, 10, 30))  # C2 revealed: it comes back
    card = (await mini_app.service.handle(member(), Review())).cards[0]
    assert isinstance(card, QuestionCard) and card.question_id == daily
