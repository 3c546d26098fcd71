"""The learning loop: a missed or partial daily answer comes back as a practice card the next day."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from fsrs import Card as FsrsCard
from fsrs import State
from sqlalchemy import Row, select

from bot.app import App
from bot.bank.model import Bank
from bot.cards import Notice, QuestionCard, RevealCard
from bot.commands import Ask, ForgetMe, RatePractice, Rating, Review, SubmitAnswer
from bot.daily.award import award_round
from bot.practice.missed import COMES_BACK
from bot.store.tables import cards
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SlackBot, running_slack_bot, slack_bank
from tests.conftest import member
from tests.core.rounds_helpers import local, posts, run_at, schedule
from tests.core.test_console_flows import daily_question, flat, play
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

ZONE = "Europe/Berlin"


async def card_rows(app: App) -> list[Row[Any]]:
    async with app.engine.connect() as conn:
        return list((await conn.execute(select(cards).order_by(cards.c.user_pk))).all())


async def open_round(
    app: App, clock: FakeClock, messenger: RecordingMessenger, mode: str = "open"
) -> QuestionCard:
    """Schedule C1 at 09:00 Berlin with a 1 h reveal and let it post; return the post."""
    clock.set(local(ZONE, 2026, 11, 25, 8, 0))
    await schedule(app, "09:00", ZONE, reveal="1h", mode=mode)
    await run_at(app, clock, local(ZONE, 2026, 11, 25, 9, 0))
    return posts(messenger)[-1]


async def reveal(app: App, clock: FakeClock) -> None:
    await run_at(app, clock, local(ZONE, 2026, 11, 25, 10, 30))


def practice_question(reply: Any) -> str:
    card = reply.cards[0]
    assert isinstance(card, QuestionCard), reply
    return card.question_id


async def test_missed_and_partial_answers_become_cards_due_next_local_day(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    post = await open_round(mini_app, clock, messenger)
    question = mini_app.bank.get(post.question_id)
    assert question is not None
    first_points = question.key_points[0][0]
    plan = {"ann": question.answer, "bob": "nothing relevant at all", "cy": first_points}
    for user, text in plan.items():
        await mini_app.service.handle(member(user=user, name=user), SubmitAnswer(text=text))
    await reveal(mini_app, clock)
    rows = await card_rows(mini_app)
    # strong (ann) makes no card; missed (bob) and partial (cy) do, due at midnight Berlin
    midnight = local(ZONE, 2026, 11, 26, 0, 0).astimezone(UTC)
    assert len(rows) == 2
    for row in rows:
        assert row.origin == "missed" and row.question_id == question.id
        assert row.due == midnight and row.reviews == 0
        fsrs_card = FsrsCard.from_json(row.state)
        assert fsrs_card.state is State.Learning and fsrs_card.due == midnight
    (reveal_card,) = [s.card for s in messenger.of_kind("reply") if isinstance(s.card, RevealCard)]
    assert reveal_card.notes == (COMES_BACK,)
    assert not any(name in COMES_BACK for name in plan)  # the public line names nobody


async def test_card_comes_back_first_next_day_and_not_before(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    bob = member(user="bob", name="bob")
    # bob already has other practice cards, one of them more overdue than the missed one
    clock.set(local(ZONE, 2026, 11, 24, 8, 0))
    for _ in range(2):
        await mini_app.service.handle(bob, Ask())
        await mini_app.service.handle(bob, RatePractice(Rating.AGAIN))
    post = await open_round(mini_app, clock, messenger)
    await mini_app.service.handle(bob, SubmitAnswer(text="no idea"))
    await reveal(mini_app, clock)
    assert practice_question(await mini_app.service.handle(bob, Review())) == post.question_id
    clock.set(local(ZONE, 2026, 11, 25, 23, 59))
    assert practice_question(await mini_app.service.handle(bob, Ask())) != post.question_id
    clock.set(local(ZONE, 2026, 11, 26, 0, 1))
    assert practice_question(await mini_app.service.handle(bob, Ask())) == post.question_id


async def test_an_existing_card_is_kept_and_a_second_scoring_adds_nothing(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    bob = member(user="bob", name="bob")
    clock.set(local(ZONE, 2026, 11, 24, 8, 0))
    for _ in mini_app.bank.questions:  # bob has a card for every question, rated easy
        await mini_app.service.handle(bob, Ask())
        await mini_app.service.handle(bob, RatePractice(Rating.EASY))
    before = {r.question_id: r for r in await card_rows(mini_app)}
    post = await open_round(mini_app, clock, messenger)
    await mini_app.service.handle(bob, SubmitAnswer(text="no idea"))
    await mini_app.service.handle(member(user="cy", name="cy"), SubmitAnswer(text="no idea"))
    await reveal(mini_app, clock)
    async with mini_app.engine.begin() as conn:  # a retried reveal scores (and makes cards) once
        await award_round(conn, 1, clock.now())
    after = await card_rows(mini_app)
    bobs = {r.question_id: r for r in after if r.user_pk == before[post.question_id].user_pk}
    assert bobs == before  # untouched: still his easy practice card
    assert [(r.question_id, r.origin) for r in after if r.user_pk != before[post.question_id].user_pk] == [
        (post.question_id, "missed")
    ]


async def test_wrong_quiz_picks_come_back_and_the_right_one_does_not(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    post = await open_round(mini_app, clock, messenger, mode="quiz")
    for choice in range(len(post.options)):
        await mini_app.service.handle(
            member(user=f"p{choice}", name=f"p{choice}"), SubmitAnswer(choice=choice)
        )
    await reveal(mini_app, clock)
    rows = await card_rows(mini_app)
    assert len(rows) == len(post.options) - 1 and {r.origin for r in rows} == {"missed"}


async def test_no_line_and_no_card_when_everyone_was_strong(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    post = await open_round(mini_app, clock, messenger)
    question = mini_app.bank.get(post.question_id)
    assert question is not None
    await mini_app.service.handle(member(), SubmitAnswer(text=question.answer))
    await reveal(mini_app, clock)
    (card,) = [s.card for s in messenger.of_kind("reply") if isinstance(s.card, RevealCard)]
    assert card.notes == () and await card_rows(mini_app) == []


async def test_review_without_missed_cards_says_what_it_is_for(mini_app: App) -> None:
    bob = member(user="bob", name="bob")
    await mini_app.service.handle(bob, Ask())
    await mini_app.service.handle(bob, RatePractice(Rating.AGAIN))  # a plain practice card
    reply = await mini_app.service.handle(bob, Review())
    assert isinstance(reply.cards[0], Notice) and "Nothing to review" in reply.cards[0].text


async def test_forget_me_deletes_the_missed_cards(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await open_round(mini_app, clock, messenger)
    await mini_app.service.handle(member(), SubmitAnswer(text="no idea"))
    await reveal(mini_app, clock)
    assert len(await card_rows(mini_app)) == 1
    await mini_app.service.handle(member(), ForgetMe(confirmed=True))
    assert await card_rows(mini_app) == []


# -- through the adapters ------------------------------------------------------------------------


async def test_console_missed_answer_comes_back_first_next_day(
    sqlite_db: str, bank: Bank, clock: FakeClock
) -> None:
    first = await play(sqlite_db, bank, clock, "quit\n")
    question = bank.get(daily_question(bank, first))
    assert question is not None
    revealed = await play(sqlite_db, bank, clock, "answer bananas\ndaily reveal\nquestion\nquit\n")
    assert COMES_BACK.replace("`", "") in flat(revealed).replace("`", "")
    same_day = revealed[revealed.index("Practice question") :]
    assert question.question not in flat(same_day)  # not due yet: due tomorrow
    clock.advance(timedelta(days=1))
    next_day = await play(sqlite_db, bank, clock, "question\nquit\n")
    practice = next_day[next_day.index("Practice question") :]
    assert " ".join(question.question.split()[:8]) in flat(practice)


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), clock) as bot:
        yield bot


async def test_slack_missed_answer_comes_back_first_next_day(slack: SlackBot, bank: Bank) -> None:
    await slack.command("daily set 09:30 Europe/Berlin reveal 4h", user=ADMIN_ID, name=ADMIN_NAME)
    slack.clock.advance(timedelta(minutes=30))
    await slack.core.dispatcher.run_due()
    (post,) = slack.posts()
    assert "Answer received" in json.dumps(await slack.command("answer bananas"))
    slack.clock.advance(timedelta(hours=4, minutes=1))
    await slack.core.dispatcher.run_due()
    (reveal_message,) = slack.replies()
    assert "come back in your practice tomorrow" in json.dumps(reveal_message["blocks"])
    async with slack.core.engine.connect() as conn:
        (row,) = (await conn.execute(select(cards))).all()
    question = slack.core.bank.get(row.question_id)
    assert question is not None and question.question[:40] in json.dumps(post["blocks"])
    slack.clock.set(local(ZONE, 2026, 11, 26, 8, 0))
    shown = await slack.command("question")
    assert shown["response_type"] == "ephemeral"
    assert json.dumps(question.question[:40])[1:-1] in json.dumps(shown["blocks"])
    reviewed = await slack.command("review")
    assert json.dumps(question.question[:40])[1:-1] in json.dumps(reviewed["blocks"])
    assert "daily question you missed" in json.dumps(reviewed["blocks"])
