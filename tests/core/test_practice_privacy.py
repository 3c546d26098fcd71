"""Practice with spaced repetition on a fake clock; forget-me and workspace isolation in the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.cards import Notice, PracticeRevealCard, QuestionCard, StatsCard, Tone
from bot.commands import (
    Ask,
    ForgetMe,
    PracticeAnswer,
    RatePractice,
    Rating,
    ShowPracticeAnswer,
    ShowStats,
    SubmitAnswer,
)
from bot.store.tables import answers, cards, practice, standings, streaks, users
from tests.conftest import member
from tests.core.test_scoring import play_days
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger


async def ask(app: App, user: str = "U2", topic: str | None = None) -> QuestionCard:
    card = (await app.service.handle(member(user=user), Ask(topic))).cards[0]
    assert isinstance(card, QuestionCard) and card.round_id is None
    return card


async def test_rated_card_comes_back_when_due_and_unseen_come_first(mini_app: App, clock: FakeClock) -> None:
    first = await ask(mini_app)
    shown = (await mini_app.service.handle(member(), ShowPracticeAnswer())).cards[0]
    assert isinstance(shown, PracticeRevealCard) and shown.answer
    rated = await mini_app.service.handle(member(), RatePractice(Rating.GOOD))
    assert "Next review" in str(rated.cards[0])
    seen = {first.question_id}
    for _ in range(3):  # three more unseen questions come before the rated one is due
        card = await ask(mini_app)
        assert card.question_id not in seen
        seen.add(card.question_id)
        await mini_app.service.handle(member(), RatePractice(Rating.EASY))
    clock.advance(timedelta(days=2))
    assert (await ask(mini_app)).question_id == first.question_id  # most overdue card first


async def test_again_brings_the_card_back_in_minutes(mini_app: App, clock: FakeClock) -> None:
    card = await ask(mini_app)
    reply = await mini_app.service.handle(member(), RatePractice(Rating.AGAIN))
    assert "in 10 min" in str(reply.cards[0])
    clock.advance(timedelta(minutes=11))
    async with mini_app.engine.connect() as conn:
        due = (await conn.execute(select(cards.c.due))).scalar_one()
    assert due <= clock.now()
    assert (await ask(mini_app)).question_id == card.question_id


async def test_typed_answer_is_graded_and_preselects_a_rating(mini_app: App) -> None:
    card = await ask(mini_app)
    question = mini_app.bank.get(card.question_id)
    assert question is not None
    good = (await mini_app.service.handle(member(), PracticeAnswer(question.answer))).cards[0]
    assert isinstance(good, PracticeRevealCard) and good.suggested == "good" and "strong" in good.grade_note
    bad = (await mini_app.service.handle(member(), PracticeAnswer("I have no idea"))).cards[0]
    assert isinstance(bad, PracticeRevealCard) and bad.suggested == "again"


async def test_practice_never_earns_points(mini_app: App) -> None:
    await ask(mini_app)
    await mini_app.service.handle(member(), RatePractice(Rating.EASY))
    stats = (await mini_app.service.handle(member(), ShowStats())).cards[0]
    assert isinstance(stats, StatsCard) and stats.points == 0 and stats.cards_total == 1
    async with mini_app.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(standings))).scalar_one() == 0


async def test_practice_commands_without_a_question_explain(mini_app: App) -> None:
    for command in (ShowPracticeAnswer(), RatePractice(Rating.GOOD), PracticeAnswer("x")):
        reply = await mini_app.service.handle(member(user="new"), command)
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.ERROR
        assert "`question`" in reply.cards[0].text


async def user_rows(app: App, user_pk: int) -> dict[str, int]:
    counts = {}
    async with app.engine.connect() as conn:
        for table in (answers, standings, streaks, cards, practice):
            counts[table.name] = (
                await conn.execute(select(func.count()).where(table.c.user_pk == user_pk))
            ).scalar_one()
        counts["users"] = (await conn.execute(select(func.count()).where(users.c.id == user_pk))).scalar_one()
    return counts


async def test_forget_me_deletes_everything_about_the_caller_only(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await play_days(mini_app, clock, messenger, [{"ann": "strong", "bob": "strong"}])
    ann = member(user="ann", name="ann")
    await mini_app.service.handle(ann, Ask())
    await mini_app.service.handle(ann, RatePractice(Rating.GOOD))
    await mini_app.service.handle(ann, Ask())  # an open practice question too
    async with mini_app.engine.connect() as conn:
        ann_pk, bob_pk = [
            (await conn.execute(select(users.c.id).where(users.c.user_id == name))).scalar_one()
            for name in ("ann", "bob")
        ]
    before = await user_rows(mini_app, ann_pk)
    assert all(count > 0 for count in before.values()), before
    reply = await mini_app.service.handle(ann, ForgetMe(confirmed=True))
    assert "Deleted everything" in str(reply.cards[0])
    assert set((await user_rows(mini_app, ann_pk)).values()) == {0}
    bob = await user_rows(mini_app, bob_pk)
    assert bob["answers"] == 1 and bob["standings"] == 3 and bob["users"] == 1


async def test_same_user_id_in_two_workspaces_is_two_players(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await play_days(mini_app, clock, messenger, [{"ann": "strong"}])
    elsewhere = member(user="ann", name="ann", workspace="W2")
    stats = (await mini_app.service.handle(elsewhere, ShowStats())).cards[0]
    assert isinstance(stats, StatsCard) and stats.points == 0
    reply = await mini_app.service.handle(elsewhere, SubmitAnswer(text="x"))
    assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.ERROR
    await mini_app.service.handle(elsewhere, ForgetMe(confirmed=True))
    home = (await mini_app.service.handle(member(user="ann", name="ann"), ShowStats())).cards[0]
    assert isinstance(home, StatsCard) and home.points == 20
