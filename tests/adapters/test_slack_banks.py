"""Slack: a bank file uploaded through the import form, and the moderation flow end to end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.slack_adapter.bank_forms import IMPORT_CALLBACK, SUBMIT_CALLBACK
from bot.bank.model import Bank
from bot.store.tables import bank_questions, submissions
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SlackBot, running_slack_bot
from tests.fakes.slack_payloads import CHANNEL_ID, USER_ID, slash_command, view_submission
from tests.support.clock import FakeClock


@pytest.fixture
async def slack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank, clock: FakeClock
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(monkeypatch, tmp_path, bank, clock) as bot:
        yield bot


def bank_bytes(bank: Bank, count: int, *, break_at: int | None = None) -> bytes:
    questions = []
    for index in range(count):
        question = bank.questions[index].model_dump(mode="json")
        question["id"] = f"ours-{index + 1}"
        if index + 1 == break_at:
            del question["answer"]
        questions.append(question)
    return json.dumps({"name": "Ours", "version": "1", "questions": questions}).encode()


def modal_text(reply_json: dict[str, Any]) -> str:
    return json.dumps(reply_json["view"]["blocks"])


async def stored_questions(slack: SlackBot) -> int:
    async with slack.core.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(bank_questions))).scalar_one())


async def open_form(slack: SlackBot, text: str, user: str) -> dict[str, Any]:
    reply = await slack.send(slash_command(text, user_id=user, response_url=slack.fake.new_response_url()))
    assert reply.status == 200 and reply.text == ""
    await slack.settle()
    return dict(slack.fake.calls("views.open")[-1].args["view"])


def upload(slack: SlackBot, user: str, name: str, content: bytes, metadata: str) -> Any:
    file = slack.fake.add_file(name, content)
    values = {"file": {"file": {"type": "file_input", "files": [file]}}}
    return view_submission(IMPORT_CALLBACK, values, private_metadata=metadata, user_id=user)


async def test_bank_import_opens_a_file_form(slack: SlackBot) -> None:
    view = await open_form(slack, "bank import as ours", ADMIN_ID)
    assert view["callback_id"] == IMPORT_CALLBACK
    assert json.loads(view["private_metadata"]) == {"channel": CHANNEL_ID, "name": "ours"}
    assert view["blocks"] == [
        {
            "type": "input",
            "block_id": "file",
            "label": {"type": "plain_text", "text": "Bank file (.json or .md)"},
            "hint": {
                "type": "plain_text",
                "text": "Checked like `dailyq bank check`; nothing is stored on errors.",
            },
            "element": {
                "type": "file_input",
                "action_id": "file",
                "filetypes": ["json", "md"],
                "max_files": 1,
            },
        }
    ]


async def test_an_uploaded_file_with_an_error_at_37_is_refused_with_its_location(
    slack: SlackBot, bank: Bank
) -> None:
    metadata = json.dumps({"channel": CHANNEL_ID, "name": None})
    reply = await slack.send(
        upload(slack, ADMIN_ID, "ours.json", bank_bytes(bank, 40, break_at=37), metadata)
    )
    assert reply.status == 200
    body = reply.json()
    assert body["response_action"] == "update"
    assert "ours.json: question 'ours-37' (#37): field 'answer': Field required" in modal_text(body)
    assert "Nothing was imported." in modal_text(body)
    assert await stored_questions(slack) == 0
    download = slack.fake.calls("file download")[-1]
    assert download.headers["Authorization"].startswith("Bearer xoxb-")


async def test_an_admin_imports_a_file_and_a_member_is_refused_without_a_download(
    slack: SlackBot, bank: Bank
) -> None:
    metadata = json.dumps({"channel": CHANNEL_ID, "name": None})
    refused = await slack.send(upload(slack, USER_ID, "ours.json", bank_bytes(bank, 3), metadata))
    assert "Only admins of this channel can do that" in modal_text(refused.json())
    assert slack.fake.calls("file download") == []
    reply = await slack.send(upload(slack, ADMIN_ID, "ours.json", bank_bytes(bank, 3), metadata))
    assert "Imported bank 'ours' version 1: 3 questions." in modal_text(reply.json())
    assert await stored_questions(slack) == 3
    listed = await slack.command("bank list")
    assert "ours" in json.dumps(listed["blocks"])


async def test_moderation_end_to_end_with_a_private_outcome(slack: SlackBot) -> None:
    view = await open_form(slack, "submit", USER_ID)
    assert view["callback_id"] == SUBMIT_CALLBACK
    assert [b["block_id"] for b in view["blocks"]] == [
        "topic",
        "question",
        "answer",
        "difficulty",
        "key_points",
        "credit",
    ]
    values = {
        "topic": {"topic": {"type": "plain_text_input", "value": "Graphs"}},
        "question": {
            "question": {"type": "plain_text_input", "value": "What is a spanning tree <@U0ADMIN>?"}
        },
        "answer": {
            "answer": {
                "type": "plain_text_input",
                "value": "A subgraph that is a tree and connects every vertex without cycles.",
            }
        },
        "difficulty": {"difficulty": {"type": "static_select", "selected_option": {"value": "easy"}}},
        "key_points": {
            "key_points": {"type": "plain_text_input", "value": "every vertex; without cycles/acyclic"}
        },
        "credit": {"credit": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
    }
    metadata = json.dumps({"channel": CHANNEL_ID})
    reply = await slack.send(view_submission(SUBMIT_CALLBACK, values, private_metadata=metadata))
    assert "Your question is #1 in the queue" in modal_text(reply.json())
    for text in ("bank queue", "bank queue approve 1", "bank queue reject 1 no", "bank queue edit 1 topic X"):
        refused = await slack.command(text)
        assert "Only admins of this channel can do that" in json.dumps(refused), text
    queue = await slack.command("bank queue", user=ADMIN_ID, name=ADMIN_NAME)
    assert "What is a spanning tree [mention]?" in json.dumps(queue)
    approved = await slack.command("bank queue approve 1", user=ADMIN_ID, name=ADMIN_NAME)
    assert "Approved #1: members:spanning-tree-mention in bank 'members' version 1." in json.dumps(approved)
    dm = slack.fake.calls("chat.postMessage")[-1].args
    assert dm["channel"] == USER_ID
    assert "was approved: it is members:spanning-tree-mention now." in dm["text"]
    async with slack.core.engine.connect() as conn:
        told = (await conn.execute(select(submissions.c.told_at))).scalar_one()
    assert told is not None


async def test_a_typed_file_name_still_opens_the_form(slack: SlackBot) -> None:
    view = await open_form(slack, "bank import ours.json as team", ADMIN_ID)
    assert view["callback_id"] == IMPORT_CALLBACK
    assert json.loads(view["private_metadata"]) == {"channel": CHANNEL_ID, "name": "team"}
