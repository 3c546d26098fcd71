"""Workspace banks: uploads validated with located errors, stored per workspace and versioned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import App
from bot.bank.commands import ImportBank, ListBanks, RemoveBank
from bot.bank.model import Bank
from bot.cards import Notice, TableCard, Tone
from bot.store import banks as bank_store
from bot.store.tables import bank_questions, banks
from tests.conftest import admin, member
from tests.core.test_console_flows import flat, play
from tests.support.clock import FakeClock


def bank_document(bank: Bank, count: int, *, prefix: str = "ours") -> dict[str, Any]:
    """A valid bank of ``count`` questions made from the bundled ones (new ids)."""
    questions = []
    for index in range(count):
        source = bank.questions[index % len(bank.questions)].model_dump(mode="json")
        source["id"] = f"{prefix}-{index + 1}"
        questions.append(source)
    return {"name": "Our questions", "version": "1", "questions": questions}


def as_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def text_of(reply: Any) -> str:
    notices = [card for card in reply.cards if isinstance(card, Notice)]
    assert len(notices) == 1, reply
    return str(notices[0].text)


async def rows(app: App) -> tuple[int, int]:
    async with app.engine.connect() as conn:
        bank_rows = (await conn.execute(select(func.count()).select_from(banks))).scalar_one()
        question_rows = (await conn.execute(select(func.count()).select_from(bank_questions))).scalar_one()
    return int(bank_rows), int(question_rows)


async def test_an_error_at_question_37_names_file_question_and_field_and_stores_nothing(
    app: App, bank: Bank
) -> None:
    document = bank_document(bank, 40)
    del document["questions"][36]["answer"]
    reply = await app.service.handle(admin(), ImportBank("ours.json", as_bytes(document)))
    assert reply.cards == (
        Notice(
            "Nothing was imported.\nours.json: question 'ours-37' (#37): field 'answer': Field required",
            Tone.ERROR,
        ),
    )
    assert await rows(app) == (0, 0)


async def test_a_quality_error_is_located_too(app: App, bank: Bank) -> None:
    document = bank_document(bank, 5)
    quiz = document["questions"][2]["quiz"]
    quiz["wrong"][0]["text"] = quiz["correct"]  # a wrong option equal to the right one
    text = text_of(await app.service.handle(admin(), ImportBank("ours.json", as_bytes(document))))
    assert text.startswith("Nothing was imported.\nours.json: question 'ours-3' (#3): option too close")
    assert await rows(app) == (0, 0)


async def test_wrong_file_type_and_bad_bytes_are_refused_with_what_is_accepted(app: App) -> None:
    reply = await app.service.handle(admin(), ImportBank("ours.csv", b"a,b"))
    assert (
        text_of(reply) == "Nothing was imported.\nours.csv: upload a .json bank file or a .md question list"
    )
    reply = await app.service.handle(admin(), ImportBank("ours.json", b"\xff\xfe{"))
    assert text_of(reply) == "Nothing was imported.\nours.json: not UTF-8 text (byte 0)"
    reply = await app.service.handle(admin(), ImportBank("builtin.json", b"{}"))
    assert "cannot name a bank" in text_of(reply)
    assert await rows(app) == (0, 0)


async def test_import_stores_a_version_and_a_second_upload_is_the_next(app: App, bank: Bank) -> None:
    reply = await app.service.handle(admin(), ImportBank("ours.json", as_bytes(bank_document(bank, 12))))
    first = text_of(reply)
    assert first.startswith("Imported bank 'ours' version 1: 12 questions.")
    # copies of bundled questions under the same topic: flagged as possible duplicates
    assert "'ours-1': possible duplicate of 'what-is-machine-learning' (100% alike)" in first
    reply = await app.service.handle(admin(), ImportBank("ours.json", as_bytes(bank_document(bank, 3))))
    assert text_of(reply).startswith("Imported bank 'ours' version 2: 3 questions.")
    async with app.engine.connect() as conn:
        current = await bank_store.current_questions(conn, "test", "W1")
        old = await bank_store.find_question(conn, "test", "W1", "ours", "ours-12")
    assert [q.id for q in current["ours"]] == ["ours-1", "ours-2", "ours-3"]
    assert old is not None and old.question == bank.questions[11].question
    assert await rows(app) == (1, 15)


async def test_banks_are_per_workspace(app: App, bank: Bank) -> None:
    await app.service.handle(admin(workspace="W1"), ImportBank("ours.json", as_bytes(bank_document(bank, 2))))
    listed = (await app.service.handle(member(workspace="W2"), ListBanks())).cards[0]
    assert isinstance(listed, TableCard)
    assert [row[0] for row in listed.rows] == ["builtin"]
    listed = (await app.service.handle(member(workspace="W1"), ListBanks())).cards[0]
    assert isinstance(listed, TableCard)
    assert [row[:3] for row in listed.rows] == [("builtin", "-", "100"), ("ours", "1", "2")]


async def test_removing_keeps_the_questions_for_history(app: App, bank: Bank) -> None:
    await app.service.handle(admin(), ImportBank("ours.json", as_bytes(bank_document(bank, 2))))
    reply = await app.service.handle(admin(), RemoveBank("ours"))
    assert text_of(reply).startswith("Removed bank 'ours'.")
    listed = (await app.service.handle(admin(), ListBanks())).cards[0]
    assert isinstance(listed, TableCard) and [row[0] for row in listed.rows] == ["builtin"]
    async with app.engine.connect() as conn:
        assert await bank_store.current_questions(conn, "test", "W1") == {}
        kept = await bank_store.find_question(conn, "test", "W1", "ours", "ours-2")
    assert kept is not None and kept.question == bank.questions[1].question
    assert text_of(await app.service.handle(admin(), RemoveBank("ours"))).startswith(
        "There is no bank 'ours'"
    )
    assert "cannot be removed" in text_of(await app.service.handle(admin(), RemoveBank("builtin")))


async def test_members_cannot_import_or_remove(app: App, bank: Bank) -> None:
    for command in (ImportBank("ours.json", as_bytes(bank_document(bank, 2))), RemoveBank("ours")):
        reply = await app.service.handle(member(), command)
        assert text_of(reply).startswith("Only admins of this channel can do that")
    assert await rows(app) == (0, 0)


async def test_a_markdown_list_imports_with_warnings_for_what_markdown_cannot_say(app: App) -> None:
    markdown = (
        "### Graphs\n\n1. **What is a spanning tree?**\n   - A tree that connects every vertex of a graph.\n"
        "2. **What is Dijkstra's algorithm?**\n"
        "   - Shortest paths from one source with non-negative weights.\n"
    )
    reply = await app.service.handle(admin(), ImportBank("graphs.md", markdown.encode()))
    text = text_of(reply)
    assert text.startswith("Imported bank 'graphs' version 1: 2 questions.")
    assert "2 warnings (fields to fill in), e.g. graphs.md: question 'spanning-tree' (#1): missing" in text


async def test_console_imports_a_file_by_path_and_lists_it(
    sqlite_db: str, bank: Bank, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "team.json"
    path.write_text(json.dumps(bank_document(bank, 3, prefix="team")))
    output = flat(
        await play(
            sqlite_db, bank, clock, f"bank import {path}\nbank list\nbank import {tmp_path}/nope.md\nquit\n"
        )
    )
    assert "Imported bank 'team' version 1: 3 questions." in output
    assert "team 1 3" in output
    assert f"Cannot read {tmp_path}/nope.md: No such file or directory" in output


async def test_console_submit_queue_and_approve(sqlite_db: str, bank: Bank, clock: FakeClock) -> None:
    lines = (
        "submit Graphs | What is a spanning tree? | A tree that connects every vertex without cycles. "
        "| easy | every vertex; without cycles/acyclic | credit\n"
        "bank queue\nbank queue approve 1\nbank mine\nbank queue approve x\nquit\n"
    )
    output = flat(await play(sqlite_db, bank, clock, lines))
    assert "Thanks! Your question is #1 in the queue" in output
    assert "alice (credit)" in output and "Graphs · easy" in output
    assert "Approved #1: members:spanning-tree in bank 'members' version 1." in output
    assert "was approved: it is members:spanning-tree now." in output
    assert "'x' is not a submission number." in output
