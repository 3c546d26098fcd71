"""Banks without quiz forms: open mode runs, quiz mode skips them and ``daily set`` says so."""

from __future__ import annotations

import json
from datetime import time, timedelta

from bot.app import App
from bot.bank.markdown_import import import_markdown
from bot.bank.model import Bank, parse_bank
from bot.cards import Notice, TableCard, Tone
from bot.commands import ConfigureDaily, DailyAction, ManageDaily
from tests.conftest import AppFactory, admin
from tests.core.rounds_helpers import local, posts, run_at
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

MARKDOWN = """### Databases

1. **What is an index?**
   - A data structure that speeds up lookups on a column at the cost of slower writes.
2. **What is a transaction?**
   - A unit of work that commits or rolls back as a whole.

### Networking

3. **What is TCP?**
   - A reliable, ordered, connection-oriented transport protocol.
"""


def imported_bank() -> Bank:
    """The markdown above through ``bank import``: three questions, no key points, no quiz form."""
    return parse_bank(json.dumps(import_markdown(MARKDOWN, name="imported")), "imported.json")


async def daily_set(app: App, mode: str, topics: tuple[str, ...] = ()) -> tuple[TableCard | Notice, ...]:
    reply = await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), mode=mode, topics=topics))
    return reply.cards  # type: ignore[return-value]


async def settings(app: App) -> dict[str, str]:
    reply = await app.service.handle(admin(), ManageDaily(DailyAction.STATUS))
    card = reply.cards[0]
    assert isinstance(card, TableCard), reply
    return {row[0]: row[1] for row in card.rows}


async def test_an_imported_bank_runs_in_open_mode(
    make_app: AppFactory, db_url: str, messenger: RecordingMessenger
) -> None:
    app = await make_app(db_url, with_bank=imported_bank())
    [table] = await daily_set(app, "open")
    assert isinstance(table, TableCard) and ("questions", "3") in table.rows
    await app.service.handle(admin(), ManageDaily(DailyAction.NOW))
    [post] = posts(messenger)
    assert post.mode == "open" and post.options == () and [a.label for a in post.actions] == ["Answer"]


async def test_quiz_mode_on_a_bank_without_quiz_forms_is_refused_and_changes_nothing(
    make_app: AppFactory, db_url: str, messenger: RecordingMessenger
) -> None:
    app = await make_app(db_url, with_bank=imported_bank())
    await daily_set(app, "open")
    [refusal] = await daily_set(app, "quiz")
    assert refusal == Notice(
        "None of the 3 questions these filters match has a quiz form (a short answer and three wrong "
        "options), so quiz mode has nothing to ask: use `mode open`, or other topics or difficulty.",
        Tone.ERROR,
    )
    assert (await settings(app))["mode"] == "open"


async def test_quiz_mode_on_a_mixed_bank_says_how_many_are_skipped_and_only_asks_quizzable_ones(
    make_app: AppFactory, db_url: str, mini_bank: Bank, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    mixed = Bank(mini_bank.questions + imported_bank().questions)
    app = await make_app(db_url, with_bank=mixed)
    table, skipped = await daily_set(app, "quiz")
    assert isinstance(table, TableCard) and ("questions", "4") in table.rows
    assert skipped == Notice(
        "Quiz mode skips 3 of the 7 questions these filters match: they have no quiz form (a short "
        "answer and three wrong options). They can still be asked in open mode.",
        title="Some questions are skipped",
    )
    [only_table] = await daily_set(app, "quiz", topics=("Metrics",))  # every match has a quiz form
    assert isinstance(only_table, TableCard) and ("questions", "2") in only_table.rows
    await daily_set(app, "quiz")
    for day in range(8):  # eight days: two whole cycles of the four quiz questions
        await run_at(app, clock, local("UTC", 2026, 11, 25, 9, 0) + timedelta(days=day))
        await app.service.handle(admin(), ManageDaily(DailyAction.REVEAL))
    asked = [p.question_id for p in posts(messenger)]
    assert len(asked) == 8 and set(asked) == set(mini_bank.ids)
    assert all(len(p.options) == 4 for p in posts(messenger))
    [open_table] = await daily_set(app, "open")
    assert isinstance(open_table, TableCard) and ("questions", "7") in open_table.rows
