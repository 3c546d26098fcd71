"""A typed practice answer that states a misconception is graded missed and the reveal says why."""

from __future__ import annotations

import json
from pathlib import Path

from bot.bank.model import Bank, load_bank
from bot.cards import MyGradeCard, PracticeRevealCard, QuestionCard
from bot.commands import Ask, PracticeAnswer, ShowMyGrade, SubmitAnswer
from tests.conftest import MINI_BANK, AppFactory, member
from tests.core.rounds_helpers import local, posts, run_at, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

ZONE = "Europe/Berlin"

WHY = "Nothing in machine learning depends on the day of the week."


def bank_with_a_misconception(tmp_path: Path) -> Bank:
    document = json.loads(MINI_BANK.read_text(encoding="utf-8"))
    for question in document["questions"]:
        question["misconceptions"] = [{"says": ["works only on tuesdays"], "why": WHY}]
    path = tmp_path / "bank.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return load_bank([path])


async def test_practice_reveal_names_the_misconception(
    make_app: AppFactory, db_url: str, tmp_path: Path
) -> None:
    bank = bank_with_a_misconception(tmp_path)
    app = await make_app(db_url, with_bank=bank)
    card = (await app.service.handle(member(), Ask(None))).cards[0]
    assert isinstance(card, QuestionCard)
    question = bank.get(card.question_id)
    assert question is not None
    groups = len(question.key_points)
    stated = f"{question.answer} It works only on Tuesdays."
    reveal = (await app.service.handle(member(), PracticeAnswer(stated))).cards[0]
    assert isinstance(reveal, PracticeRevealCard) and reveal.suggested == "again"
    assert reveal.grade_note == (
        f"Your answer: missed ({groups} of {groups} key points). "
        f'Note: it states a misconception ("works only on tuesdays"): {WHY}'
    )


async def test_my_grade_of_a_daily_names_the_misconception(
    make_app: AppFactory, db_url: str, tmp_path: Path, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    bank = bank_with_a_misconception(tmp_path)
    app = await make_app(db_url, with_bank=bank)  # the same clock and messenger fixtures
    clock.set(local(ZONE, 2026, 11, 25, 8, 0))
    await schedule(app, "09:00", ZONE, reveal="8h")
    await run_at(app, clock, local(ZONE, 2026, 11, 25, 9, 1))
    question = bank.get(posts(messenger)[-1].question_id)
    assert question is not None
    await app.service.handle(member(), SubmitAnswer(text=f"{question.answer} It works only on Tuesdays."))
    await app.service.handle(member(user="U3", name="Cy"), SubmitAnswer(text=question.answer))
    await run_at(app, clock, local(ZONE, 2026, 11, 25, 17, 5))
    stated = (await app.service.handle(member(), ShowMyGrade())).cards[0]
    assert isinstance(stated, MyGradeCard) and stated.verdict == "missed"
    assert stated.missed == () and len(stated.found) == len(question.key_points)  # every point found...
    assert stated.note == f'It states a misconception ("works only on tuesdays"): {WHY}'  # ...and why not
    plain = (await app.service.handle(member(user="U3", name="Cy"), ShowMyGrade())).cards[0]
    assert isinstance(plain, MyGradeCard) and (plain.verdict, plain.note) == ("strong", "")
