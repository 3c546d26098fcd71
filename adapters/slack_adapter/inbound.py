"""Inbound payloads -> who is asking, where, and from which surface (pure, no I/O).

Slack spells the same facts differently per payload: a slash command has ``team_id`` and
``user_name`` at the top level, interactivity has ``team.id`` and ``user.username``, a view
submission has no channel at all (ours carry it in ``private_metadata``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.context import Context

PLATFORM = "slack"


def team_id(body: dict[str, Any]) -> str:
    """The workspace of a payload."""
    team = body.get("team") if isinstance(body.get("team"), dict) else {}
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    return str(body.get("team_id") or (team or {}).get("id") or (user or {}).get("team_id") or "")


def user_id(body: dict[str, Any]) -> str:
    """The user who sent a slash command or clicked / submitted something."""
    user = body.get("user")
    return str(user.get("id", "")) if isinstance(user, dict) else str(body.get("user_id") or user or "")


def user_name(body: dict[str, Any]) -> str:
    """The user's handle as Slack sends it (``user_name`` / ``user.username``), else the id."""
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("username") or user.get("name") or user.get("id") or "")
    return str(body.get("user_name") or body.get("user_id") or "")


def channel_id(body: dict[str, Any]) -> str | None:
    """The channel a slash command or a message button came from (None for modals and Home)."""
    channel = body.get("channel")
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    found = (
        body.get("channel_id")
        or (channel.get("id") if isinstance(channel, dict) else None)
        or (container or {}).get("channel_id")
    )
    return str(found) if found else None


def context(body: dict[str, Any], *, channel: str | None = None, is_admin: bool = False) -> Context:
    """The core's ``Context`` of a payload. Without a channel (Home, modals) the user's own id
    stands in: only practice commands, which never touch a channel, come from there."""
    uid = user_id(body)
    return Context(
        platform=PLATFORM,
        workspace_id=team_id(body),
        channel_id=channel or channel_id(body) or uid,
        user_id=uid,
        display_name=user_name(body),
        is_admin=is_admin,
    )


@dataclass(frozen=True)
class Surface:
    """Where a clicked button lives, which decides how to show the reply.

    ``message``: a channel or ephemeral message (reply through ``response_url``); ``modal``: an
    open modal (``views.update``); ``home``: the App Home tab (open a new modal).
    """

    kind: Literal["message", "modal", "home"]
    response_url: str | None = None
    view_id: str | None = None
    view_hash: str | None = None
    ephemeral: bool = False


def surface(body: dict[str, Any]) -> Surface:
    """The surface of a ``block_actions`` payload."""
    view = body.get("view") if isinstance(body.get("view"), dict) else None
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    if view is not None:
        if view.get("type") == "home":
            return Surface("home")
        return Surface("modal", view_id=view.get("id"), view_hash=view.get("hash"))
    return Surface(
        "message",
        response_url=body.get("response_url") or None,
        ephemeral=bool((container or {}).get("is_ephemeral")),
    )
