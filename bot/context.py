"""Who is asking and where: the platform-neutral identity of an inbound request."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ports import ChannelRef


@dataclass(frozen=True)
class Context:
    """The caller of a command: platform, workspace, channel, user, display name, admin flag."""

    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    display_name: str
    is_admin: bool = False

    @property
    def channel(self) -> ChannelRef:
        """The channel the command was issued in."""
        return ChannelRef(self.platform, self.workspace_id, self.channel_id)
