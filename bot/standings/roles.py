"""Discord roles for the season champion and streak milestones (``daily roles ...``, admins).

The admin gives the bot one role per kind: ``champion`` and optionally ``streak7``, ``streak30``,
``streak100``. The core decides who gets which: the workspace's season champions when the first
champion post of the season goes out (the previous champions lose the champion role), and a
member whose streak in any channel reaches a milestone, at the first run after the reveal that
took it there (milestone roles are kept when a streak later breaks: they are achievements). The
bot only ever gives the roles it was given and only takes back a role it gave itself (each grant
is a row). A grant that fails records why on the role's setting; ``daily roles`` and the champion
post then say what to fix. A milestone role is not tried again until the admin sets it again;
the champion role is tried again for the next season's champions (one request a season).
Nothing else waits on roles: the champion post goes out whatever happens to them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cards import Reply, TableCard, Tone, error, notice
from bot.commands import ConfigureRoles
from bot.context import Context
from bot.ports import Clock, RoleError, RoleProblem, Roles
from bot.runtime import Runtime
from bot.store import roles as role_store

log = logging.getLogger(__name__)

CHAMPION = "champion"
MILESTONES = {"streak7": 7, "streak30": 30, "streak100": 100}
KINDS = (CHAMPION, *MILESTONES)
ROLE = re.compile(r"^(?:<@&(\d{5,25})>|(\d{5,25}))$")
NOT_HERE = (
    "Roles are a Discord feature; on Slack the champion post mentions the champions, "
    "and in the terminal it names them."
)
FIXES = {
    RoleProblem.MISSING_PERMISSION: (
        "I lack the Manage Roles permission on this server. Give my role Manage Roles "
        "(Server Settings > Roles), then set the role again with `daily roles`."
    ),
    RoleProblem.UNKNOWN_ROLE: "that role no longer exists. Pick another with `daily roles`.",
    RoleProblem.TOO_HIGH: (
        "that role is above my highest role, so Discord does not let me give it. Drag my role "
        "above it in Server Settings > Roles, then set the role again with `daily roles`."
    ),
    RoleProblem.NOT_ASSIGNABLE: (
        "that role cannot be given to members (@everyone, or a role managed by a bot or an "
        "integration). Pick another role."
    ),
    RoleProblem.FAILED: "Discord did not answer. Set the role again with `daily roles` to retry.",
}


def label(kind: str) -> str:
    """'champion', 'streak 7'."""
    return kind if kind == CHAMPION else f"streak {MILESTONES[kind]}"


def fix(kind: str, role_id: str | None, problem: RoleProblem) -> str:
    """What the admin should do about a role that cannot be given (the role is named only when
    the text goes where mentions render: a reply, not an embed footer)."""
    role = f" <@&{role_id}>" if role_id else ""
    return f"Could not give the {label(kind)} role{role}: {FIXES[problem]}"


@dataclass
class RoleAwards:
    """Gives and takes back the configured roles through the ``Roles`` port."""

    engine: AsyncEngine
    roles: Roles
    clock: Clock
    lease: timedelta = timedelta(seconds=30)  # a grant pending longer lost its process
    platform: str = "discord"

    async def crown(self, workspace_id: str, season: str, champion_ids: list[str]) -> str | None:
        """Give the season's champions the champion role and take it from the previous ones;
        returns what the admin should fix when the role could not be given (None otherwise)."""
        where = (self.platform, workspace_id)
        now = self.clock.now()
        async with self.engine.begin() as conn:
            setting = (await role_store.settings_of(conn, *where)).get(CHAMPION)
            if setting is None:
                return None
            role_id = str(setting.role_id)
            claimed = [
                user
                for user in champion_ids
                if await role_store.claim_grant(conn, where, CHAMPION, user, season, role_id, now)
            ]
            claimed += await role_store.retake_pending(conn, where, CHAMPION, season, now - self.lease, now)
        problem = await self._grant_all(where, CHAMPION, role_id, season, claimed)
        if claimed and problem is None:
            async with self.engine.begin() as conn:
                await role_store.set_problem(conn, *where, CHAMPION, None)  # it works again
                previous = await role_store.take_back(conn, where, CHAMPION, role_id, set(champion_ids), now)
            for user in previous:
                try:
                    await self.roles.revoke(workspace_id, user, role_id, "dailyq: a new season champion")
                except RoleError as exc:
                    log.warning("could not take the champion role from %s: %s", user, exc.problem)
        async with self.engine.connect() as conn:
            setting = (await role_store.settings_of(conn, *where)).get(CHAMPION)
        return str(setting.problem) if setting is not None and setting.problem else None

    async def grant_milestones(self) -> None:
        """Give the milestone roles to members whose streak reached them (roles without a
        recorded problem only)."""
        async with self.engine.connect() as conn:
            configured = await role_store.milestone_settings(conn, self.platform)
        for setting in configured:
            where = (self.platform, str(setting.workspace_id))
            kind, role_id = str(setting.kind), str(setting.role_id)
            now = self.clock.now()
            async with self.engine.begin() as conn:
                due = await role_store.milestone_due(conn, where, kind, MILESTONES[kind])
                claimed = [
                    u for u in due if await role_store.claim_grant(conn, where, kind, u, "", role_id, now)
                ]
                claimed += await role_store.retake_pending(conn, where, kind, "", now - self.lease, now)
            await self._grant_all(where, kind, role_id, "", claimed)

    async def _grant_all(
        self, where: tuple[str, str], kind: str, role_id: str, season: str, users: list[str]
    ) -> str | None:
        """Grant ``role_id`` to each claimed member; on a problem of the role itself, record it
        and stop (the others' rows fail with it, retried when the admin sets the role again)."""
        reason = f"dailyq: {label(kind)}" + (f" of {season}" if season else "")
        for index, user in enumerate(users):
            try:
                await self.roles.grant(where[1], user, role_id, reason)
            except RoleError as exc:
                if exc.problem is RoleProblem.MEMBER_GONE:
                    await self._finish(where, kind, [user], season, "the member left the server")
                    continue
                text = fix(kind, None, exc.problem)
                log.warning("role %s (%s) in %s: %s", role_id, kind, where[1], exc.problem)
                await self._finish(where, kind, users[index:], season, text)
                async with self.engine.begin() as conn:
                    await role_store.set_problem(conn, *where, kind, text)
                return text
            async with self.engine.begin() as conn:
                await role_store.finish_grant(
                    conn, where, kind, user, season, state=role_store.GRANTED, error=None
                )
        return None

    async def _finish(
        self, where: tuple[str, str], kind: str, users: list[str], season: str, text: str
    ) -> None:
        async with self.engine.begin() as conn:
            for user in users:
                await role_store.finish_grant(
                    conn, where, kind, user, season, state=role_store.FAILED, error=text
                )


def parse_role(text: str) -> str | None:
    """The role id of a role mention (``<@&123>``) or a bare id; None when it is neither."""
    found = ROLE.match(text.strip())
    return (found.group(1) or found.group(2)) if found else None


async def configure_roles(rt: Runtime, ctx: Context, cmd: ConfigureRoles) -> Reply:
    """``daily roles`` (show, re-check), ``daily roles champion|streak N <@&role>|off``,
    ``daily roles off``."""
    if ctx.platform != "discord" or rt.roles is None:
        return notice(NOT_HERE)
    now = rt.clock.now()
    where = (ctx.platform, ctx.workspace_id)
    if cmd.kind is None:
        return await _show(rt, ctx)
    kinds = list(KINDS) if cmd.kind == "off" else [cmd.kind]
    if cmd.kind == "off" or cmd.role == "off":
        async with rt.engine.begin() as conn:
            cleared = await role_store.clear_roles(conn, *where, kinds)
        what = "any role" if cmd.kind == "off" else f"the {label(cmd.kind)} role"
        done = "I no longer give" if cleared else "I was not giving"
        return notice(f"{done} {what}. Members keep the roles they have.", Tone.SUCCESS)
    role_id = parse_role(cmd.role or "")
    if role_id is None:
        return error(
            f"'{(cmd.role or '')[:40]}' is not a role: mention one (@Role), "
            "e.g. `daily roles champion @Champion`."
        )
    if role_id == ctx.workspace_id:
        problem: RoleProblem | None = RoleProblem.NOT_ASSIGNABLE
    else:
        problem = await rt.roles.check(ctx.workspace_id, role_id)
    if problem is not None:
        return error(fix(cmd.kind, role_id, problem) + " Nothing was changed.")
    async with rt.engine.begin() as conn:
        failed = await role_store.set_role(conn, *where, cmd.kind, role_id, now)
        later = await role_store.latest_season(conn, where, CHAMPION)
    seasons = sorted({season for _, season in failed if season})
    if cmd.kind == CHAMPION and seasons and (later or "") < seasons[-1]:
        # the latest champions did not get the role: they get it now
        awards = RoleAwards(rt.engine, rt.roles, rt.clock)
        champions = [user for user, season in failed if season == seasons[-1]]
        problem_now = await awards.crown(ctx.workspace_id, seasons[-1], champions)
        if problem_now:
            return error(problem_now)
    when = (
        "the season's champions get it when the champion post goes out, and the previous ones lose it"
        if cmd.kind == CHAMPION
        else f"members get it when a reveal takes their streak to {MILESTONES[cmd.kind]}, and keep it"
    )
    return notice(f"The {label(cmd.kind)} role is now <@&{role_id}>: {when}.", Tone.SUCCESS)


async def _show(rt: Runtime, ctx: Context) -> Reply:
    assert rt.roles is not None
    where = (ctx.platform, ctx.workspace_id)
    async with rt.engine.connect() as conn:
        settings = await role_store.settings_of(conn, *where)
    if not settings:
        return notice(
            "No roles are set. Admins: `daily roles champion @Role` for the season champion, "
            "`daily roles streak 7|30|100 @Role` for streak milestones (I need Manage Roles then)."
        )
    rows = []
    for kind in KINDS:
        setting = settings.get(kind)
        if setting is None:
            continue
        problem = await rt.roles.check(ctx.workspace_id, str(setting.role_id))
        state = fix(kind, str(setting.role_id), problem) if problem else (setting.problem or "ok")
        rows.append((label(kind), f"<@&{setting.role_id}>", str(state)))
    return Reply(
        (TableCard("Roles", ("for", "role", "state"), tuple(rows), footer="Change: `daily roles ...`"),)
    )
