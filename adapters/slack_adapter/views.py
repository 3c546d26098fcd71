"""Modals: the answer forms (daily and practice), a reply shown in a modal, and reading submissions.

Pure: builds view dicts with slack_sdk's ``View`` model and reads ``view_submission`` payloads.
What a form is about (round, channel, question) travels in ``private_metadata`` as JSON, so a
submission needs no server-side session.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from adapters.slack_adapter.blocks import QUESTION_BLOCK, VIEW_BLOCKS, reply_blocks, section
from adapters.slack_adapter.text import clip_mrkdwn, plain
from bot.cards import Card

ANSWER_CALLBACK = "dailyq:answer"
PRACTICE_CALLBACK = "dailyq:try"
CARD_CALLBACK = "dailyq:card"
APPEAL_CALLBACK = "dailyq:appeal"
MAX_REASON = 500  # the longest reason an appeal takes (bot.grades.appeals)
ANSWER_BLOCK = "answer"
ANSWER_INPUT = "text"
MAX_INPUT = 3000  # Slack's limit for a plain_text_input


def _answer_form(
    callback_id: str,
    title: str,
    metadata: dict[str, Any],
    question: str | None,
    hint: str,
    *,
    label: str = "Your answer",
    placeholder: str = "Explain it as you would in an interview",
    max_length: int = MAX_INPUT,
) -> dict[str, Any]:
    # Building the view with slack_sdk's models costs about 2 ms, inside the ack of every Answer
    # click; in a burst everyone in a channel opens the same form, so it is built once (a fresh
    # copy each time: callers may change it).
    meta = json.dumps(metadata, separators=(",", ":"))
    built = _built_form(callback_id, title, meta, question, hint, label, placeholder, max_length)
    result: dict[str, Any] = json.loads(built)
    return result


@lru_cache(maxsize=256)
def _built_form(
    callback_id: str,
    title: str,
    metadata: str,
    question: str | None,
    hint: str,
    label: str,
    placeholder: str,
    max_length: int,
) -> str:
    blocks: list[Block] = []
    if question:
        blocks.append(section(clip_mrkdwn(question, 3000)))
    blocks.append(
        InputBlock(
            block_id=ANSWER_BLOCK,
            label=PlainTextObject(text=label),
            hint=PlainTextObject(text=hint),
            element=PlainTextInputElement(
                action_id=ANSWER_INPUT,
                multiline=True,
                min_length=1,
                max_length=max_length,
                placeholder=PlainTextObject(text=placeholder),
            ),
        )
    )
    view = View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text="Submit"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=metadata,
        blocks=blocks,
    )
    return json.dumps(view.to_dict())


def answer_modal(round_id: int, channel_id: str, question: str | None = None) -> dict[str, Any]:
    """The free-text answer form of a daily round. ``question`` is safe mrkdwn (from the post)."""
    return _answer_form(
        ANSWER_CALLBACK,
        "Answer",
        {"round": round_id, "channel": channel_id},
        question,
        "Only you see your answer. You can change it until the reveal.",
    )


def practice_modal(question_id: str, channel_id: str, question: str | None = None) -> dict[str, Any]:
    """The answer form of a practice question: graded at once, the answer shown next."""
    return _answer_form(
        PRACTICE_CALLBACK,
        "Practice",
        {"question": question_id, "channel": channel_id},
        question,
        "Graded against the key points; no points, just practice.",
    )


def appeal_modal(round_id: int, channel_id: str) -> dict[str, Any]:
    """The form asking why a grade should change (reason in the same input as an answer)."""
    return _answer_form(
        APPEAL_CALLBACK,
        "Appeal your grade",
        {"round": round_id, "channel": channel_id},
        None,
        "An admin of this channel decides; you are told privately.",
        label="Why should it be graded again?",
        placeholder="e.g. I described the key point in other words",
        max_length=MAX_REASON,
    )


def reply_modal(cards: tuple[Card, ...], title: str = "dailyq") -> dict[str, Any]:
    """A modal showing a reply (practice question, answer, rating result); buttons still work."""
    view = View(
        type="modal",
        callback_id=CARD_CALLBACK,
        title=PlainTextObject(text=plain(title, 24)),
        close=PlainTextObject(text="Close"),
        blocks=reply_blocks(cards, VIEW_BLOCKS),
    )
    return view.to_dict()


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON ``private_metadata`` of a submitted view ({} when absent or not ours)."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def submitted_text(view: dict[str, Any]) -> str:
    """The text typed into an answer form."""
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(ANSWER_BLOCK) or {}).get(ANSWER_INPUT) or {}
    value = field.get("value")
    return value if isinstance(value, str) else ""


def question_text(message: dict[str, Any] | None) -> str | None:
    """The question's mrkdwn from the blocks of the message a button was on (ours, so safe)."""
    for block in (message or {}).get("blocks") or []:
        if isinstance(block, dict) and block.get("block_id") == QUESTION_BLOCK:
            text = (block.get("text") or {}).get("text")
            return text if isinstance(text, str) else None
    return None
