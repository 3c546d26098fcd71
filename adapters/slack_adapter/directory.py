"""Who is who: workspace admins (``users.info``) and handles, cached for a few minutes.

Admins are workspace admins and owners, plus the user ids in ``DAILYQ_SLACK_ADMINS``. A failed
lookup counts as "not an admin" (an admin command is refused and nothing changes) and is not
cached, so the next try asks Slack again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from cachetools import TTLCache
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

TTL_SECONDS = 300.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Member:
    """What the adapter needs to know about a workspace member."""

    user_id: str
    name: str
    is_admin: bool


class Directory:
    """Looks members up with ``users.info``, with a small TTL cache per (team, user)."""

    def __init__(
        self,
        client: AsyncWebClient,
        extra_admins: frozenset[str] = frozenset(),
        *,
        ttl: float = TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.extra_admins = extra_admins
        self.ttl = ttl
        self._cache: TTLCache[tuple[str, str], Member] = TTLCache(
            maxsize=MAX_ENTRIES, ttl=ttl, timer=monotonic
        )

    async def member(self, team_id: str, user_id: str) -> Member | None:
        """The member behind ``user_id``; None when Slack cannot tell us right now."""
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
            return None
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("users.info for %s failed: %s", user_id, type(exc).__name__)
            return None
        user = response.get("user") or {}
        member = Member(
            user_id=user_id,
            name=str(user.get("name") or user_id),
            is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        )
        self._cache[key] = member  # full, the cache drops the least recently used member
        return member

    async def is_admin(self, team_id: str, user_id: str) -> bool:
        """Whether ``user_id`` may run admin commands (``daily set``, ``daily now``...)."""
        if user_id in self.extra_admins:
            return True
        member = await self.member(team_id, user_id)
        return member is not None and member.is_admin
