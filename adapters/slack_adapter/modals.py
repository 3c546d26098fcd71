"""The modals: which one a click opens, and what their submissions do.

A submission's answer is stored *before* the ack, because the ack is where an error is shown in
the modal (``response_action: errors``) and where success closes it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_adapter import inbound
from adapters.slack_adapter.actions import Clicked, round_id
from adapters.slack_adapter.background import Background
from adapters.slack_adapter.blocks import reply_message
from adapters.slack_adapter.outbound import STALE_BUTTON
from adapters.slack_adapter.text import plain
from adapters.slack_adapter.views import (
    ANSWER_BLOCK,
    answer_modal,
    appeal_modal,
    metadata,
    practice_modal,
    question_text,
    reply_modal,
    submitted_text,
)
from bot.cards import ActionKind, Outcome
from bot.commands import AppealGrade, PracticeAnswer, SubmitAnswer
from bot.service import Service

MAX_FIELD_ERROR = 300  # what a modal shows of an error under a field, in characters


def form_of(body: dict[str, Any], clicked: Clicked | None) -> dict[str, Any] | None:
    """The modal a click opens (built from the payload alone, no I/O), or None."""
    if clicked is None:
        return None
    channel = inbound.channel_id(body) or inbound.user_id(body)
    if clicked.kind is ActionKind.ANSWER:
        rid = round_id(clicked.value)
        if rid is not None and inbound.channel_id(body):
            return answer_modal(rid, channel, question_text(body.get("message")))
    elif clicked.kind is ActionKind.APPEAL:
        rid = round_id(clicked.value)
        if rid is not None:
            return appeal_modal(rid, channel)
    elif clicked.kind is ActionKind.PRACTICE_ANSWER and clicked.value:
        question = question_text(body.get("message") or body.get("view"))
        return practice_modal(clicked.value, channel, question)
    return None


def refusal(reason: str) -> dict[str, Any]:
    """The ack that keeps a modal open with ``reason`` under its answer field."""
    return {"response_action": "errors", "errors": {ANSWER_BLOCK: plain(reason, MAX_FIELD_ERROR)}}


class ModalSubmits:
    """The ``view_submission`` listeners of the answer, practice and appeal modals."""

    def __init__(self, service: Service, tasks: Background) -> None:
        self.service = service
        self.tasks = tasks

    async def on_answer_submit(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """Store a daily answer, then ack: errors stay in the modal, success closes it."""
        data = metadata(view)
        rid, channel = data.get("round"), data.get("channel")
        if not isinstance(rid, int) or not isinstance(channel, str) or not channel:
            await ack(**refusal(STALE_BUTTON))
            return
        ctx = inbound.context(body, channel=channel)
        reply = await self.service.handle(ctx, SubmitAnswer(round_id=rid, text=submitted_text(view)))
        if reply.outcome is Outcome.REFUSED:
            await ack(**refusal(reply.reason))
        elif reply.outcome is Outcome.DONE:
            await ack()
            payload = reply_message(reply)
            self.tasks.spawn(
                self._post_ephemeral(client, channel, ctx.user_id, payload), "answer confirmation"
            )
        else:  # CLOSED: the modal turns into how the round ended
            await ack(response_action="update", view=reply_modal(reply.cards, "Answer"))

    async def _post_ephemeral(
        self, client: AsyncWebClient, channel: str, user: str, payload: dict[str, Any]
    ) -> None:
        await client.chat_postEphemeral(channel=channel, user=user, **payload)

    async def on_practice_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Grade a practice answer; the modal turns into the answer with rating buttons."""
        data = metadata(view)
        question = data.get("question")
        channel = data.get("channel")
        ctx = inbound.context(body, channel=channel if isinstance(channel, str) else None)
        command = PracticeAnswer(submitted_text(view), question if isinstance(question, str) else None)
        reply = await self.service.handle(ctx, command)
        if reply.outcome is Outcome.REFUSED:
            await ack(**refusal(reply.reason))
        else:
            await ack(response_action="update", view=reply_modal(reply.cards, "Practice"))

    async def on_appeal_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """File an appeal, then ack: a refusal stays in the modal, success replaces it."""
        data = metadata(view)
        rid, channel = data.get("round"), data.get("channel")
        if not isinstance(rid, int) or not isinstance(channel, str) or not channel:
            await ack(**refusal(STALE_BUTTON))
            return
        ctx = inbound.context(body, channel=channel)
        reply = await self.service.handle(ctx, AppealGrade(reason=submitted_text(view), round_id=rid))
        if reply.outcome is Outcome.REFUSED:
            await ack(**refusal(reply.reason))
        else:
            await ack(response_action="update", view=reply_modal(reply.cards, "Appeal"))
