"""The poster's batches: a fan-out larger than one claim or send batch, channels on workspace
banks among bundled ones, and leases given back when a batch outlives half its lease."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.cards import Card, QuestionCard
from bot.commands import ConfigureDaily
from bot.daily import poster
from bot.ports import ChannelRef, MessageRef
from bot.store.tables import rounds
from tests.conftest import admin
from tests.core.rounds_helpers import run_at, schedule
from tests.core.test_channel_banks import GRAPHS, upload
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

NINE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def schedule_many(app: App, count: int) -> list[str]:
    """``daily set 09:00 UTC`` in channels C0..C<count-1>; their ids."""
    channels = [f"C{i}" for i in range(count)]
    for channel in channels:
        await schedule(app, "09:00", "UTC", channel=channel)
    return channels


async def round_rows(app: App) -> list[tuple[str, str | None, int]]:
    """(state, message id, post attempts) of every round."""
    async with app.engine.connect() as conn:
        statement = select(rounds.c.state, rounds.c.message_id, rounds.c.post_attempts)
        return [(str(s), m, int(a)) for s, m, a in (await conn.execute(statement)).all()]


def question_posts(messenger: RecordingMessenger) -> dict[str, list[QuestionCard]]:
    """The question cards posted, by channel id."""
    found: dict[str, list[QuestionCard]] = {}
    for sent in messenger.sent:
        if sent.kind == "post" and isinstance(sent.card, QuestionCard):
            found.setdefault(sent.channel.channel_id, []).append(sent.card)
    return found


async def test_a_fan_out_over_several_batches_posts_once_per_channel_and_opens_every_round(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    count = poster.BATCH + poster.SEND_BATCH + 7
    channels = await schedule_many(app, count)
    clock.set(NINE - timedelta(minutes=1))
    await run_at(app, clock, NINE)
    by_channel = question_posts(messenger)
    assert sorted(by_channel) == sorted(channels)
    assert all(len(cards) == 1 for cards in by_channel.values())
    rows = await round_rows(app)
    assert len(rows) == count
    assert all(state == "open" and message is not None and attempts == 1 for state, message, attempts in rows)
    await run_at(app, clock, NINE + timedelta(minutes=1))  # nothing is due again
    assert sum(len(cards) for cards in question_posts(messenger).values()) == count


async def test_a_channel_on_a_workspace_bank_among_bundled_ones_gets_its_own_question(
    app: App, clock: FakeClock, messenger: RecordingMessenger
) -> None:
    await schedule_many(app, poster.BATCH + 3)
    await app.service.handle(admin(channel="C5"), upload(GRAPHS))
    await app.service.handle(admin(channel="C5"), ConfigureDaily(post_time=time(9, 0), banks=("ours",)))
    await run_at(app, clock, NINE)
    by_channel = question_posts(messenger)
    assert len(by_channel) == poster.BATCH + 3
    assert all(len(cards) == 1 for cards in by_channel.values())
    assert by_channel["C5"][0].question_id in ("ours:spanning-tree", "ours:dijkstra")
    others = [cards[0].question_id for channel, cards in by_channel.items() if channel != "C5"]
    assert not any(q.startswith("ours:") for q in others)


async def test_sends_that_outlast_half_the_lease_give_the_rest_back_and_each_goes_out_once_as_new(
    app: App, clock: FakeClock, messenger: RecordingMessenger, monkeypatch: pytest.MonkeyPatch
) -> None:
    await schedule_many(app, 5)
    deliver = messenger.post

    async def slow_post(channel: ChannelRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        clock.advance(timedelta(seconds=20))  # each send takes two thirds of the 30 s lease
        return await deliver(channel, card, key=key, resend=resend)

    monkeypatch.setattr(messenger, "post", slow_post)
    await run_at(app, clock, NINE)
    posts = [s for s in messenger.sent if s.kind == "post"]
    assert len(posts) == 5
    assert len({s.key for s in posts}) == 5
    assert not any(s.resend for s in posts)  # given back, not counted as an attempt
    assert all(state == "open" and attempts == 1 for state, _, attempts in await round_rows(app))
