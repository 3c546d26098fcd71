"""The permissions the bot needs, for the invite link and for checking a channel at ``/daily set``.

Posting needs View Channel, Send Messages and Embed Links. The reveal goes into a thread made
from the post (Create Public Threads, Send Messages in Threads); without those it falls back to
a reply, which needs Read Message History. Nothing else is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

# (discord.Permissions attribute, name shown in Discord's UI)
NEEDED_TO_POST: tuple[tuple[str, str], ...] = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
)
NEEDED_FOR_THREADS: tuple[tuple[str, str], ...] = (
    ("create_public_threads", "Create Public Threads"),
    ("send_messages_in_threads", "Send Messages in Threads"),
)
NEEDED_FOR_REPLIES: tuple[tuple[str, str], ...] = (("read_message_history", "Read Message History"),)
SCOPES = ("bot", "applications.commands")
POSTABLE_CHANNELS = frozenset({discord.ChannelType.text, discord.ChannelType.news})


def invite_permissions() -> discord.Permissions:
    """Exactly the permissions the bot asks for when it is invited."""
    names = NEEDED_TO_POST + NEEDED_FOR_THREADS + NEEDED_FOR_REPLIES
    return discord.Permissions(**{attribute: True for attribute, _ in names})


def invite_url(client_id: int) -> str:
    """The OAuth2 URL that adds the bot with its slash commands and exactly its permissions."""
    return discord.utils.oauth_url(client_id, permissions=invite_permissions(), scopes=SCOPES)


@dataclass(frozen=True)
class ChannelCheck:
    """Problems of a channel for daily posts: ``blocking`` ones stop ``/daily set``; warnings do not."""

    wrong_type: bool = False
    missing: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        """Whether the bot cannot post here at all."""
        return self.wrong_type or bool(self.missing)

    def refusal(self) -> str:
        """The message ``/daily set`` answers when the channel is blocking."""
        if self.wrong_type:
            return (
                "The daily question can only be scheduled in a text or announcement channel. "
                "Nothing was changed."
            )
        return (
            f"I can't post the daily question in this channel: I'm missing {', '.join(self.missing)}. "
            "Give my role these permissions in the channel settings, then run /daily set again. "
            "Nothing was changed."
        )


def _missing(permissions: discord.Permissions, names: tuple[tuple[str, str], ...]) -> list[str]:
    return [label for attribute, label in names if not getattr(permissions, attribute)]


def check_channel(permissions: discord.Permissions, channel_type: discord.ChannelType | None) -> ChannelCheck:
    """Check the bot's resolved permissions (``interaction.app_permissions``) in a channel."""
    if channel_type is not None and channel_type not in POSTABLE_CHANNELS:
        return ChannelCheck(wrong_type=True)
    missing = _missing(permissions, NEEDED_TO_POST)
    if missing:
        return ChannelCheck(missing=tuple(missing))
    no_threads = _missing(permissions, NEEDED_FOR_THREADS)
    if not no_threads:
        return ChannelCheck()
    fallback = "a plain message" if _missing(permissions, NEEDED_FOR_REPLIES) else "a reply to the question"
    return ChannelCheck(
        warnings=(
            f"I lack {', '.join(no_threads)} here, so each reveal will be {fallback} instead of a thread.",
        )
    )
