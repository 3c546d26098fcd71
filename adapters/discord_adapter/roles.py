"""The Discord ``Roles`` port: give or take one role of one member, and check a role first.

Only the role ids the core passes (the ones an admin chose with ``/daily roles``) are ever
touched, one ``PUT``/``DELETE /guilds/{g}/members/{u}/roles/{r}`` each, paced like every other
request. Manage Roles is asked for only then, not in the invite. Discord's answers map to what
the admin must fix: 403 (code 50013) is a missing Manage Roles, or a role at or above the bot's
highest one (Discord says the same for both, so the cached hierarchy tells them apart); 404 code
10011 is a deleted role and 10007 a member who left.
"""

from __future__ import annotations

import discord

from adapters.pacing import Pacer
from bot.ports import RoleError, RoleProblem

UNKNOWN_MEMBER = 10007
UNKNOWN_ROLE = 10011


class DiscordRoles:
    """Implements ``bot.ports.Roles`` with a discord.py client."""

    def __init__(self, client: discord.Client, pacer: Pacer) -> None:
        self.client = client
        self.pacer = pacer

    async def check(self, workspace_id: str, role_id: str) -> RoleProblem | None:
        """Why the bot could not give this role here (from the gateway's cache), None if it can."""
        guild = self.client.get_guild(int(workspace_id))
        if guild is None:
            return RoleProblem.FAILED
        role = guild.get_role(int(role_id))
        if role is None:
            return RoleProblem.UNKNOWN_ROLE
        if role.is_default() or role.managed:
            return RoleProblem.NOT_ASSIGNABLE
        return self._hierarchy(guild, role)

    @staticmethod
    def _hierarchy(guild: discord.Guild, role: discord.Role) -> RoleProblem | None:
        me = guild.me
        if not me.guild_permissions.manage_roles:
            return RoleProblem.MISSING_PERMISSION
        if role >= me.top_role and guild.owner_id != me.id:
            return RoleProblem.TOO_HIGH
        return None

    async def grant(self, workspace_id: str, user_id: str, role_id: str, reason: str) -> None:
        """Give the member the role (Discord ignores giving a role twice)."""
        async with self.pacer:
            await self._call(workspace_id, user_id, role_id, reason, add=True)

    async def revoke(self, workspace_id: str, user_id: str, role_id: str, reason: str) -> None:
        """Take the role from the member."""
        async with self.pacer:
            await self._call(workspace_id, user_id, role_id, reason, add=False)

    async def _call(self, workspace_id: str, user_id: str, role_id: str, reason: str, *, add: bool) -> None:
        method = self.client.http.add_role if add else self.client.http.remove_role
        try:
            await method(int(workspace_id), int(user_id), int(role_id), reason=reason)
        except discord.Forbidden as exc:
            guild = self.client.get_guild(int(workspace_id))
            role = guild.get_role(int(role_id)) if guild is not None else None
            cached = self._hierarchy(guild, role) if guild is not None and role is not None else None
            too_high = cached is RoleProblem.TOO_HIGH
            raise RoleError(
                RoleProblem.TOO_HIGH if too_high else RoleProblem.MISSING_PERMISSION, _said(exc)
            ) from exc
        except discord.NotFound as exc:
            problem = RoleProblem.MEMBER_GONE if exc.code == UNKNOWN_MEMBER else RoleProblem.UNKNOWN_ROLE
            raise RoleError(problem, _said(exc)) from exc
        except discord.HTTPException as exc:
            raise RoleError(RoleProblem.FAILED, _said(exc)) from exc


def _said(exc: discord.HTTPException) -> str:
    return f"Discord {exc.status} (code {exc.code}): {exc.text[:200]}"
