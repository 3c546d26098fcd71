"""The Discord ``Groups`` port: the members who have a role, for ``/team add <name> @Role``.

discord.py only lists members with the privileged members intent, which this bot does not ask
for at the gateway; the REST list (``GET /guilds/{g}/members``, 1,000 a page) needs the Server
Members intent switched on in the Developer Portal. Without it Discord answers 403 (50001), and
the admin is told how to turn it on or to name the members instead.
"""

from __future__ import annotations

from typing import Any

import discord

from adapters.pacing import Pacer
from bot.ports import GroupError

PAGE = 1000
MAX_MEMBERS = 10_000  # a team bigger than this is not a team


class DiscordGroups:
    """Implements ``bot.ports.Groups`` with discord.py's REST client."""

    def __init__(self, client: discord.Client, pacer: Pacer) -> None:
        self.client = client
        self.pacer = pacer

    async def members(self, workspace_id: str, group: str) -> list[tuple[str, str]]:
        """Everyone who has the role now (user id, display name), bots left out; ``group`` is the
        role's id or its name."""
        guild = self.client.get_guild(int(workspace_id))
        named = [r for r in guild.roles if r.name.casefold() == group.casefold()] if guild else []
        role = guild.get_role(int(group)) if guild and group.isdigit() else (named[0] if named else None)
        if guild is None or role is None or role.is_default():
            raise GroupError("I can't find that role on this server. Mention one of its roles (@Role).")
        group_id = str(role.id)
        found: list[tuple[str, str]] = []
        after: int | None = None
        for _ in range(MAX_MEMBERS // PAGE):
            async with self.pacer:
                try:
                    page: list[Any] = await self.client.http.get_members(int(workspace_id), PAGE, after)
                except discord.Forbidden as exc:
                    raise GroupError(
                        "Discord does not let me list a role's members: turn on the Server Members "
                        "intent (Developer Portal > Bot > Privileged Gateway Intents), or name the "
                        "members one by one (@ann @bob). Nothing was changed."
                    ) from exc
                except discord.HTTPException as exc:
                    raise GroupError(f"Discord did not list the members ({exc.status}); try again.") from exc
            for member in page:
                user = member["user"]
                if group_id in map(str, member.get("roles") or ()) and not user.get("bot"):
                    name = member.get("nick") or user.get("global_name") or user["username"]
                    found.append((str(user["id"]), str(name)))
            if len(page) < PAGE:
                break
            after = int(page[-1]["user"]["id"])
        return found
