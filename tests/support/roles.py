"""A recording ``Roles`` port: stands in for Discord's role endpoints at the platform boundary."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.ports import RoleError, RoleProblem


class Crash(BaseException):
    """The process dies in the middle of a platform call (nothing in the bot catches it)."""


@dataclass
class RecordingRoles:
    """Records every role change asked for; ``refuse`` makes grants fail with that problem, and
    ``crash`` kills the process right after the next grant reached the platform."""

    calls: list[tuple[str, str, str, str]] = field(default_factory=list)
    refuse: RoleProblem | None = None
    crash: bool = False

    async def check(self, workspace_id: str, role_id: str) -> RoleProblem | None:
        """Every role can be given."""
        return None

    async def grant(self, workspace_id: str, user_id: str, role_id: str, reason: str) -> None:
        """Record a grant (after a network round trip, so a concurrent caller runs meanwhile);
        refused ones are recorded too, as the platform would have seen them."""
        await asyncio.sleep(0.01)
        self.calls.append(("grant", workspace_id, user_id, role_id))
        if self.crash:
            self.crash = False
            raise Crash()
        if self.refuse is not None:
            raise RoleError(self.refuse)

    async def revoke(self, workspace_id: str, user_id: str, role_id: str, reason: str) -> None:
        """Record a revocation."""
        self.calls.append(("revoke", workspace_id, user_id, role_id))
