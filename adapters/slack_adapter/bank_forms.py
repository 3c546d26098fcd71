"""Slack modals of the bank commands: upload a bank file, submit a question; reading their submits.

Pure: view dicts in, commands out. ``/question bank import [as name]`` opens the upload form (a
``file_input``; slack_sdk has no model for it, so that block is a plain dict) and ``/question
submit`` without fields opens the submission form.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DividerBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.bank.commands import SubmitQuestion
from bot.text.bank_grammar import parse_key_points

IMPORT_CALLBACK = "dailyq:bank-import"
SUBMIT_CALLBACK = "dailyq:submit"
FILE_BLOCK = "file"
FILE_ACTION = "file"
FIELDS = ("topic", "question", "answer", "key_points")
DIFFICULTY_BLOCK = "difficulty"
CREDIT_BLOCK = "credit"
# a file name typed after "import" is ignored: on Slack the file comes through the form
_IMPORT = re.compile(r"^\s*banks?\s+(?:import|upload)\b(?:.*?\sas\s+(?P<name>\S+)\s*|.*)$", re.IGNORECASE)
_SUBMIT = re.compile(r"^\s*submit\s*$", re.IGNORECASE)


def form_for(text: str, channel_id: str) -> dict[str, Any] | None:
    """The modal a ``/question`` text opens instead of running a command, if any."""
    if match := _IMPORT.match(text):
        return import_modal(channel_id, match["name"])
    if _SUBMIT.match(text):
        return submit_modal(channel_id)
    return None


def _modal(callback_id: str, title: str, metadata: dict[str, Any], blocks: list[Any]) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text="Submit"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=[DividerBlock()],  # replaced below: the model cannot hold a file_input block
    ).to_dict()
    view["blocks"] = [b if isinstance(b, dict) else b.to_dict() for b in blocks]
    return view


def import_modal(channel_id: str, name: str | None) -> dict[str, Any]:
    """The upload form: one .json or .md file."""
    file_block = {
        "type": "input",
        "block_id": FILE_BLOCK,
        "label": {"type": "plain_text", "text": "Bank file (.json or .md)"},
        "hint": {
            "type": "plain_text",
            "text": "Checked like `dailyq bank check`; nothing is stored on errors.",
        },
        "element": {
            "type": "file_input",
            "action_id": FILE_ACTION,
            "filetypes": ["json", "md"],
            "max_files": 1,
        },
    }
    return _modal(IMPORT_CALLBACK, "Import a bank", {"channel": channel_id, "name": name}, [file_block])


def _text_input(
    field: str, label: str, *, multiline: bool, optional: bool, limit: int, hint: str
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=PlainTextObject(text=label),
        hint=PlainTextObject(text=hint) if hint else None,
        optional=optional,
        element=PlainTextInputElement(action_id=field, multiline=multiline, max_length=limit),
    )


def submit_modal(channel_id: str) -> dict[str, Any]:
    """The submission form: topic, question, answer, difficulty, optional key points, credit."""
    levels = [Option(value=level, label=level) for level in ("easy", "medium", "hard")]
    blocks = [
        _text_input("topic", "Topic", multiline=False, optional=False, limit=80, hint=""),
        _text_input("question", "Question", multiline=True, optional=False, limit=1000, hint=""),
        _text_input("answer", "Answer", multiline=True, optional=False, limit=1500, hint=""),
        InputBlock(
            block_id=DIFFICULTY_BLOCK,
            label=PlainTextObject(text="Difficulty"),
            element=StaticSelectElement(action_id=DIFFICULTY_BLOCK, options=levels, initial_option=levels[1]),
        ),
        _text_input(
            "key_points",
            "Key points",
            multiline=False,
            optional=True,
            limit=1000,
            hint="Optional. Groups separated by ';', synonyms by '/'. Left empty, some are suggested.",
        ),
        InputBlock(
            block_id=CREDIT_BLOCK,
            label=PlainTextObject(text="Credit"),
            optional=True,
            element=CheckboxesElement(
                action_id=CREDIT_BLOCK, options=[Option(value="yes", label="Name me with the question")]
            ),
        ),
    ]
    return _modal(SUBMIT_CALLBACK, "Submit a question", {"channel": channel_id}, blocks)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    return values if isinstance(values, dict) else {}


def submitted_file(view: dict[str, Any]) -> dict[str, Any] | None:
    """The file object of a submitted upload form (``name``, ``url_private_download``), or None."""
    field = (_values(view).get(FILE_BLOCK) or {}).get(FILE_ACTION) or {}
    files = field.get("files") or []
    return files[0] if files and isinstance(files[0], dict) else None


def submitted_question(view: dict[str, Any]) -> SubmitQuestion:
    """The command of a submitted submission form."""
    values = _values(view)

    def text(field: str) -> str:
        value = ((values.get(field) or {}).get(field) or {}).get("value")
        return value.strip() if isinstance(value, str) else ""

    selected = ((values.get(DIFFICULTY_BLOCK) or {}).get(DIFFICULTY_BLOCK) or {}).get("selected_option") or {}
    credit = ((values.get(CREDIT_BLOCK) or {}).get(CREDIT_BLOCK) or {}).get("selected_options") or []
    return SubmitQuestion(
        topic=text("topic"),
        question=text("question"),
        answer=text("answer"),
        difficulty=str(selected.get("value") or "medium"),
        key_points=parse_key_points(text("key_points")),
        credit=bool(credit),
    )
