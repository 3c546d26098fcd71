"""The Slack ``Groups`` port: a user group's members (``usergroups.users.list``), for
``/question team add <name> @group``. Needs the ``usergroups:read`` scope; names come from the
adapter's cached ``users.info`` directory."""

from __future__ import annotations

import re

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_adapter.directory import Directory
from bot.ports import GroupError

MAX_MEMBERS = 1000


USERGROUP_ID = re.compile(r"S[A-Z0-9]{2,24}")


class SlackGroups:
    """Implements ``bot.ports.Groups`` with the Slack Web API."""

    def __init__(self, client: AsyncWebClient, directory: Directory) -> None:
        self.client = client
        self.directory = directory

    async def members(self, workspace_id: str, group: str) -> list[tuple[str, str]]:
        """The user group's members now (user id, name); ``group`` is its id or its handle."""
        try:
            group_id = group if USERGROUP_ID.fullmatch(group) else await self._by_handle(workspace_id, group)
            response = await self.client.usergroups_users_list(usergroup=group_id, team_id=workspace_id)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error == "missing_scope":
                raise GroupError(
                    "I can't read user groups: add the usergroups:read scope to the app and reinstall "
                    "it, or name the members one by one (@ann @bob). Nothing was changed."
                ) from exc
            raise GroupError(
                f"Slack could not list that user group ({error}). Pick it from the @ menu, "
                "or name the members one by one. Nothing was changed."
            ) from exc
        found = []
        for user_id in [str(u) for u in response.get("users") or []][:MAX_MEMBERS]:
            member = await self.directory.member(workspace_id, user_id)
            found.append((user_id, member.name if member else user_id))
        return found

    async def _by_handle(self, workspace_id: str, handle: str) -> str:
        """The id of the user group with this handle (``usergroups.list``)."""
        response = await self.client.usergroups_list(team_id=workspace_id)
        for usergroup in response.get("usergroups") or []:
            if str(usergroup.get("handle", "")).casefold() == handle.casefold():
                return str(usergroup["id"])
        raise GroupError(f"There is no user group @{handle[:40]} here.")
