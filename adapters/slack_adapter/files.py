"""Files for one member (exports): uploaded to the member's direct messages with the bot.

``files_upload_v2`` makes the three calls Slack wants (``files.getUploadURLExternal``, the upload
itself, ``files.completeUploadExternal``); the file is shared only into the DM, never the channel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cards import Card, FileCard, Notice, Reply, Tone

log = logging.getLogger(__name__)

NOT_SENT = (
    "I could not send you the file in a direct message ({code}). Check that direct messages "
    "from apps are allowed, then try again."
)


def split_files(reply: Reply) -> tuple[tuple[FileCard, ...], tuple[Card, ...]]:
    """The files of a reply, and its other cards."""
    files = tuple(c for c in reply.cards if isinstance(c, FileCard))
    return files, tuple(c for c in reply.cards if not isinstance(c, FileCard))


async def send_files(client: AsyncWebClient, user_id: str, files: Sequence[FileCard]) -> tuple[Notice, ...]:
    """Upload ``files`` to the member's DM; returns what to tell the member (sent, or why not)."""
    try:
        opened = await client.conversations_open(users=user_id)
        channel = str(opened["channel"]["id"])
        for file in files:
            await client.files_upload_v2(
                channel=channel,
                file=file.data,
                filename=file.filename,
                title=file.filename,
                initial_comment=file.caption,
            )
    except SlackApiError as exc:
        code = str(exc.response.get("error") or "error")
        log.warning("file upload to %s failed: %s", user_id, code)
        return (Notice(NOT_SENT.format(code=code), Tone.ERROR),)
    except SlackRequestError as exc:
        log.warning("file upload to %s failed: %s", user_id, exc)
        return (Notice(NOT_SENT.format(code="upload failed"), Tone.ERROR),)
    names = ", ".join(f.filename for f in files)
    return (Notice(f"Sent {names} to your direct messages with dailyq.", Tone.SUCCESS),)
