"""Control characters never reach the store or a screen: one rule in bot/, for every platform."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.cards import LeaderboardCard, Notice, QuestionCard, RevealCard
from bot.commands import Ask, ShowLeaderboard, SubmitAnswer, Window
from bot.context import Context
from bot.store.tables import answers, users
from bot.text.grammar import parse
from bot.text.sanitize import clean_command, clean_text
from tests.conftest import admin
from tests.support.messenger import RecordingMessenger

HOSTILE = "hi\x1b]0;x\x07 there\x1b[2J\x1b[31m red\x1b[0m\x07\x08\r\n\u202eevil\x00"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (HOSTILE, "hi there red\nevil"),
        ("tab\there", "tab here"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("\x9b2J8-bit CSI", "8-bit CSI"),
        ("café ✓ 日本 👩‍💻", "café ✓ 日本 👩‍💻"),  # ordinary text, emoji joiners included, is kept
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_one_line_values_lose_line_breaks() -> None:
    assert clean_text("Ada\nLovelace\x1b[2J", multiline=False) == "Ada Lovelace"
    assert clean_command(Ask("time\x1b[2J series")) == Ask("time series")


async def test_answers_and_names_are_stored_clean(app: App) -> None:
    ctx = admin(name="Eve\x1b[2J\x1b]0;pwned\x07")
    await app.service.handle(ctx, parse("daily set 09:00 UTC"))
    await app.service.handle(ctx, parse("daily now"))
    reply = await app.service.handle(ctx, parse(f"answer {HOSTILE}"))
    confirmation = reply.cards[0]
    assert isinstance(confirmation, Notice) and "\x1b" not in confirmation.text
    assert "hi there red" in confirmation.text
    async with app.engine.connect() as conn:
        stored = (await conn.execute(select(answers.c.text))).scalar_one()
        name = (await conn.execute(select(users.c.display_name))).scalar_one()
    assert stored == "hi there red\nevil"
    assert name == "Eve"
    await app.service.handle(ctx, parse("daily reveal"))
    board = (await app.service.handle(ctx, ShowLeaderboard(Window.ALL))).cards[0]
    assert isinstance(board, LeaderboardCard) and board.rows[0].name == "Eve"


async def test_a_name_of_control_characters_only_falls_back_to_the_user_id(app: App) -> None:
    ctx = Context("test", "W1", "C1", "U9", "\x1b[2J\x07", is_admin=False)
    await app.service.handle(ctx, Ask())  # creates the player (a read such as stats would not)
    async with app.engine.connect() as conn:
        name = (await conn.execute(select(users.c.display_name))).scalar_one()
    assert name == "U9"


async def test_text_stored_before_the_rule_is_cleaned_on_the_way_out(
    app: App, messenger: RecordingMessenger
) -> None:
    ctx = admin(name="Old")
    await app.service.handle(ctx, parse("daily set 09:00 UTC"))
    await app.service.handle(ctx, parse("daily now"))
    posted = next(s.card for s in messenger.of_kind("post") if isinstance(s.card, QuestionCard))
    question = app.bank.get(posted.question_id)
    assert question is not None
    await app.service.handle(ctx, SubmitAnswer(text=question.answer))  # strong: among the best
    async with app.engine.begin() as conn:  # a name written by an older version, raw
        await conn.execute(update(users).values(display_name="Old\x1b[2J\x1b]0;t\x07"))
    await app.service.handle(ctx, parse("daily reveal"))
    board = (await app.service.handle(ctx, ShowLeaderboard(Window.ALL))).cards[0]
    reveal = [s.card for s in messenger.of_kind("reply") if isinstance(s.card, RevealCard)]
    assert reveal, messenger.sent
    assert isinstance(board, LeaderboardCard) and board.rows[0].name == "Old"
    assert [b.name for b in reveal[0].best] == ["Old"]
    shown = repr(board) + repr(reveal)
    assert "\x1b" not in shown and "\x07" not in shown
