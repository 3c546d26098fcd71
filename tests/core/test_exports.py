"""``export cards``, ``export answers`` and ``daily export`` through the service and the console."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rich.console import Console

from adapters.console.messenger import ConsoleMessenger
from adapters.console.session import ConsoleSession
from bot.app import App, build_app
from bot.bank.model import Bank
from bot.cards import FileCard, Notice, Reply, Tone
from bot.commands import Ask, Export, ExportDaily, ExportKind, ForgetMe, RatePractice, Rating, SubmitAnswer
from bot.config import Settings
from bot.members.export_formats import CSV_ENCODING
from bot.members.exports import ANSWER_COLUMNS, NO_ANSWERS, NO_CARDS, NO_ROUNDS, ROUND_COLUMNS
from tests.conftest import admin, member
from tests.core.test_console_flows import PLAYER
from tests.core.test_learning_loop import open_round, reveal
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger
from tests.unit.test_export_formats import read_anki


def the_file(reply: Reply) -> FileCard:
    (card,) = reply.cards
    assert isinstance(card, FileCard), reply
    return card


def table(card: FileCard) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(card.data.decode(CSV_ENCODING), newline="")))


async def test_export_cards_is_an_anki_file_of_the_members_cards(mini_app: App) -> None:
    bob = member(user="bob", name="bob")
    for _ in range(2):
        await mini_app.service.handle(bob, Ask())
        await mini_app.service.handle(bob, RatePractice(Rating.GOOD))
    await mini_app.service.handle(member(user="cy", name="cy"), Ask())
    await mini_app.service.handle(member(user="cy", name="cy"), RatePractice(Rating.GOOD))
    card = the_file(await mini_app.service.handle(bob, Export(ExportKind.CARDS)))
    assert (card.filename, card.media_type) == ("dailyq-cards.tsv", "text/tab-separated-values")
    _, rows = read_anki(card.data)
    assert len(rows) == 2  # bob's two cards, not cy's
    for front, back, tag in rows:
        question = next(q for q in mini_app.bank.questions if q.question == front)
        assert back.startswith(question.answer) and "Key points: " in back
        assert tag == question.topic.replace(" ", "_")


async def test_export_answers_hides_grades_until_the_reveal(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    post = await open_round(mini_app, clock, messenger)
    text = 'my "answer", with\ncommas, quotes, ünïcødé 🙂 and =FORMULA()'
    await mini_app.service.handle(member(), SubmitAnswer(text=text))
    before = table(the_file(await mini_app.service.handle(member(), Export(ExportKind.ANSWERS))))
    assert [(r["answer"], r["verdict"], r["score"], r["points"]) for r in before] == [(text, "", "", "")]
    await reveal(mini_app, clock)
    (row,) = table(the_file(await mini_app.service.handle(member(), Export(ExportKind.ANSWERS))))
    assert tuple(row) == ANSWER_COLUMNS
    assert (row["answer"], row["verdict"], row["points"]) == (text, "missed", "10")
    assert row["question_id"] == post.question_id and row["channel"] == "C1"


async def test_quiz_answers_export_the_picked_option(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    post = await open_round(mini_app, clock, messenger, mode="quiz")
    await mini_app.service.handle(member(), SubmitAnswer(choice=2))
    (row,) = table(the_file(await mini_app.service.handle(member(), Export(ExportKind.ANSWERS))))
    assert row["answer"] == f"C. {post.options[2]}"


async def test_daily_export_is_for_admins_and_shows_no_answer_before_the_reveal(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await open_round(mini_app, clock, messenger)
    for user in ("bob", "cy"):
        await mini_app.service.handle(member(user=user, name=user), SubmitAnswer(text=f"{user} says hi"))
    refused = await mini_app.service.handle(member(), ExportDaily())
    assert isinstance(refused.cards[0], Notice) and refused.cards[0].tone is Tone.ERROR
    (open_row,) = table(the_file(await mini_app.service.handle(admin(), ExportDaily())))
    assert open_row["state"] == "open" and open_row["user"] == open_row["answer"] == ""
    await reveal(mini_app, clock)
    card = the_file(await mini_app.service.handle(admin(), ExportDaily()))
    assert card.filename == "dailyq-C1-rounds.csv"
    rows = table(card)
    assert tuple(rows[0]) == ROUND_COLUMNS
    assert sorted((r["user"], r["answer"], r["verdict"]) for r in rows) == [
        ("bob", "bob says hi", "missed"),
        ("cy", "cy says hi", "missed"),
    ]


async def test_nothing_to_export_says_so(mini_app: App) -> None:
    for command, text in ((Export(ExportKind.CARDS), NO_CARDS), (Export(ExportKind.ANSWERS), NO_ANSWERS)):
        assert (await mini_app.service.handle(member(), command)).cards == (Notice(text),)
    assert (await mini_app.service.handle(admin(), ExportDaily())).cards == (Notice(NO_ROUNDS),)


async def test_forget_me_leaves_nothing_to_export(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await open_round(mini_app, clock, messenger)
    await mini_app.service.handle(member(), SubmitAnswer(text="no idea"))
    await reveal(mini_app, clock)  # also makes a practice card
    await mini_app.service.handle(member(), ForgetMe(confirmed=True))
    for kind in ExportKind:
        assert isinstance((await mini_app.service.handle(member(), Export(kind))).cards[0], Notice)
    rows = table(the_file(await mini_app.service.handle(admin(), ExportDaily())))
    assert [r["user"] for r in rows] == [""]  # the round is the channel's; the answer is gone


async def test_console_writes_the_file_and_prints_its_path(
    sqlite_db: str, bank: Bank, clock: FakeClock, tmp_path: Path
) -> None:
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None, highlight=False)
    app = await build_app(Settings(database_url=sqlite_db), ConsoleMessenger(console), clock, bank)
    lines = "question\nrate again\nexport cards\nexport answers\nexport everything\nquit\n"
    try:
        session = ConsoleSession(
            app.service, PLAYER, console, io.StringIO(lines), export_dir=tmp_path / "out"
        )
        await session.run()
    finally:
        await app.close()
    printed = out.getvalue()
    saved = tmp_path / "out" / "dailyq-cards.tsv"
    assert f"Saved to {saved.resolve()}" in printed.replace("│", "").replace("\n", "")
    _, rows = read_anki(saved.read_bytes())
    assert len(rows) == 1
    assert "not answered a daily question yet" in printed
    assert "Use export cards" in printed  # a bad kind says what is accepted
