"""Answers to daily rounds: free text and quiz picks, closing at the reveal, concurrency, isolation."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import App
from bot.cards import Notice, QuestionCard, RevealCard, Tone
from bot.commands import DailyAction, ManageDaily, SubmitAnswer
from bot.store.tables import answers
from tests.conftest import admin, member
from tests.core.rounds_helpers import posts, schedule
from tests.support.messenger import RecordingMessenger


async def open_round(
    app: App, messenger: RecordingMessenger, *, channel: str = "C1", mode: str = "open"
) -> QuestionCard:
    """Schedule a channel and post today's round now; returns the posted card."""
    ctx = await schedule(app, "09:00", "UTC", channel=channel, mode=mode)
    await app.service.handle(ctx, ManageDaily(DailyAction.NOW))
    return posts(messenger, channel)[-1]


async def reveal(app: App, channel: str = "C1") -> None:
    reply = await app.service.handle(admin(channel=channel), ManageDaily(DailyAction.REVEAL))
    assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.SUCCESS, reply


def last_reveal(messenger: RecordingMessenger) -> RevealCard:
    cards = [s.card for s in messenger.of_kind("reply") if isinstance(s.card, RevealCard)]
    return cards[-1]


async def stored(app: App) -> list[tuple[int, str | None, int | None]]:
    async with app.engine.connect() as conn:
        rows = (await conn.execute(select(answers.c.user_pk, answers.c.text, answers.c.choice))).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_answer_is_confirmed_with_what_was_stored_and_can_change(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    await open_round(mini_app, messenger)
    first = await mini_app.service.handle(member(), SubmitAnswer(text="my first idea"))
    second = await mini_app.service.handle(member(), SubmitAnswer(text="a better idea"))
    assert all(r.ephemeral for r in (first, second))
    assert "a better idea" in str(second.cards[0])
    assert [text for _, text, _ in await stored(mini_app)] == ["a better idea"]


async def test_grade_is_shown_at_reveal_and_late_answers_are_refused(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    card = await open_round(mini_app, messenger)
    question = mini_app.bank.get(card.question_id)
    assert question is not None
    confirmation = await mini_app.service.handle(member(), SubmitAnswer(text=question.answer))
    assert "strong" not in str(confirmation.cards[0])  # no grade before the reveal
    await mini_app.service.handle(member(user="U3", name="Cy"), SubmitAnswer(text="no idea at all"))
    await reveal(mini_app)
    result = last_reveal(messenger)
    assert result.answered == 2
    assert dict(result.verdicts) == {"strong": 1, "partial": 0, "missed": 1}
    assert [b.name for b in result.best] == ["Bob"]
    late = await mini_app.service.handle(member(), SubmitAnswer(text="changed my mind"))
    text = str(late.cards[0])
    assert "closed" in text and question.answer in text and "strong" in text
    assert [t for _, t, _ in await stored(mini_app)].count("changed my mind") == 0


async def test_quiz_options_are_stable_per_round_and_pick_is_locked(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    card = await open_round(mini_app, messenger, mode="quiz")
    question = mini_app.bank.get(card.question_id)
    assert question is not None and len(card.options) == 4
    assert question.quiz is not None
    assert sorted(card.options) == sorted(question.quiz.options)
    correct = card.options.index(question.quiz.correct)
    wrong = (correct + 1) % 4
    ok = await mini_app.service.handle(member(), SubmitAnswer(round_id=card.round_id, choice=wrong))
    assert isinstance(ok.cards[0], Notice) and ok.cards[0].tone is Tone.SUCCESS
    again = await mini_app.service.handle(member(), SubmitAnswer(round_id=card.round_id, choice=correct))
    assert "locked" in str(again.cards[0])
    letter = await mini_app.service.handle(member(user="U3", name="Cy"), SubmitAnswer(text="ABCD"[correct]))
    assert isinstance(letter.cards[0], Notice) and letter.cards[0].tone is Tone.SUCCESS
    await reveal(mini_app)
    picks = last_reveal(messenger).picks
    assert [pick.option for pick in picks] == list(card.options)  # same order as posted
    assert (picks[correct].count, picks[correct].correct, picks[correct].why) == (1, True, "")
    assert picks[wrong].count == 1 and not picks[wrong].correct
    assert picks[wrong].why == next(w.why for w in question.quiz.wrong if w.text == card.options[wrong])


async def test_quiz_order_differs_across_rounds(mini_app: App, messenger: RecordingMessenger) -> None:
    orders = set()
    for channel in ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6"):
        card = await open_round(mini_app, messenger, channel=channel, mode="quiz")
        question = mini_app.bank.get(card.question_id)
        assert question is not None and question.quiz is not None
        orders.add(card.options.index(question.quiz.correct))
    assert len(orders) > 1


async def test_quiz_rejects_text_and_out_of_range_picks(mini_app: App, messenger: RecordingMessenger) -> None:
    await open_round(mini_app, messenger, mode="quiz")
    for command in (SubmitAnswer(text="a long written answer"), SubmitAnswer(choice=7)):
        reply = await mini_app.service.handle(member(), command)
        assert isinstance(reply.cards[0], Notice) and "A, B, C or D" in reply.cards[0].text
    assert await stored(mini_app) == []


async def test_concurrent_submissions_store_one_answer_per_user(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    await open_round(mini_app, messenger)
    await asyncio.gather(
        *(mini_app.service.handle(member(), SubmitAnswer(text=f"take {i}")) for i in range(15))
    )
    await asyncio.gather(
        *(
            mini_app.service.handle(member(user=f"P{i}", name=f"P{i}"), SubmitAnswer(text="same"))
            for i in range(25)
        )
    )
    rows = await stored(mini_app)
    assert len(rows) == 26
    assert len({user for user, _, _ in rows}) == 26


async def test_concurrent_quiz_picks_lock_the_first(mini_app: App, messenger: RecordingMessenger) -> None:
    card = await open_round(mini_app, messenger, mode="quiz")
    replies = await asyncio.gather(
        *(
            mini_app.service.handle(member(), SubmitAnswer(round_id=card.round_id, choice=i % 4))
            for i in range(12)
        )
    )
    accepted = [r for r in replies if isinstance(r.cards[0], Notice) and r.cards[0].tone is Tone.SUCCESS]
    assert len(accepted) == 1
    assert len(await stored(mini_app)) == 1


async def test_a_round_of_another_workspace_cannot_be_answered(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    card = await open_round(mini_app, messenger)
    outsider = member(workspace="W2", user="U2")  # same user id, other workspace
    reply = await mini_app.service.handle(outsider, SubmitAnswer(round_id=card.round_id, text="sneaky"))
    assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.ERROR
    assert await stored(mini_app) == []


async def test_empty_and_oversized_answers_are_refused(mini_app: App, messenger: RecordingMessenger) -> None:
    await open_round(mini_app, messenger)
    for text in ("", "   ", "x" * 4001):
        reply = await mini_app.service.handle(member(), SubmitAnswer(text=text))
        assert isinstance(reply.cards[0], Notice) and reply.cards[0].tone is Tone.ERROR
    async with mini_app.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(answers))).scalar_one() == 0
