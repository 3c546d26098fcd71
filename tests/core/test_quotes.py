"""The best answers quoted at the reveal: best first, then earliest; opt-outs; clipped to a line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.console import Console

from adapters.console.render import render
from bot.app import App
from bot.cards import BestAnswer, Notice, RevealCard
from bot.commands import SetQuotePrivacy, SubmitAnswer
from bot.standings.quotes import QUOTE_CHARS
from bot.text.grammar import CommandError, parse
from tests.conftest import member
from tests.core.test_answers import last_reveal, open_round, reveal
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger


async def answer(app: App, clock: FakeClock, user: str, text: str) -> None:
    clock.advance(timedelta(minutes=1))
    await app.service.handle(member(user=user, name=user), SubmitAnswer(text=text))


async def test_the_best_three_are_quoted_best_then_earliest_and_opt_outs_never(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    card = await open_round(mini_app, messenger)
    question = mini_app.bank.get(card.question_id)
    assert question is not None
    opted = await mini_app.service.handle(member(user="zed", name="zed"), SetQuotePrivacy(allow=False))
    assert isinstance(opted.cards[0], Notice) and "will not be quoted" in opted.cards[0].text
    await answer(mini_app, clock, "zed", question.answer)  # first and strong, but opted out
    await answer(mini_app, clock, "ann", question.answer + "\n\n  @everyone <@U1> look")
    await answer(mini_app, clock, "bob", question.answer)
    await answer(mini_app, clock, "cy", "no idea at all")  # missed: never quoted
    await answer(mini_app, clock, "dee", question.answer)  # strong but fourth
    await reveal(mini_app)
    shown = last_reveal(messenger)
    assert [b.name for b in shown.best] == ["zed", "ann", "bob"]  # who answered best: unchanged
    ann_words = " ".join((question.answer + " @everyone <@U1> look").split())
    assert [(q.name, q.verdict) for q in shown.quotes] == [
        ("ann", "strong"),
        ("bob", "strong"),
        ("dee", "strong"),
    ]
    assert shown.quotes[0].quote == ann_words  # one line; mentions are neutralised by each renderer
    assert shown.quotes[1].quote == question.answer


async def test_a_long_answer_is_clipped_and_privacy_can_be_turned_back_on(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    card = await open_round(mini_app, messenger)
    question = mini_app.bank.get(card.question_id)
    assert question is not None
    await mini_app.service.handle(member(user="ann", name="ann"), SetQuotePrivacy(allow=False))
    back = await mini_app.service.handle(member(user="ann", name="ann"), SetQuotePrivacy(allow=True))
    assert isinstance(back.cards[0], Notice) and "quoted at reveals again" in back.cards[0].text
    long = question.answer + " " + "and more words " * 100
    await answer(mini_app, clock, "ann", long)
    await reveal(mini_app)
    [quote] = last_reveal(messenger).quotes
    assert len(quote.quote) <= QUOTE_CHARS and quote.quote.endswith("more\u2026")
    assert quote.quote.startswith(question.answer)
    assert quote == BestAnswer("ann", "strong", quote.score, quote.quote)


async def test_quiz_rounds_quote_nothing(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await open_round(mini_app, messenger, mode="quiz")
    await answer(mini_app, clock, "ann", "A")
    await reveal(mini_app)
    assert last_reveal(messenger).quotes == ()


def test_privacy_grammar() -> None:
    assert parse("privacy quote off") == SetQuotePrivacy(allow=False)
    assert parse("Privacy Quote ON") == SetQuotePrivacy(allow=True)
    with pytest.raises(CommandError, match="privacy quote off"):
        parse("privacy quotes maybe")


def test_the_console_shows_quotes_as_typed_without_markup() -> None:
    card = RevealCard(
        1, "Q?", "A.", "", (), 2, best=(BestAnswer("ann", "strong", 1.0),),
        quotes=(BestAnswer("ann", "strong", 1.0, "[bold]not markup[/bold] @everyone"),),
    )  # fmt: skip
    console = Console(width=200, record=True, color_system=None)
    console.print(render(card))
    shown = console.export_text()
    assert "ann: \u201c[bold]not markup[/bold] @everyone\u201d" in shown
