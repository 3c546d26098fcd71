"""Showing a reply where the user acted: ``response_url``, an ephemeral, a modal or a new form.

Also joining a channel before a command that will post there, and opening (or pushing) a form
with a click's trigger_id.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_adapter.blocks import reply_message
from adapters.slack_adapter.inbound import Surface
from adapters.slack_adapter.views import reply_modal
from bot.cards import Card, Notice, Reply, Tone
from bot.context import Context

log = logging.getLogger(__name__)

FORM_NOT_OPENED = "Slack did not open the form in time. Press the button again."
STALE_BUTTON = "That button is out of date. `/question help` lists what you can do."
NOT_IN_CHANNEL = Notice(
    "I cannot see this channel (a private channel?). Invite me with `/invite @dailyq` "
    "so the daily question can be posted here.",
    Tone.ERROR,
)
# Slack's answers to a trigger_id that can no longer open a form: the user's to retry
UNUSABLE_TRIGGER = ("expired_trigger_id", "invalid_trigger_id", "trigger_exchanged")


async def join(client: AsyncWebClient, channel_id: str) -> tuple[Card, ...]:
    """Join a public channel so posts can go out; warn when the bot cannot see the channel."""
    try:
        await client.conversations_join(channel=channel_id)
    except SlackApiError as exc:
        code = exc.response.get("error")
        if code == "channel_not_found":
            return (NOT_IN_CHANNEL,)
        if code != "method_not_supported_for_channel_type":  # private channels and DMs
            log.warning("conversations.join %s failed: %s", channel_id, code)
    return ()


async def open_view(
    client: AsyncWebClient, body: dict[str, Any], where: Surface, view: dict[str, Any]
) -> bool:
    """Open (or, inside a modal, push) ``view``; False when Slack would not open it.

    A trigger_id is valid once, for 3 s: a click that waited too long in a queue, or a
    payload without one, cannot open a form. That is the user's to retry, not an error."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        log.warning("click without a trigger_id: no form opened")
        return False
    try:
        if where.kind == "modal":
            await client.views_push(trigger_id=trigger, view=view)
        else:
            await client.views_open(trigger_id=trigger, view=view)
    except SlackApiError as exc:
        code = exc.response.get("error")
        if code not in UNUSABLE_TRIGGER:
            raise
        log.warning("form not opened: %s", code)
        return False
    return True


async def respond_with(
    reply: Reply,
    ctx: Context,
    respond: AsyncRespond,
    client: AsyncWebClient,
    *,
    replace: bool | None = None,
) -> None:
    """Show a reply in the conversation: through ``response_url``, else as an ephemeral."""
    payload = reply_message(reply)
    if respond.response_url:
        kind = "ephemeral" if reply.ephemeral else "in_channel"
        await respond(response_type=kind, replace_original=replace, **payload)
    else:
        await client.chat_postEphemeral(channel=ctx.channel_id, user=ctx.user_id, **payload)


async def show(
    reply: Reply,
    ctx: Context,
    body: dict[str, Any],
    where: Surface,
    respond: AsyncRespond,
    client: AsyncWebClient,
    *,
    replace: bool = False,
) -> None:
    """Show a click's reply on the surface it came from: the modal, the App Home or the chat."""
    if where.kind == "modal" and where.view_id:
        await client.views_update(view_id=where.view_id, hash=where.view_hash, view=reply_modal(reply.cards))
    elif where.kind == "home":
        await open_view(client, body, where, reply_modal(reply.cards))
    else:
        await respond_with(reply, ctx, respond, client, replace=replace and where.ephemeral)
