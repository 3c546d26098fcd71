"""In-memory Slack workspace state and Web API method bodies for ``FakeSlack``.

Methods named ``_<something>`` take the parsed request arguments and return the JSON body.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo


@dataclass
class FakeUser:
    """A workspace member returned by users.info."""

    id: str
    name: str = "member"
    is_admin: bool = False
    is_owner: bool = False
    tz: str = "UTC"
    is_bot: bool = False
    deleted: bool = False

    def to_api(self, team_id: str) -> dict[str, Any]:
        """Render the users.info ``user`` object."""
        offset = datetime.now(ZoneInfo(self.tz)).utcoffset()
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.name,
            "deleted": self.deleted,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_bot": self.is_bot,
            "profile": {"real_name": self.name, "display_name": self.name},
        }


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


class SlackWorkspace:
    """Messages, views, users and channels of one fake workspace."""

    url: str = ""

    def __init__(
        self,
        *,
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        app_id: str = "A0APP",
    ) -> None:
        self.team_id, self.bot_user_id, self.bot_id, self.app_id = (team_id, bot_user_id, bot_id, app_id)
        self.history: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, oldest first
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}  # view id -> view (modals)
        self.home_views: dict[str, dict[str, Any]] = {}  # user id -> published home view
        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}  # user group id (S...) -> member user ids
        self.usergroup_handles: dict[str, str] = {}  # user group id -> handle (``@data-team``)
        self._ids = itertools.count(1)
        self._last_micros = 0
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "chat.postEphemeral": self._post_ephemeral,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.info": self._conv_info,
            "conversations.join": self._conv_join,
            "usergroups.users.list": self._usergroup_users,
            "usergroups.list": self._usergroups,
        }

    def add_user(self, user_id: str, **attrs: Any) -> FakeUser:
        """Configure users.info for ``user_id`` (name, is_admin, is_owner, tz, is_bot...)."""
        user = FakeUser(id=user_id, **attrs)
        self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, name: str = "general", *, is_member: bool = True, is_private: bool = False
    ) -> dict[str, Any]:
        """Configure conversations.info / join for ``channel_id``."""
        chan = {
            "id": channel_id,
            "name": name,
            "is_channel": not channel_id.startswith("D"),
            "is_im": channel_id.startswith("D"),
            "is_private": is_private,
            "is_member": is_member,
            "is_archived": False,
        }
        self.channels[channel_id] = chan
        return chan

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Stored messages of ``channel`` (including thread replies), oldest first."""
        return list(self.history.get(channel, []))

    def add_message(self, channel: str, text: str, **fields: Any) -> dict[str, Any]:
        """Seed history with a message (``user``, ``thread_ts``, ``metadata``, ``blocks``...)."""
        msg = {"type": "message", "ts": self._new_ts(), "text": text, **fields}
        self.history.setdefault(channel, []).append(msg)
        return msg

    def _new_ts(self) -> str:
        micros = max(int(time.time() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _auth_test(self, a: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"{self.url}/",
            "team": "Test Team",
            "user": "dailyq",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.history.get(channel, []) if m["ts"] == ts), None)

    def _post_message(self, a: dict[str, Any]) -> dict[str, Any]:
        channel = a.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (a.get("text") or a.get("blocks") or a.get("attachments")):
            return {"ok": False, "error": "no_text"}
        fields = {k: a[k] for k in ("blocks", "attachments", "thread_ts", "metadata") if a.get(k)}
        msg = self.add_message(
            channel,
            a.get("text", ""),
            user=self.bot_user_id,
            bot_id=self.bot_id,
            app_id=self.app_id,
            team=self.team_id,
            **fields,
        )
        return {"ok": True, "channel": channel, "ts": msg["ts"], "message": dict(msg)}

    def _update(self, a: dict[str, Any]) -> dict[str, Any]:
        msg = self._find(a.get("channel", ""), a.get("ts", ""))
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        msg.update({k: a[k] for k in ("text", "blocks", "attachments", "metadata") if k in a})
        msg["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
        return {
            "ok": True,
            "channel": a["channel"],
            "ts": msg["ts"],
            "text": msg.get("text", ""),
            "message": dict(msg),
        }

    def _delete(self, a: dict[str, Any]) -> dict[str, Any]:
        channel, ts = a.get("channel", ""), a.get("ts", "")
        msg = self._find(channel, ts)
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        self.history[channel].remove(msg)
        return {"ok": True, "channel": channel, "ts": ts}

    def _post_ephemeral(self, a: dict[str, Any]) -> dict[str, Any]:
        ts = self._new_ts()
        self.ephemerals.append({**a, "ts": ts})
        return {"ok": True, "message_ts": ts}

    def _make_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or f"V{next(self._ids):07d}"
        return {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "state": {"values": {}},
            "hash": f"h{next(self._ids)}",
            "root_view_id": view_id,
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
        }

    def _views_open(self, a: dict[str, Any]) -> dict[str, Any]:
        view = a.get("view")
        if not a.get("trigger_id") or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        made = self._make_view(view)
        self.views[made["id"]] = made
        return {"ok": True, "view": made}

    def _views_update(self, a: dict[str, Any]) -> dict[str, Any]:
        view_id = a.get("view_id") or next(
            (
                k
                for k, v in self.views.items()
                if v.get("external_id") == a.get("external_id") and a.get("external_id")
            ),
            None,
        )
        old = self.views.get(view_id or "")
        if old is None or not isinstance(a.get("view"), dict):
            return {"ok": False, "error": "not_found"}
        if a.get("hash") and a["hash"] != old["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        made = self._make_view(a["view"], old["id"])
        self.views[old["id"]] = made
        return {"ok": True, "view": made}

    def _views_publish(self, a: dict[str, Any]) -> dict[str, Any]:
        user, view = a.get("user_id"), a.get("view")
        if not user or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        old = self.home_views.get(user)
        made = self._make_view(view, old["id"] if old else None)
        self.home_views[user] = made
        return {"ok": True, "view": made}

    def _users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        user_id = a.get("user", "")
        user = self.users.get(user_id) or FakeUser(id=user_id, name=user_id.lower())
        return {"ok": True, "user": user.to_api(self.team_id)}

    def add_usergroup(self, group_id: str, user_ids: list[str], handle: str | None = None) -> None:
        """A user group (``<!subteam^S...>``) and its members, for usergroups.users.list/list."""
        self.usergroups[group_id] = list(user_ids)
        self.usergroup_handles[group_id] = handle or group_id.lower()

    def _usergroups(self, a: dict[str, Any]) -> dict[str, Any]:
        """usergroups.list: every user group with its id, handle and name."""
        groups = [
            {"id": g, "team_id": self.team_id, "handle": h, "name": h, "user_count": len(self.usergroups[g])}
            for g, h in self.usergroup_handles.items()
        ]
        return {"ok": True, "usergroups": groups}

    def _usergroup_users(self, a: dict[str, Any]) -> dict[str, Any]:
        """usergroups.users.list: ``no_such_subteam`` for an unknown group, as Slack answers."""
        group = a.get("usergroup", "")
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": self.usergroups[group]}

    def _conv_info(self, a: dict[str, Any]) -> dict[str, Any]:
        channel = a.get("channel", "")
        chan = self.channels.get(channel) or self.add_channel(channel, channel.lower())
        return {"ok": True, "channel": dict(chan)}

    def _conv_join(self, a: dict[str, Any]) -> dict[str, Any]:
        info = self._conv_info(a)
        self.channels[info["channel"]["id"]]["is_member"] = True
        info["channel"]["is_member"] = True
        return info

    def _page(self, a: dict[str, Any], msgs: list[dict[str, Any]]) -> dict[str, Any]:
        inclusive = _truthy(a.get("inclusive"))
        lo, hi = Decimal(str(a.get("oldest") or 0)), Decimal(str(a.get("latest") or "inf"))
        msgs = [m for m in msgs if lo < Decimal(m["ts"]) < hi or (inclusive and Decimal(m["ts"]) in (lo, hi))]
        start = int(str(a.get("cursor") or "offset:0").split(":")[-1])
        limit = int(a.get("limit") or 100)
        page = msgs[start : start + limit]
        keep_meta = _truthy(a.get("include_all_metadata"))
        out = [{k: v for k, v in m.items() if keep_meta or k != "metadata"} for m in page]
        has_more = start + limit < len(msgs)
        cursor = f"offset:{start + limit}" if has_more else ""
        return {
            "ok": True,
            "messages": out,
            "has_more": has_more,
            "response_metadata": {"next_cursor": cursor},
        }

    def _history(self, a: dict[str, Any]) -> dict[str, Any]:
        msgs = [
            m for m in self.history.get(a.get("channel", ""), []) if m.get("thread_ts") in (None, m["ts"])
        ]
        return self._page(a, sorted(msgs, key=lambda m: Decimal(m["ts"]), reverse=True))

    def _replies(self, a: dict[str, Any]) -> dict[str, Any]:
        # Like Slack: the parent first, then the replies in chronological order.
        ts = a.get("ts", "")
        msgs = [
            m for m in self.history.get(a.get("channel", ""), []) if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        if not msgs:
            return {"ok": False, "error": "thread_not_found"}
        return self._page(a, sorted(msgs, key=lambda m: Decimal(m["ts"])))
