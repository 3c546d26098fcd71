"""Seasons: boards of the current and past seasons, the length setting, and one champion post
per channel at a season's end, across a DST change, a restart and a second process."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest

from bot.app import App
from bot.cards import LeaderboardCard, Notice, TableCard, Tone
from bot.commands import (
    ConfigureRoles,
    ConfigureSeason,
    Scope,
    ShowLeaderboard,
    ShowSeasonBoard,
    SubmitAnswer,
    Window,
)
from bot.context import Context
from bot.ports import ChannelRef, MessageRef
from bot.standings.seasons import SeasonLength, months, parse_season, previous_season, season_of, title
from bot.store import seasons as season_store
from bot.text.grammar import CommandError, parse
from tests.conftest import AppFactory, admin, member
from tests.core.rounds_helpers import local, posts, run_at, schedule
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


def test_season_rules() -> None:
    assert season_of(date(2026, 11, 30), SeasonLength.MONTH) == "2026-11"
    assert season_of(date(2026, 11, 30), SeasonLength.QUARTER) == "2026-Q4"
    assert months("2026-Q4") == ("2026-10", "2026-11", "2026-12")
    assert previous_season("2027-01") == "2026-12" and previous_season("2027-Q1") == "2026-Q4"
    assert (title("2026-11"), title("2026-Q4")) == ("November 2026", "Q4 2026 (Oct-Dec)")
    assert parse_season("2026-q4") == "2026-Q4"
    with pytest.raises(ValueError, match="a month like 2026-11 or a quarter like 2026-Q4"):
        parse_season("2026-13")


def test_season_grammar() -> None:
    assert parse("leaderboard season") == ShowSeasonBoard(None, Scope.SERVER)
    assert parse("leaderboard season 2026-11 channel") == ShowSeasonBoard("2026-11", Scope.CHANNEL)
    assert parse("season length quarter") == ConfigureSeason("quarter")
    assert parse("season") == ConfigureSeason()
    with pytest.raises(CommandError, match=r"month\|quarter\|off"):
        parse("season length year")
    with pytest.raises(CommandError, match="not a season"):
        parse("leaderboard season november")


async def play(
    app: App, clock: FakeClock, messenger: RecordingMessenger, until: datetime, who: dict[str, str]
) -> None:
    """Run the schedule every 30 minutes until ``until``; on every post the users of ``who``
    (user -> channel) answer it correctly."""
    moment = clock.now()
    seen = {c: len(posts(messenger, c)) for c in set(who.values())}
    while moment < until:
        moment += timedelta(minutes=30)
        await run_at(app, clock, moment)
        for user, channel in who.items():
            if len(posts(messenger, channel)) > seen[channel]:
                question = app.bank.get(posts(messenger, channel)[-1].question_id)
                assert question is not None
                ctx = member(channel=channel, user=user, name=user)
                await app.service.handle(ctx, SubmitAnswer(text=question.answer))
        seen = {c: len(posts(messenger, c)) for c in seen}


def champion_posts(messenger: RecordingMessenger, channel: str) -> list[TableCard]:
    return [
        s.card
        for s in messenger.of_kind("post", channel)
        if isinstance(s.card, TableCard) and s.card.title.startswith("Season champions")
    ]


async def board(app: App, ctx_user: str, command: ShowSeasonBoard) -> LeaderboardCard:
    card = (await app.service.handle(member(user=ctx_user, name=ctx_user), command)).cards[0]
    assert isinstance(card, LeaderboardCard), card
    return card


async def test_current_and_past_seasons_and_the_all_time_board(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 10, 30, 8, 0))
    await schedule(mini_app, "09:00", BERLIN, reveal="1h")
    await play(mini_app, clock, messenger, local(BERLIN, 2026, 11, 2, 12, 0), {"ann": "C1"})
    now = await board(mini_app, "ann", ShowSeasonBoard())
    assert now.title == "Leaderboard: this server, season November 2026, ends after Mon 30 Nov 2026"
    assert [(r.name, r.answers) for r in now.rows] == [("ann", 2)]  # 1 and 2 November
    october = await board(mini_app, "ann", ShowSeasonBoard("2026-10"))
    assert october.title == "Leaderboard: this server, season October 2026, ended"
    assert [(r.name, r.answers) for r in october.rows] == [("ann", 2)]  # 30 and 31 October
    everything = (
        await mini_app.service.handle(member(user="ann", name="ann"), ShowLeaderboard(Window.ALL))
    ).cards[0]
    assert isinstance(everything, LeaderboardCard)
    assert everything.rows[0].points == october.rows[0].points + now.rows[0].points
    # quarters add up the same month standings: nothing is rewritten
    refused = await mini_app.service.handle(member(), ConfigureSeason("quarter"))
    assert isinstance(refused.cards[0], Notice) and refused.cards[0].tone is Tone.ERROR
    done = await mini_app.service.handle(admin(), ConfigureSeason("quarter"))
    assert "quarters" in str(done.cards[0]) and "Q4 2026" in str(done.cards[0])
    quarter = await board(mini_app, "ann", ShowSeasonBoard())
    assert quarter.title.startswith("Leaderboard: this server, season Q4 2026 (Oct-Dec)")
    assert quarter.rows[0].points == everything.rows[0].points
    future = await mini_app.service.handle(member(), ShowSeasonBoard("2027-01"))
    assert "has not started yet" in str(future.cards[0])
    await mini_app.service.handle(admin(), ConfigureSeason("off"))
    off = await mini_app.service.handle(member(), ShowSeasonBoard())
    assert "Seasons are off" in str(off.cards[0])
    still = await board(mini_app, "ann", ShowSeasonBoard("2026-10"))  # the past stays readable
    assert still.rows == october.rows


class CrashAfterSend(BaseException):
    """The process dies right after the platform accepted a champion post (not an Exception:
    nothing in the bot catches it, like a SIGKILL)."""


async def test_one_champion_post_per_channel_across_dst_a_restart_and_two_processes(
    make_app: AppFactory, db_url: str, mini_bank: object, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    first = await make_app(db_url, with_bank=mini_bank)
    clock.set(local(BERLIN, 2026, 10, 22, 8, 0))
    await schedule(first, "09:00", BERLIN, reveal="1h", channel="C1")
    await schedule(first, "09:00", NEW_YORK, reveal="1h", channel="C2")
    # Berlin leaves summer time on 25 October, New York on 1 November, the night October ends there
    players = {"ann": "C1", "bob": "C2", "cy": "C1"}
    await play(first, clock, messenger, local(NEW_YORK, 2026, 10, 31, 23, 0), players)
    assert champion_posts(messenger, "C1") != []  # Berlin's October is over (midnight CET, 18:00 NY)
    assert champion_posts(messenger, "C2") == []  # not yet in New York
    # New York's midnight (EDT, two hours before the clocks go back): the process dies right
    # after the platform accepted the post, before the bot recorded it
    real_post = messenger.post

    async def post_then_crash(
        channel: ChannelRef, card: object, *, key: str, resend: bool = False
    ) -> MessageRef:
        ref = await real_post(channel, card, key=key, resend=resend)  # type: ignore[arg-type]
        if key.startswith("season-"):
            raise CrashAfterSend()
        return ref

    messenger.post = post_then_crash  # type: ignore[method-assign]
    with pytest.raises(CrashAfterSend):
        await run_at(first, clock, local(NEW_YORK, 2026, 11, 1, 0, 30))
    messenger.post = real_post  # type: ignore[method-assign]
    await first.close()
    # two processes start; the lease of the dead sender expires; both run at once
    second = await make_app(db_url, with_bank=mini_bank)
    third = await make_app(db_url, with_bank=mini_bank)
    clock.set(local(NEW_YORK, 2026, 11, 1, 0, 30) + timedelta(minutes=5))
    await asyncio.gather(second.dispatcher.run_due(), third.dispatcher.run_due())
    await play(second, clock, messenger, local(NEW_YORK, 2026, 11, 2, 12, 0), players)
    [berlin] = champion_posts(messenger, "C1")
    [new_york] = champion_posts(messenger, "C2")
    assert berlin == new_york  # the workspace's season, named in each channel
    assert berlin.title == "Season champions: October 2026"
    assert berlin.columns == ("rank", "player", "points", "answers", "strong")
    assert [row[:2] for row in berlin.rows] == [("1", "ann"), ("1", "bob"), ("1", "cy")]
    assert berlin.footer.startswith("Champions: ann, bob, cy. This server: 3 players, ")
    async with second.engine.connect() as conn:
        rows = await season_store.posts_of(conn)
    assert sorted((r.season, r.state) for r in rows) == [("2026-10", "sent"), ("2026-10", "sent")]
    assert sorted(r.attempts for r in rows) == [1, 2]  # New York's was resent once, adopted
    resent = [s for s in messenger.sent if s.key.startswith("season-")]
    assert len(resent) == 2  # the platform shows two posts in all: one per channel


async def test_the_timer_wakes_at_the_season_end_for_the_champion_post(
    mini_app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    clock.set(local(BERLIN, 2026, 11, 29, 8, 0))
    await schedule(mini_app, "09:00", BERLIN, reveal="1h")
    await play(mini_app, clock, messenger, local(BERLIN, 2026, 11, 30, 12, 0), {"ann": "C1"})
    midnight = local(BERLIN, 2026, 12, 1, 0, 0)
    # the next post is at 09:00; the season ends before, at Berlin's midnight
    assert await mini_app.dispatcher.next_wake() == midnight
    await run_at(mini_app, clock, midnight)
    [post] = champion_posts(messenger, "C1")
    assert post.title == "Season champions: November 2026"
    assert await mini_app.dispatcher.next_wake() == local(BERLIN, 2026, 12, 1, 9, 0)
    await mini_app.service.handle(admin(), ConfigureSeason("off"))
    clock.set(local(BERLIN, 2026, 12, 31, 12, 0))
    wake = await mini_app.dispatcher.next_wake()
    assert wake is not None and wake != local(BERLIN, 2027, 1, 1, 0, 0)  # seasons off: no wake for them


def test_roles_grammar() -> None:
    assert parse("daily roles") == ConfigureRoles()
    assert parse("daily roles off") == ConfigureRoles("off")
    assert parse("daily roles champion <@&123456>") == ConfigureRoles("champion", "<@&123456>")
    assert parse("daily roles champion OFF") == ConfigureRoles("champion", "off")
    assert parse("daily roles streak 30 <@&123456>") == ConfigureRoles("streak30", "<@&123456>")
    for wrong in ("daily roles streak 8 <@&1>", "daily roles champion", "daily roles king <@&1>"):
        with pytest.raises(CommandError, match=r"daily roles streak 7\|30\|100 @Role"):
            parse(wrong)


async def test_roles_on_the_console_and_slack_are_explained(mini_app: App) -> None:
    for platform in ("test", "slack"):
        ctx = Context(platform, "W1", "C1", "U1", "Ada", is_admin=True)
        reply = await mini_app.service.handle(ctx, ConfigureRoles("champion", "<@&123456>"))
        assert reply.cards == (
            Notice(
                "Roles are a Discord feature; on Slack the champion post mentions the champions, "
                "and in the terminal it names them."
            ),
        )
    refused = await mini_app.service.handle(member(), ConfigureRoles())
    assert "Only admins" in str(refused)
