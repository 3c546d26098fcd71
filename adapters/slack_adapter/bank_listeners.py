"""Bolt listeners of the bank forms: an uploaded bank file, a submitted question; and DMs.

Both forms run the core before the ack, as the answer form does: the ack is where the modal
shows the outcome. The uploaded file is downloaded from ``url_private_download`` with the bot
token (Slack serves private files only to an authorised bearer).
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_adapter import inbound
from adapters.slack_adapter.bank_forms import (
    FILE_BLOCK,
    IMPORT_CALLBACK,
    SUBMIT_CALLBACK,
    submitted_file,
    submitted_question,
)
from adapters.slack_adapter.blocks import reply_message
from adapters.slack_adapter.directory import Directory
from adapters.slack_adapter.views import metadata, reply_modal
from bot.bank.commands import ImportBank
from bot.bank.upload import MAX_BYTES
from bot.cards import Card, Reply
from bot.service import Service

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=2.0)


class DownloadError(Exception):
    """The uploaded file could not be fetched from Slack."""


async def download(client: AsyncWebClient, url: str) -> bytes:
    """A private Slack file's bytes (at most the upload limit plus one byte, so a too-large file
    is refused by the core with its size rule)."""
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session,
            session.get(url, headers=headers) as response,
        ):
            if response.status != 200:
                raise DownloadError(f"Slack answered {response.status} for the file")
            return await response.content.read(MAX_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DownloadError(f"could not fetch the file ({type(exc).__name__})") from None


class BankListeners:
    """The upload and submission forms' submit handlers."""

    def __init__(self, service: Service, directory: Directory) -> None:
        self.service = service
        self.directory = directory

    def register(self, app: AsyncApp) -> None:
        """Attach the form listeners."""
        app.view(IMPORT_CALLBACK)(self.on_import_submit)
        app.view(SUBMIT_CALLBACK)(self.on_question_submit)

    async def on_import_submit(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """Download the file (admins only) and import it; the modal shows the outcome."""
        data = metadata(view)
        channel = data.get("channel")
        admin = await self.directory.is_admin(inbound.team_id(body), inbound.user_id(body))
        ctx = inbound.context(body, channel=channel if isinstance(channel, str) else None, is_admin=admin)
        name = data.get("name") if isinstance(data.get("name"), str) else None
        file = submitted_file(view)
        if file is None:
            await ack(response_action="errors", errors={FILE_BLOCK: "Choose a .json or .md file."})
            return
        filename = str(file.get("name") or "upload")
        content = b""
        if admin:  # a member's upload is refused by the core without fetching it
            try:
                content = await download(client, str(file.get("url_private_download") or ""))
            except DownloadError as exc:
                await ack(response_action="errors", errors={FILE_BLOCK: f"{exc}; please try again."})
                return
        reply = await self.service.handle(ctx, ImportBank(filename, content, name))
        await ack(response_action="update", view=reply_modal(reply.cards, "Bank import"))

    async def on_question_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Queue the submitted question; the modal shows the outcome (duplicates included)."""
        data = metadata(view)
        channel = data.get("channel")
        ctx = inbound.context(body, channel=channel if isinstance(channel, str) else None)
        reply = await self.service.handle(ctx, submitted_question(view))
        await ack(response_action="update", view=reply_modal(reply.cards, "Submit a question"))


class SlackNotifier:
    """The core's ``Notifier``: a direct message from the bot (``chat.postMessage`` to a user id
    opens the DM)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def tell(self, platform: str, workspace_id: str, user_id: str, card: Card) -> bool:
        """Send ``card`` to ``user_id`` privately; False when Slack refused."""
        try:
            await self.client.chat_postMessage(channel=user_id, **reply_message(Reply((card,))))
        except SlackApiError as exc:
            log.warning("direct message to %s failed: %s", user_id, exc.response.get("error"))
            return False
        return True
