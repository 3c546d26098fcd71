"""Discord: /bank import with an attachment, /submit's form, and moderation with a private outcome."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.bank.model import Bank, load_bank
from bot.config import BUNDLED_BANK
from bot.store.tables import bank_questions
from tests.fakes.discord_payloads import JSON
from tests.support.discord_harness import DiscordHarness, checked_bot

EPHEMERAL = 64


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    async with checked_bot(tmp_path, caplog, bank=load_bank([BUNDLED_BANK])) as harness:
        yield harness


def bank_bytes(bank: Bank, count: int, *, break_at: int | None = None) -> bytes:
    questions = []
    for index in range(count):
        question = bank.questions[index].model_dump(mode="json")
        question["id"] = f"ours-{index + 1}"
        if index + 1 == break_at:
            del question["answer"]
        questions.append(question)
    return json.dumps({"name": "Ours", "version": "1", "questions": questions}).encode()


async def import_file(h: DiscordHarness, user: str, filename: str, content: bytes) -> JSON:
    attachment = h.fake.add_attachment(filename, content)
    options = [{"name": "file", "type": 11, "value": attachment["id"]}]
    payload = h.fake.slash_command(
        "bank import",
        options,
        user=user,
        channel_id=h.channel_id,
        resolved={"attachments": {attachment["id"]: attachment}},
    )
    response = await h.respond(payload)
    return await h.final(payload, response)


def shown(message: JSON) -> str:
    return json.dumps(message.get("embeds", []))


async def stored(h: DiscordHarness) -> int:
    async with h.app.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(bank_questions))).scalar_one())


async def test_an_attachment_with_an_error_at_37_is_refused_with_its_location(h: DiscordHarness) -> None:
    bank = load_bank([BUNDLED_BANK])
    message = await import_file(h, "admin", "ours.json", bank_bytes(bank, 40, break_at=37))
    assert "Nothing was imported." in shown(message)
    assert "ours.json: question 'ours-37' (#37): field 'answer': Field required" in shown(message)
    assert await stored(h) == 0


async def test_an_admin_imports_and_a_member_is_refused_without_a_download(h: DiscordHarness) -> None:
    bank = load_bank([BUNDLED_BANK])
    refused = await import_file(h, "member", "ours.json", bank_bytes(bank, 3))
    assert "Only admins of this channel can do that" in shown(refused)
    assert h.fake.attachment_downloads == []
    message = await import_file(h, "admin", "ours.json", bank_bytes(bank, 3))
    assert "Imported bank 'ours' version 1: 3 questions." in shown(message)
    assert len(h.fake.attachment_downloads) == 1 and await stored(h) == 3


async def slash(h: DiscordHarness, command: str, options: dict[str, Any] | None, user: str) -> str:
    payload = h.fake.slash_command(command, options, user=user, channel_id=h.channel_id)
    response = await h.respond(payload)
    return shown(await h.final(payload, response))


async def test_moderation_end_to_end_with_a_private_outcome(h: DiscordHarness) -> None:
    opened = await h.slash("submit", {"difficulty": "easy", "credit": True}, user="member")
    assert opened["type"] == 9
    form = opened["data"]
    assert form["custom_id"] == "dailyq:submit:easy:1"
    inputs = [row["components"][0] for row in form["components"]]
    assert [(i["custom_id"], i["required"]) for i in inputs] == [
        ("topic", True),
        ("question", True),
        ("answer", True),
        ("key_points", False),
    ]
    submit = h.fake.modal_submit(
        "dailyq:submit:easy:1",
        {
            "topic": "Graphs",
            "question": "What is a spanning tree? @everyone",
            "answer": "A subgraph that is a tree and connects every vertex without cycles.",
            "key_points": "every vertex; without cycles/acyclic",
        },
        user="member",
    )
    response = await h.respond(submit)
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    assert "Your question is #1 in the queue" in shown(response["data"])
    for command, options in (
        ("bank queue", None),
        ("bank approve", {"number": 1}),
        ("bank reject", {"number": 1, "reason": "no"}),
        ("bank edit", {"number": 1, "field": "topic", "text": "Trees"}),
    ):
        assert "Only admins of this channel can do that" in await slash(h, command, options, "member"), (
            command
        )
    queue = await slash(h, "bank queue", None, "admin")
    assert "What is a spanning tree? @\\u200beveryone" in queue
    approved = await slash(h, "bank approve", {"number": 1}, "admin")
    assert "Approved #1: members:spanning-tree-everyone in bank 'members' version 1." in approved
    member_id = h.fake.guild.user("member")["id"]
    [dm] = h.fake.direct_messages(member_id)
    assert "was approved: it is members:spanning-tree-everyone now." in json.dumps(dm["embeds"])
    [sent] = h.fake.requests_to("POST", rf"/channels/{dm['channel_id']}/messages")
    assert sent.json["allowed_mentions"] == {"parse": []}


async def test_help_lists_the_bank_commands(h: DiscordHarness) -> None:
    text = json.dumps(await h.slash("help", None, user="member"))
    for usage in ("/bank import <file> [name]", "/bank queue", "/submit [difficulty] [credit]", "/daily set"):
        assert usage in text, usage


def autocomplete(h: DiscordHarness, command: str, values: dict[str, str], focused: str) -> JSON:
    """An autocomplete interaction (type 4) of ``command`` with ``focused`` being typed."""
    payload = h.fake.slash_command(command, values, user="admin", channel_id=h.channel_id)
    payload["type"] = 4
    options = payload["data"]["options"]
    while options and options[0]["type"] in (1, 2):
        options = options[0]["options"]
    for option in options:
        option["focused"] = option["name"] == focused
    return payload


def choice_values(response: JSON) -> list[str]:
    assert response["type"] == 8
    return [choice["value"] for choice in response["data"]["choices"]]


async def test_topic_autocomplete_offers_the_workspace_banks_topics(h: DiscordHarness) -> None:
    bank = load_bank([BUNDLED_BANK])
    data = json.loads(bank_bytes(bank, 3))
    for question, topic in zip(
        data["questions"], ("Deep Graph Learning", "Warm-ups", "Warm-ups"), strict=True
    ):
        question["topic"] = topic
    assert "Imported bank 'ours'" in shown(
        await import_file(h, "admin", "ours.json", json.dumps(data).encode())
    )
    bundled_deep = ["Neural Networks and Deep Learning", "Advanced Deep Learning Concepts"]
    # The channel still draws from the bundled bank alone: /question offers its topics only.
    assert (
        choice_values(await h.respond(autocomplete(h, "question", {"topic": "deep"}, "topic")))
        == bundled_deep
    )
    # /daily set with banks typed offers the topics of those banks, the workspace's included.
    typed = {"banks": "builtin, ours", "topics": "deep"}
    listed = await h.respond(autocomplete(h, "daily set", typed, "topics"))
    assert listed["data"]["choices"] == [
        {"name": "Neural Networks and Deep Learning", "value": "Neural Networks and Deep Learning"},
        {"name": "Advanced Deep Learning Concepts", "value": "Advanced Deep Learning Concepts"},
        {"name": "Deep Graph Learning", "value": "Deep Graph Learning"},
    ]
    typed = {"banks": "ours", "topics": "Warm-ups, "}
    assert choice_values(await h.respond(autocomplete(h, "daily set", typed, "topics"))) == [
        "Warm-ups, Deep Graph Learning"
    ]
    # Once the channel draws from ours alone, /question offers exactly ours' topics.
    assert "banks" in await slash(h, "daily set", {"time": "09:00", "banks": "ours"}, "admin")
    assert choice_values(await h.respond(autocomplete(h, "question", {"topic": ""}, "topic"))) == [
        "Deep Graph Learning",
        "Warm-ups",
    ]
    # ...and /daily set without banks typed goes by the channel's banks.
    typed = {"topics": "deep"}
    assert choice_values(await h.respond(autocomplete(h, "daily set", typed, "topics"))) == [
        "Deep Graph Learning"
    ]
