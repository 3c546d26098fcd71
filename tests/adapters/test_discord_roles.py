"""Champion and streak-milestone roles on Discord, end to end against the fake Discord.

A real discord.py client; ``/daily roles`` through slash interactions; seasons and streaks are
played through the core with a fake clock. Every role request the fake received is asserted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.commands import ConfigureDaily, SubmitAnswer
from bot.store import roles as role_store
from bot.store.tables import rounds
from tests.fakes.discord_payloads import JSON
from tests.fakes.fake_discord import FakeDiscord
from tests.support.clock import FakeClock
from tests.support.discord_harness import DiscordHarness, assert_no_leaks, running_bot

ROLE_OPTION = 8
CHAMPION, STREAK, STAFF, OTHER = (
    "900000000000000001",
    "900000000000000002",
    "900000000000000003",
    "900000000000000004",
)


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    """A guild with roles Champion and Streak 7 (below the bot's), Staff (above it), Other (the
    member's own, which the bot is never given); the bot has Manage Roles."""
    caplog.set_level(logging.WARNING)
    clock = FakeClock(datetime(2026, 10, 25, 8, 0, tzinfo=UTC))
    async with FakeDiscord() as fake:
        guild = fake.guild
        fake.bot_role(guild)["position"] = 10
        fake.add_role(guild, CHAMPION, "Champion", 2)
        fake.add_role(guild, STREAK, "Streak 7", 2)
        fake.add_role(guild, STAFF, "Staff", 20)
        fake.add_role(guild, OTHER, "Other", 1)
        guild.members["member"]["roles"].append(OTHER)
        guild.members["owner"]["roles"].append(CHAMPION)  # given by hand, not by the bot
        fake.allow_manage_roles(guild)
        async with running_bot(fake, tmp_path, clock=clock) as harness:
            yield harness
            assert fake.unhandled == [], fake.unhandled
    assert_no_leaks()


async def roles_command(h: DiscordHarness, role: str | None = None, **options: Any) -> str:
    """``/daily roles`` as the admin; the text the admin sees."""
    raw: list[JSON] = [
        {"name": k, "type": 5 if isinstance(v, bool) else 3, "value": v} for k, v in options.items()
    ]
    resolved = None
    if role is not None:
        raw.append({"name": "role", "type": ROLE_OPTION, "value": role})
        payload = next(r for r in h.fake.guild.roles if r["id"] == role)
        resolved = {"roles": {role: payload}}
    interaction = h.fake.slash_command(
        "daily roles", raw, user="admin", channel_id=h.channel_id, resolved=resolved
    )
    data = await h.final(interaction, await h.respond(interaction))
    return json.dumps(data.get("embeds") or data.get("content"))


def role_requests(h: DiscordHarness) -> list[tuple[str, str]]:
    """Every role change the bot asked for: (method, 'user-key role-name')."""
    names = {str(r["id"]): r["name"] for r in h.fake.guild.roles} | {
        CHAMPION: "Champion",
        STREAK: "Streak 7",
        STAFF: "Staff",
        OTHER: "Other",
    }
    users = {m["user"]["id"]: key for key, m in h.fake.guild.members.items()}
    found = []
    for request in h.fake.requests_to("*", r"/guilds/\d+/members/\d+/roles/\d+"):
        parts = request.path.rstrip("/").split("/")
        found.append((request.method, f"{users[parts[-3]]} {names[parts[-1]]}"))
    return found


async def play_days(h: DiscordHarness, first: datetime, days: int, players: list[str]) -> None:
    """Each day: the post at 09:00 UTC, ``players`` answer it right, the reveal at 13:00."""
    for day in range(days):
        h.clock.set(first + timedelta(days=day, hours=9))
        await h.app.dispatcher.run_due()
        async with h.app.engine.connect() as conn:
            qid = (await conn.execute(select(rounds.c.question_id).order_by(rounds.c.id.desc()))).scalar()
        question = h.app.bank.get(str(qid))
        assert question is not None
        for player in players:
            await h.app.service.handle(h.ctx(player), SubmitAnswer(text=question.answer))
        h.clock.set(first + timedelta(days=day, hours=13))
        await h.app.dispatcher.run_due()


def champion_posts(h: DiscordHarness) -> list[str]:
    return [json.dumps(p["embeds"]) for p in h.posts() if "Season champions" in json.dumps(p.get("embeds"))]


async def schedule(h: DiscordHarness) -> None:
    await h.app.service.handle(
        h.ctx("admin"), ConfigureDaily(time(9, 0), timezone="UTC", reveal_after=timedelta(hours=4))
    )


def day(month: int, d: int) -> datetime:
    return datetime(2026, month, d, tzinfo=UTC)


async def test_champion_role_moves_to_the_new_champion_and_milestones_are_given(h: DiscordHarness) -> None:
    assert "now <@&" + CHAMPION in await roles_command(h, CHAMPION, award="champion")
    assert "streak to 7" in await roles_command(h, STREAK, award="streak 7")
    await schedule(h)
    await play_days(h, day(10, 25), 7, ["admin"])  # 25-31 October
    # the seventh reveal took admin's streak to 7
    assert role_requests(h) == [("PUT", "admin Streak 7")]
    h.clock.set(day(11, 1))
    await h.app.dispatcher.run_due()
    assert len(champion_posts(h)) == 1
    assert role_requests(h)[1:] == [("PUT", "admin Champion")]
    await play_days(h, day(11, 1), 7, ["member"])  # 1-7 November
    assert role_requests(h)[2:] == [("PUT", "member Streak 7")]
    h.clock.set(day(12, 1))
    await h.app.dispatcher.run_due()
    await h.app.dispatcher.run_due()  # a second run changes nothing
    assert len(champion_posts(h)) == 2
    # the new champion gets the role, the previous one (given by the bot) loses it; the owner's
    # Champion role (given by hand) and the member's Other role are never touched
    assert role_requests(h)[3:] == [("PUT", "member Champion"), ("DELETE", "admin Champion")]
    guild = h.fake.guild
    assert h.fake.roles_of(guild, "member") == sorted([guild.role_id("Member"), OTHER, STREAK, CHAMPION])
    assert h.fake.roles_of(guild, "admin") == sorted([guild.role_id("Moderator"), STREAK])
    assert CHAMPION in h.fake.roles_of(guild, "owner")
    assert "Could not" not in champion_posts(h)[-1]
    async with h.app.engine.connect() as conn:
        grants = await role_store.grants_of(conn)
    assert sorted((g.kind, g.season, g.state) for g in grants) == [
        ("champion", "2026-10", "removed"),
        ("champion", "2026-11", "granted"),
        ("streak7", "", "granted"),
        ("streak7", "", "granted"),
    ]


async def test_roles_are_checked_when_configured(h: DiscordHarness) -> None:
    above = await roles_command(h, STAFF, award="champion")
    assert "above my highest role" in above and "Nothing was changed" in above
    everyone = await roles_command(h, h.fake.guild.id, award="champion")
    assert "cannot be given to members" in everyone
    assert "Pick the role for champion" in await roles_command(h, award="champion")
    assert "No roles are set" in await roles_command(h)
    assert "I was not giving" in await roles_command(h, off=True)
    assert role_requests(h) == []


async def test_missing_permission_and_deleted_role_are_reported_and_the_post_still_goes_out(
    h: DiscordHarness,
) -> None:
    await roles_command(h, CHAMPION, award="champion")
    await roles_command(h, STREAK, award="streak 7")
    guild = h.fake.guild
    h.fake.allow_manage_roles(guild, False)  # taken away after configuring (the cache does not know)
    h.fake.delete_role(guild, STREAK)
    await schedule(h)
    await play_days(h, day(10, 25), 7, ["admin"])
    assert role_requests(h) == [("PUT", "admin Streak 7")]
    [put] = h.fake.requests_to("PUT", r".*/roles/\d+")
    assert put.status == 404
    h.clock.set(day(11, 1))
    await h.app.dispatcher.run_due()
    await h.app.dispatcher.run_due()
    [post] = champion_posts(h)  # once, whatever happened to the role
    [embed] = json.loads(post)
    assert embed["footer"]["text"].endswith(
        "Could not give the champion role: I lack the Manage Roles permission on this server. Give my "
        "role Manage Roles (Server Settings > Roles), then set the role again with `daily roles`."
    )
    assert role_requests(h) == [("PUT", "admin Streak 7"), ("PUT", "admin Champion")]
    status = await roles_command(h)
    assert "Manage Roles" in status and "no longer exists" in status
    # no more attempts until the admin sets the roles again
    await play_days(h, day(11, 1), 1, ["member"])
    assert len(role_requests(h)) == 2
    # the admin fixes it and sets the roles again: October's champion gets the role at once,
    # the milestone at the next run
    h.fake.allow_manage_roles(guild, True)
    assert "now <@&" + CHAMPION in await roles_command(h, CHAMPION, award="champion")
    assert role_requests(h)[2:] == [("PUT", "admin Champion")]
    assert "Manage Roles" not in await roles_command(h)
    h.fake.add_role(guild, STREAK, "Streak 7", 2)  # recreated with the same id, for the test
    await roles_command(h, STREAK, award="streak 7")
    h.clock.advance(timedelta(minutes=1))
    await h.app.dispatcher.run_due()
    assert role_requests(h)[3:] == [("PUT", "admin Streak 7")]
    assert STREAK in h.fake.roles_of(guild, "admin") and CHAMPION in h.fake.roles_of(guild, "admin")


async def team_command(h: DiscordHarness, **options: str) -> str:
    interaction = h.fake.slash_command("team", options, user="admin", channel_id=h.channel_id)
    data = await h.final(interaction, await h.respond(interaction))
    return json.dumps(data.get("embeds") or data.get("content"))


async def test_team_add_with_a_role_takes_its_members_at_that_moment(h: DiscordHarness) -> None:
    # Other is held by "member" only; the bot (which has no human role) is never a team member
    added = await team_command(h, action="add", name="data", members=f"<@&{OTHER}>")
    assert "Team data: added Member." in added
    [listing] = h.fake.requests_to("GET", r"/guilds/\d+/members")
    assert listing.query == {"limit": "1000"}
    assert "Member" in await team_command(h, action="list")
    h.fake.guild.members["owner"]["roles"].append(OTHER)  # a snapshot: joins at the next team add
    assert "Owner" not in await team_command(h, action="list")
    assert "added Owner" in await team_command(h, action="add", name="data", members="@other")  # by name
    h.fake.members_intent = False
    refused = await team_command(h, action="add", name="ops", members=f"<@&{STAFF}>")
    assert "turn on the Server Members intent" in refused and "Nothing was changed" in refused
    assert "ops" not in await team_command(h, action="list")
