"""Payload builders for the fake Discord server (shapes accepted by discord.py 2.7).

Everything here is plain data: snowflakes, users, guilds, messages, threads, interaction
payloads and Discord-style validation errors. ``fake_discord.py`` wires them to HTTP and
the gateway.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS
    | ATTACH_FILES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)  # fmt: skip
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MANAGE_THREADS

# Message flags and interaction response types.
EPHEMERAL = 1 << 6
LOADING = 1 << 7
RESPONSE_MESSAGE = 4
RESPONSE_DEFERRED_MESSAGE = 5
RESPONSE_DEFERRED_UPDATE = 6
RESPONSE_UPDATE_MESSAGE = 7
RESPONSE_AUTOCOMPLETE = 8
RESPONSE_MODAL = 9


class Snowflakes:
    """Strictly increasing, realistic snowflake ids (as strings, like the API)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        """Return a new snowflake id."""
        now = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | 1 << 17
        self._last = max(now, self._last + 1)
        return str(self._last)


def iso_now() -> str:
    """Current time as an ISO-8601 timestamp, as the API sends it."""
    return datetime.now(UTC).isoformat()


def discord_error(code: int, message: str, errors: JSON | None = None) -> JSON:
    """A Discord JSON error body."""
    body: JSON = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return body


def user_payload(user_id: str, username: str, *, bot: bool = False) -> JSON:
    """A user object."""
    return {
        "id": user_id, "username": username, "discriminator": "0" if not bot else "1234",
        "global_name": None if bot else username.title(), "avatar": None, "public_flags": 0,
        "flags": 0, "bot": bot, "banner": None, "accent_color": None,
    }  # fmt: skip


@dataclass
class FakeGuild:
    """A guild the fake serves: raw role/channel payloads plus members keyed by a short name.

    ``members`` maps a key ("bot", "admin", "member", ...) to a member payload (with ``user``).
    """

    id: str
    name: str
    owner_id: str
    roles: list[JSON] = field(default_factory=list)
    channels: list[JSON] = field(default_factory=list)
    members: dict[str, JSON] = field(default_factory=dict)

    def role_id(self, name: str) -> str:
        """Id of the role called ``name`` ("@everyone" is the guild id)."""
        return next(str(r["id"]) for r in self.roles if r["name"] == name)

    def channel_id(self, name: str) -> str:
        """Id of the channel called ``name``."""
        return next(str(c["id"]) for c in self.channels if c["name"] == name)

    @property
    def text_channel_id(self) -> str:
        """Id of the first text channel."""
        return next(str(c["id"]) for c in self.channels if c["type"] == 0)

    def user(self, key: str) -> JSON:
        """User payload of the member stored under ``key``."""
        user: JSON = self.members[key]["user"]
        return user

    def member_permissions(self, key: str) -> int:
        """Guild-level permissions of a member: @everyone | its roles; owner/admin get all."""
        member = self.members[key]
        if member["user"]["id"] == self.owner_id:
            return ALL_PERMISSIONS
        role_ids = {self.id, *map(str, member["roles"])}
        perms = 0
        for role in self.roles:
            if str(role["id"]) in role_ids:
                perms |= int(role["permissions"])
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def guild_create_payload(self) -> JSON:
        """The GUILD_CREATE dispatch body."""
        return {
            "id": self.id, "name": self.name, "owner_id": self.owner_id, "icon": None,
            "splash": None, "discovery_splash": None, "banner": None, "description": None,
            "features": [], "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "preferred_locale": "en-US", "system_channel_id": None, "afk_channel_id": None,
            "afk_timeout": 300, "application_id": None, "joined_at": iso_now(), "large": False,
            "unavailable": False, "member_count": len(self.members), "roles": self.roles,
            "channels": self.channels, "members": list(self.members.values()), "threads": [],
            "presences": [], "voice_states": [], "emojis": [], "stickers": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "premium_subscription_count": 0, "max_members": 500000, "lazy": True,
        }  # fmt: skip


def role_payload(role_id: str, name: str, permissions: int, position: int, **extra: Any) -> JSON:
    """A role object (``permissions`` is sent as a string bitfield, like the API)."""
    role: JSON = {
        "id": role_id, "name": name, "permissions": str(permissions), "position": position,
        "color": 0, "colors": {"primary_color": 0}, "hoist": False, "managed": False,
        "mentionable": False, "icon": None, "unicode_emoji": None, "flags": 0,
    }  # fmt: skip
    role.update(extra)
    return role


def member_payload(user: JSON, roles: Sequence[str]) -> JSON:
    """A guild member object with its user."""
    return {
        "user": user, "roles": list(roles), "nick": None, "avatar": None, "banner": None,
        "joined_at": "2024-01-01T00:00:00+00:00", "premium_since": None, "deaf": False,
        "mute": False, "flags": 0, "pending": False, "communication_disabled_until": None,
    }  # fmt: skip


def text_channel_payload(channel_id: str, guild_id: str, name: str, position: int) -> JSON:
    """A guild text channel (type 0)."""
    return {
        "id": channel_id, "type": 0, "guild_id": guild_id, "name": name, "position": position,
        "parent_id": None, "topic": None, "nsfw": False, "last_message_id": None,
        "rate_limit_per_user": 0, "permission_overwrites": [], "flags": 0,
    }  # fmt: skip


def default_guild(ids: Snowflakes, bot_user: JSON, name: str = "Test Guild") -> FakeGuild:
    """A guild with #general and #daily, roles Moderator (Manage Server) / Member / the bot's
    managed role, and members "bot", "owner", "admin" (Moderator) and "member" (Member)."""
    gid = ids.next()
    owner = user_payload(ids.next(), "owner")
    admin = user_payload(ids.next(), "admin")
    plain = user_payload(ids.next(), "member")
    mod_role, member_role, bot_role = ids.next(), ids.next(), ids.next()
    roles = [
        role_payload(gid, "@everyone", EVERYONE_PERMISSIONS, 0),
        role_payload(member_role, "Member", EVERYONE_PERMISSIONS, 1),
        role_payload(mod_role, "Moderator", EVERYONE_PERMISSIONS | MANAGE_GUILD, 2),
        role_payload(bot_role, "dailyq", BOT_PERMISSIONS, 3, managed=True,
                     tags={"bot_id": bot_user["id"]}),
    ]  # fmt: skip
    channels = [
        text_channel_payload(ids.next(), gid, "general", 0),
        text_channel_payload(ids.next(), gid, "daily", 1),
    ]
    members = {
        "bot": member_payload(bot_user, [bot_role]),
        "owner": member_payload(owner, []),
        "admin": member_payload(admin, [mod_role]),
        "member": member_payload(plain, [member_role]),
    }
    return FakeGuild(gid, name, owner["id"], roles, channels, members)


def message_payload(
    message_id: str, channel_id: str, author: JSON, body: Mapping[str, Any], **extra: Any
) -> JSON:
    """A message object built from a create-message request body."""
    message: JSON = {
        "id": message_id, "channel_id": channel_id, "author": author, "type": 0,
        "content": body.get("content") or "", "timestamp": iso_now(), "edited_timestamp": None,
        "tts": bool(body.get("tts", False)), "mention_everyone": False, "mentions": [],
        "mention_roles": [], "attachments": list(body.get("attachments") or []),
        "embeds": list(body.get("embeds") or []), "components": list(body.get("components") or []),
        "reactions": [], "pinned": False, "flags": int(body.get("flags") or 0),
    }  # fmt: skip
    if body.get("nonce") is not None:
        message["nonce"] = body["nonce"]
    if body.get("message_reference"):
        message["type"] = 19
        message["message_reference"] = body["message_reference"]
    message.update(extra)
    return message


def thread_payload(
    thread_id: str, parent: JSON, owner_id: str, name: str, *, thread_type: int = 11,
    auto_archive_duration: int = 1440,
) -> JSON:  # fmt: skip
    """A thread channel object (type 11 public / 12 private) with the bot as member."""
    now = iso_now()
    return {
        "id": thread_id, "type": thread_type, "guild_id": parent["guild_id"],
        "parent_id": parent["id"], "owner_id": owner_id, "name": name, "last_message_id": None,
        "message_count": 0, "member_count": 1, "total_message_sent": 0, "flags": 0,
        "rate_limit_per_user": 0,
        "thread_metadata": {
            "archived": False, "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": now, "locked": False, "create_timestamp": now,
        },
        "member": {"id": thread_id, "user_id": owner_id, "join_timestamp": now, "flags": 0},
    }  # fmt: skip


# --------------------------------------------------------------------------- validation

_EMBED_LIMITS = {"title": 256, "description": 4096, "footer.text": 2048, "author.name": 256}


def _too_long(limit: int) -> JSON:
    return {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                         "message": f"Must be {limit} or fewer in length."}]}  # fmt: skip


def validate_message_body(body: Mapping[str, Any], *, has_files: bool = False) -> JSON | None:
    """Return a Discord 400 error body if ``body`` breaks message limits, else None."""
    errors: JSON = {}
    content = body.get("content") or ""
    if len(content) > 2000:
        errors["content"] = _too_long(2000)
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _too_long(10)
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in _EMBED_LIMITS.items():
            head, _, tail = key.partition(".")
            value = embed.get(head) if not tail else (embed.get(head) or {}).get(tail)
            total += len(value or "")
            if value and len(value) > limit:
                errors[f"embeds.{i}.{key}"] = _too_long(limit)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors[f"embeds.{i}.fields"] = _too_long(25)
        total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in fields)
    if total > 6000:
        errors["embeds"] = _too_long(6000)
    for path, item in _walk_components(body.get("components") or [], "components"):
        if len(item.get("custom_id") or "") > 100:
            errors[f"{path}.custom_id"] = _too_long(100)
        if item.get("type") == 2 and len(item.get("label") or "") > 80:
            errors[f"{path}.label"] = _too_long(80)
    if errors:
        return discord_error(50035, "Invalid Form Body", errors)
    keys = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    if not has_files and not any(body.get(k) for k in keys):
        return discord_error(50006, "Cannot send an empty message")
    return None


def _walk_components(items: Sequence[JSON], path: str) -> list[tuple[str, JSON]]:
    found: list[tuple[str, JSON]] = []
    for i, item in enumerate(items):
        found.append((f"{path}.{i}", item))
        found.extend(_walk_components(item.get("components") or [], f"{path}.{i}.components"))
    return found


# --------------------------------------------------------------------------- interactions


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def command_options(values: Mapping[str, Any] | Sequence[JSON] | None) -> list[JSON]:
    """Options from ``{"name": value}`` (type inferred: str 3, int 4, bool 5, float 10) or raw."""
    if values is None:
        return []
    if isinstance(values, Mapping):
        return [{"name": k, "type": _option_type(v), "value": v} for k, v in values.items()]
    return [dict(v) for v in values]


def slash_command_data(
    command: str, options: Mapping[str, Any] | Sequence[JSON] | None, command_id: str,
    *, command_guild_id: str | None = None, resolved: JSON | None = None,
) -> JSON:  # fmt: skip
    """``data`` for a type-2 interaction; "daily set" becomes a subcommand, "a b c" a group."""
    name, *path = command.split()
    opts = command_options(options)
    for depth, sub in reversed(list(enumerate(path))):
        is_group = len(path) == 2 and depth == 0
        opts = [{"name": sub, "type": 2 if is_group else 1, "options": opts}]
    data: JSON = {"id": command_id, "name": name, "type": 1, "options": opts}
    if command_guild_id:
        data["guild_id"] = command_guild_id
    if resolved:
        data["resolved"] = resolved
    return data


def button_row(custom_id: str, label: str = "Click", component_type: int = 2) -> JSON:
    """An action row holding one button (or a string select when ``component_type`` is 3)."""
    if component_type == 2:
        item: JSON = {"type": 2, "style": 1, "label": label, "custom_id": custom_id}
    else:
        item = {"type": component_type, "custom_id": custom_id, "options": [],
                "min_values": 1, "max_values": 1}  # fmt: skip
    return {"type": 1, "components": [item]}


def modal_components(values: Mapping[str, str], *, labels: bool = False) -> list[JSON]:
    """Submitted modal components for text inputs ``{custom_id: value}``.

    Classic layout is one action row per text input; ``labels=True`` uses Label (type 18)."""
    inputs = [{"type": 4, "custom_id": cid, "value": value} for cid, value in values.items()]
    if labels:
        return [{"type": 18, "component": item} for item in inputs]
    return [{"type": 1, "components": [item]} for item in inputs]


def interaction_payload(
    *, interaction_id: str, token: str, interaction_type: int, data: JSON, app_id: str,
    guild: FakeGuild, channel: JSON, member_key: str, permissions: int | None = None,
    message: JSON | None = None, locale: str = "en-US",
) -> JSON:  # fmt: skip
    """A full INTERACTION_CREATE body for a guild interaction by ``guild.members[member_key]``."""
    member = dict(guild.members[member_key])
    perms = guild.member_permissions(member_key) if permissions is None else permissions
    member["permissions"] = str(perms)
    keys = ("id", "type", "name", "guild_id", "position", "parent_id", "nsfw", "flags")
    channel_obj: JSON = {k: channel[k] for k in keys if k in channel}
    channel_obj["permissions"] = str(perms)
    payload: JSON = {
        "id": interaction_id, "type": interaction_type, "token": token, "version": 1,
        "application_id": app_id, "data": data, "guild_id": guild.id,
        "guild": {"id": guild.id, "locale": "en-US", "features": []},
        "channel_id": channel["id"], "channel": channel_obj, "member": member,
        "app_permissions": str(guild.member_permissions("bot")), "locale": locale,
        "guild_locale": "en-US", "entitlements": [], "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": guild.id}, "context": 0,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }  # fmt: skip
    if message is not None:
        payload["message"] = message
    return payload
