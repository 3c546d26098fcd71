"""Discord exactly-once past the nonce window: a bot stopped dead right after Discord accepted its
post (or its reveal, or a reminder DM), kept down longer than Discord remembers nonces, then
restarted on the same database, still shows one post per channel, one reveal and one reminder."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.store.tables import reminders_sent, rounds
from tests.adapters.test_discord_daily import schedule
from tests.fakes.discord_payloads import JSON
from tests.fakes.fake_discord import FakeDiscord
from tests.support.clock import FakeClock
from tests.support.discord_harness import DiscordHarness, custom_ids, running_bot

NONCE_WINDOW = 300.0  # seconds of the fake clock, like Discord's few minutes
DOWN = timedelta(minutes=20)  # longer than the window and the 30 s lease


async def until(check: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def killed_after_accept(h: DiscordHarness, path: str, accepted: Callable[[], bool]) -> None:
    """Run the due work until the fake has accepted a send on ``path``, then stop the bot dead:
    the task is cancelled mid-request, so nothing after the send (recording it) runs."""
    h.fake.accept_then_hang(path)
    work: asyncio.Task[None] = asyncio.create_task(h.app.dispatcher.run_due())
    await until(accepted)
    work.cancel()
    await asyncio.gather(work, return_exceptions=True)


async def round_row(h: DiscordHarness) -> tuple[str, str | None]:
    async with h.app.engine.connect() as conn:
        row = (await conn.execute(select(rounds.c.state, rounds.c.message_id))).one()
    return str(row.state), row.message_id


def bot_messages(fake: FakeDiscord, channel_id: str) -> list[JSON]:
    return [m for m in fake.channel_messages(channel_id) if "interaction_metadata" not in m]


async def test_a_post_and_a_reveal_accepted_before_a_kill_are_adopted_after_the_nonce_window(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with FakeDiscord(clock=clock, nonce_window=NONCE_WINDOW) as fake:
        daily = fake.guild.channel_id("daily")
        async with running_bot(fake, tmp_path, clock=clock) as first:
            await schedule(first)
            clock.advance(timedelta(hours=1))
            await killed_after_accept(first, rf"/channels/{daily}/messages", lambda: len(first.posts()) == 1)
            assert (await round_row(first))[1] is None  # the bot never learned the post's id
        clock.advance(DOWN)

        async with running_bot(fake, tmp_path, clock=clock) as second:
            await second.app.dispatcher.run_due()
            [post] = second.posts()
            assert await round_row(second) == ("open", post["id"])
            creates = fake.requests_to("POST", rf"/channels/{daily}/messages")
            assert len(creates) == 1  # adopted, not sent again with the stale nonce
            [lookup] = fake.requests_to("GET", rf"/channels/{daily}/messages")
            assert lookup.query == {"limit": "100"}

            round_id = custom_ids(post)[0].split(":")[2]
            assert custom_ids(post) == [f"dailyq:answer:{round_id}"]
            clock.advance(timedelta(hours=4))
            thread = post["id"]  # a thread started from a message has the message's id
            await killed_after_accept(
                second, rf"/channels/{thread}/messages", lambda: len(bot_messages(fake, thread)) == 1
            )
            assert (await round_row(second))[0] == "revealing"
        clock.advance(DOWN)

        async with running_bot(fake, tmp_path, clock=clock) as third:
            await third.app.dispatcher.run_due()
            assert (await round_row(third))[0] == "revealed"
            [reveal] = bot_messages(fake, thread)
            assert reveal["embeds"][0]["title"] == "Answer revealed"
            assert len(fake.requests_to("POST", rf"/channels/{thread}/messages")) == 1
            assert len(fake.requests_to("GET", rf"/channels/{thread}/messages")) == 1
            assert len(third.posts()) == 1 and fake.messages[post["id"]]["components"] == []  # closed
        assert fake.unhandled == []


async def test_a_reply_to_the_post_is_adopted_when_threads_are_not_allowed(tmp_path: Path) -> None:
    clock = FakeClock()
    async with FakeDiscord(clock=clock, nonce_window=NONCE_WINDOW) as fake:
        daily = fake.guild.channel_id("daily")
        async with running_bot(fake, tmp_path, clock=clock) as first:
            await schedule(first)
            clock.advance(timedelta(hours=1))
            await first.app.dispatcher.run_due()
            [post] = first.posts()
            fake.error_next("POST", rf"/channels/{daily}/messages/\d+/threads", 403, times=2)
            clock.advance(timedelta(hours=4))
            await killed_after_accept(first, rf"/channels/{daily}/messages", lambda: len(first.posts()) == 2)
        clock.advance(DOWN)

        async with running_bot(fake, tmp_path, clock=clock) as second:
            await second.app.dispatcher.run_due()
            assert (await round_row(second))[0] == "revealed"
            [_, reveal] = second.posts()
            assert str(reveal["message_reference"]["message_id"]) == post["id"]
            assert len(fake.requests_to("POST", rf"/channels/{daily}/messages")) == 2


async def test_another_rounds_post_is_not_adopted(tmp_path: Path) -> None:
    clock = FakeClock()
    async with FakeDiscord(clock=clock, nonce_window=NONCE_WINDOW) as fake:
        daily = fake.guild.channel_id("daily")
        async with running_bot(fake, tmp_path, clock=clock) as first:
            await schedule(first)
            bot_id = fake.bot_user["id"]
            others = [
                {"components": [{"type": 1, "components": [{"type": 2, "custom_id": "dailyq:answer:999"}]}]},
                {"embeds": [{"title": "Question of the day"}]},  # same look, no button of this round
            ]
            for body in others:
                fake.add_message(daily, body)
            member = fake.guild.user("member")
            button = {"type": 2, "custom_id": "dailyq:answer:1"}
            fake.add_message(daily, {"components": [{"type": 1, "components": [button]}]}, author=member)
            clock.advance(timedelta(hours=1))
            fake.error_next("POST", rf"/channels/{daily}/messages", 400)  # refused: a real retry
            await first.app.dispatcher.run_due()
            clock.advance(timedelta(minutes=10))
            await first.app.dispatcher.run_due()
            state, message_id = await round_row(first)
            assert state == "open" and message_id not in {m["id"] for m in fake.channel_messages(daily)[:3]}
            assert [m["author"]["id"] for m in fake.channel_messages(daily)].count(bot_id) == 3
            assert len(fake.requests_to("GET", rf"/channels/{daily}/messages")) == 1


async def test_a_reminder_dm_accepted_before_a_kill_is_not_sent_again_after_the_nonce_window(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    async with FakeDiscord(clock=clock, nonce_window=NONCE_WINDOW) as fake:
        member_id = fake.guild.user("member")["id"]
        async with running_bot(fake, tmp_path, clock=clock) as first:
            await schedule(first)
            await first.slash("remind", {"state": "on", "before": "2h"}, user="member")
            clock.advance(timedelta(hours=1))
            await first.app.dispatcher.run_due()  # 09:00: the post
            clock.advance(timedelta(hours=2))  # 11:00: two hours before the reveal
            dm_messages = rf"/channels/(?!{fake.guild.channel_id('daily')})\d+/messages"
            await killed_after_accept(
                first, dm_messages, lambda: member_id in fake.dm_channels and len(dm_of(fake, member_id)) == 1
            )
        clock.advance(DOWN)  # 11:20, still before the reveal: the reminder is due again

        async with running_bot(fake, tmp_path, clock=clock) as second:
            await second.app.dispatcher.run_due()
            async with second.app.engine.connect() as conn:
                sent = (await conn.execute(select(reminders_sent.c.state, reminders_sent.c.attempts))).all()
            assert [tuple(row) for row in sent] == [("sent", 2)]  # the resend found the first DM
        [reminder] = dm_of(fake, member_id)
        assert reminder["embeds"][0]["title"] == "dailyq reminder"
        dm_id = fake.dm_channels[member_id]["id"]
        assert len(fake.requests_to("POST", rf"/channels/{dm_id}/messages")) == 1
        [lookup] = fake.requests_to("GET", rf"/channels/{dm_id}/messages")
        assert lookup.query == {"limit": "100"}
        assert fake.unhandled == []


def dm_of(fake: FakeDiscord, user_id: str) -> list[JSON]:
    """The messages in the bot's DM channel with ``user_id``."""
    return fake.channel_messages(fake.dm_channels[user_id]["id"])
