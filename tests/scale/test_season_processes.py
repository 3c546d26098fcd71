"""Two processes' worth of connections (two apps, two engines) run the season rollover at the same
moment against one PostgreSQL database: one champion post per channel, one champion role."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from bot.app import App, build_app
from bot.bank.model import Bank
from bot.cards import Notice, Tone
from bot.commands import ConfigureDaily, ConfigureRoles, SubmitAnswer
from bot.config import Settings
from bot.context import Context
from bot.store import roles as role_store
from bot.store import seasons as season_store
from tests.support.clock import FakeClock
from tests.support.databases import postgres_database
from tests.support.messenger import RecordingMessenger
from tests.support.roles import RecordingRoles

CHANNELS = ("C1", "C2", "C3", "C4", "C5", "C6")
ROLE = "777000000000000001"


def ctx(channel: str, user: str, *, is_admin: bool = False) -> Context:
    return Context("discord", "G1", channel, user, user, is_admin=is_admin)


async def test_two_processes_roll_the_season_over_at_once_on_postgres(mini_bank: Bank) -> None:
    clock = FakeClock(datetime(2026, 10, 30, 8, 0, tzinfo=UTC))
    messenger, roles = RecordingMessenger(), RecordingRoles()
    async with postgres_database() as url:
        apps: list[App] = []
        try:
            for _ in range(2):
                apps.append(
                    await build_app(Settings(database_url=url), messenger, clock, mini_bank, roles=roles)
                )
            first, second = apps
            await first.service.handle(
                ctx("C1", "admin", is_admin=True), ConfigureRoles("champion", f"<@&{ROLE}>")
            )
            for channel in CHANNELS:
                command = ConfigureDaily(time(9, 0), timezone="UTC", reveal_after=timedelta(hours=4))
                await first.service.handle(ctx(channel, "admin", is_admin=True), command)
            for day in (30, 31):  # ann answers in every channel, bob in one
                clock.set(datetime(2026, 10, day, 9, 0, tzinfo=UTC))
                await asyncio.gather(first.dispatcher.run_due(), second.dispatcher.run_due())
                for sent in messenger.of_kind("post")[-len(CHANNELS) :]:
                    question = mini_bank.get(sent.card.question_id)  # type: ignore[union-attr]
                    assert question is not None
                    for user in ("ann", "bob") if sent.channel.channel_id == "C1" else ("ann",):
                        reply = await second.service.handle(
                            ctx(sent.channel.channel_id, user), SubmitAnswer(text=question.answer)
                        )
                        assert not any(isinstance(c, Notice) and c.tone is Tone.ERROR for c in reply.cards)
                clock.set(datetime(2026, 10, day, 13, 0, tzinfo=UTC))
                await asyncio.gather(first.dispatcher.run_due(), second.dispatcher.run_due())
            # midnight UTC: every channel's October ends at the same moment, in both processes
            clock.set(datetime(2026, 11, 1, 0, 0, tzinfo=UTC))
            for _ in range(3):
                await asyncio.gather(first.dispatcher.run_due(), second.dispatcher.run_due())
            champion_sends = [s for s in messenger.sent if s.key.startswith("season-")]
            assert sorted(s.channel.channel_id for s in champion_sends) == list(CHANNELS)
            assert {s.card.title for s in champion_sends} == {"Season champions: October 2026"}  # type: ignore[union-attr]
            async with first.engine.connect() as conn:
                rows = await season_store.posts_of(conn)
                grants = await role_store.grants_of(conn)
            assert sorted((r.state, r.attempts) for r in rows) == [("sent", 1)] * len(CHANNELS)
            assert roles.calls == [("grant", "G1", "ann", ROLE)]
            assert [(g.user_id, g.season, g.state) for g in grants] == [("ann", "2026-10", "granted")]
        finally:
            for app in apps:
                await app.close()
