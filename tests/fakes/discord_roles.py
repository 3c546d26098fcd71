"""Role endpoints of the fake Discord: ``PUT``/``DELETE /guilds/{g}/members/{u}/roles/{r}`` and
``GET /guilds/{g}/roles`` and ``/members``, with Discord's checks and error bodies.

A role change needs Manage Roles (or Administrator) on the bot, and the role strictly below the
bot's highest role; otherwise 403 ``{"code": 50013, "message": "Missing Permissions"}``. Unknown
roles answer 404 code 10011, unknown members 10007, unknown guilds 10004. ``delete_role`` removes
a role without telling the gateway, like a deletion the bot's cache has not caught up with.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.discord_payloads import ADMINISTRATOR, JSON, FakeGuild, role_payload
from tests.fakes.discord_traffic import error_response, json_response

MANAGE_ROLES = 1 << 28
MEMBER_ROLE_PATH = "/guilds/{guild}/members/{user}/roles/{role}"


class RoleRoutes:
    """Mixin for ``FakeDiscord``: the guild role endpoints and helpers to arrange roles."""

    guilds: list[FakeGuild]
    members_intent: bool = True  # whether the app has the Server Members intent (member lists)

    def role_routes(self) -> list[tuple[str, str, Any]]:
        """The routes to register (method, path, handler)."""
        return [
            ("PUT", MEMBER_ROLE_PATH, self._member_role),
            ("DELETE", MEMBER_ROLE_PATH, self._member_role),
            ("GET", "/guilds/{guild}/roles", self._list_roles),
            ("GET", "/guilds/{guild}/members", self._list_members),
        ]

    @staticmethod
    def add_role(guild: FakeGuild, role_id: str, name: str, position: int, permissions: int = 0) -> str:
        """Add a role to a guild (before the bot connects, so it is in GUILD_CREATE)."""
        guild.roles.append(role_payload(role_id, name, permissions, position))
        return role_id

    @staticmethod
    def bot_role(guild: FakeGuild) -> JSON:
        """The bot's managed role."""
        ids = set(map(str, guild.members["bot"]["roles"]))
        role: JSON = next(r for r in guild.roles if str(r["id"]) in ids)
        return role

    def allow_manage_roles(self, guild: FakeGuild, allowed: bool = True) -> None:
        """Give (or take) Manage Roles to the bot's role."""
        role = self.bot_role(guild)
        permissions = int(role["permissions"])
        role["permissions"] = str(permissions | MANAGE_ROLES if allowed else permissions & ~MANAGE_ROLES)

    @staticmethod
    def delete_role(guild: FakeGuild, role_id: str) -> None:
        """Delete a role on the server side only (the bot is not told)."""
        guild.roles[:] = [r for r in guild.roles if str(r["id"]) != role_id]
        for member in guild.members.values():
            member["roles"] = [r for r in member["roles"] if str(r) != role_id]

    @staticmethod
    def roles_of(guild: FakeGuild, key: str) -> list[str]:
        """The role ids a member has now."""
        return sorted(map(str, guild.members[key]["roles"]))

    def _guild(self, guild_id: str) -> FakeGuild | None:
        return next((g for g in self.guilds if g.id == guild_id), None)

    async def _list_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(request.match_info["guild"])
        if guild is None:
            return error_response(404, 10004, "Unknown Guild")
        return json_response(200, guild.roles)

    async def _list_members(self, request: web.Request) -> web.Response:
        """List Guild Members (by user id, ``limit`` and ``after``); 403 50001 Missing Access
        unless the app has the Server Members intent (``members_intent``)."""
        guild = self._guild(request.match_info["guild"])
        if guild is None:
            return error_response(404, 10004, "Unknown Guild")
        if not self.members_intent:
            return error_response(403, 50001, "Missing Access")
        limit = int(request.query.get("limit", "1"))
        after = int(request.query.get("after", "0"))
        members = sorted(guild.members.values(), key=lambda m: int(m["user"]["id"]))
        return json_response(200, [m for m in members if int(m["user"]["id"]) > after][:limit])

    async def _member_role(self, request: web.Request) -> web.Response:
        guild = self._guild(request.match_info["guild"])
        if guild is None:
            return error_response(404, 10004, "Unknown Guild")
        user_id, role_id = request.match_info["user"], request.match_info["role"]
        member = next((m for m in guild.members.values() if m["user"]["id"] == user_id), None)
        if member is None:
            return error_response(404, 10007, "Unknown Member")
        role = next((r for r in guild.roles if str(r["id"]) == role_id), None)
        if role is None:
            return error_response(404, 10011, "Unknown Role")
        permissions = guild.member_permissions("bot")
        top = max(
            int(r["position"])
            for r in guild.roles
            if str(r["id"]) in set(map(str, guild.members["bot"]["roles"]))
        )
        if not permissions & (MANAGE_ROLES | ADMINISTRATOR) or int(role["position"]) >= top:
            return error_response(403, 50013, "Missing Permissions")
        if role.get("managed") or role_id == guild.id:
            return error_response(400, 50028, "Invalid Role")
        held = [str(r) for r in member["roles"]]
        if request.method == "PUT" and role_id not in held:
            member["roles"].append(role_id)
        elif request.method == "DELETE":
            member["roles"] = [r for r in held if r != role_id]
        return web.Response(status=204)
