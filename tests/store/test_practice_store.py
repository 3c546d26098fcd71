"""The practice store (flashcards, the open practice question, quote opt-outs) on real SQLite and
PostgreSQL: the records it returns and the conflict rules its upserts rely on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store import flashcards, open_practice, quote_optouts
from bot.store.db import open_database
from bot.store.flashcards import Flashcard, Origin
from bot.store.open_practice import OpenPractice
from bot.store.tables import users

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database with two members (user_pk 1 and 2)."""
    engine = await open_database(db_url)
    async with engine.begin() as conn:
        for user_id in ("U1", "U2"):
            await conn.execute(
                insert(users).values(
                    platform="test", workspace_id="W1", user_id=user_id, display_name=user_id, created_at=NOW
                )
            )
    yield engine
    await engine.dispose()


async def test_a_missed_card_never_replaces_a_practice_card(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await flashcards.save_review(
            conn, 1, "q1", state='{"s": 1}', due=NOW + timedelta(days=3), reviews=2, rating="good", now=NOW
        )
        kept = await flashcards.add_missed(conn, [1], "q1", state='{"s": 9}', due=NOW, now=NOW)
        made = await flashcards.add_missed(
            conn, [1], "q2", state='{"s": 2}', due=NOW + timedelta(days=1), now=NOW
        )
    async with engine.connect() as conn:
        first = await flashcards.flashcard(conn, 1, "q1")
        second = await flashcards.flashcard(conn, 1, "q2")
        nobody = await flashcards.flashcard(conn, 2, "q1")
    assert (kept, made) == (0, 1)
    assert first == Flashcard(1, "q1", '{"s": 1}', NOW + timedelta(days=3), 2, "good", Origin.PRACTICE, NOW)
    assert second == Flashcard(1, "q2", '{"s": 2}', NOW + timedelta(days=1), 0, None, Origin.MISSED, NOW)
    assert nobody is None


async def test_rating_a_missed_card_keeps_it_a_missed_card(engine: AsyncEngine) -> None:
    later = NOW + timedelta(hours=5)
    async with engine.begin() as conn:
        await flashcards.add_missed(conn, [1], "q1", state="{}", due=NOW, now=NOW)
        await flashcards.save_review(
            conn,
            1,
            "q1",
            state='{"r": 1}',
            due=later + timedelta(days=1),
            reviews=1,
            rating="hard",
            now=later,
        )
    async with engine.connect() as conn:
        card = await flashcards.flashcard(conn, 1, "q1")
    assert card == Flashcard(1, "q1", '{"r": 1}', later + timedelta(days=1), 1, "hard", Origin.MISSED, later)
    assert card.due.tzinfo is UTC


async def test_flashcards_come_due_first_and_by_origin(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await flashcards.save_review(conn, 1, "b", state="{}", due=NOW, reviews=1, rating="good", now=NOW)
        await flashcards.add_missed(conn, [1], "c", state="{}", due=NOW - timedelta(days=1), now=NOW)
        await flashcards.add_missed(conn, [1], "a", state="{}", due=NOW, now=NOW)
        await flashcards.add_missed(conn, [2], "z", state="{}", due=NOW - timedelta(days=9), now=NOW)
    async with engine.connect() as conn:
        every = await flashcards.flashcards_of(conn, 1)
        missed = await flashcards.flashcards_of(conn, 1, Origin.MISSED)
        none = await flashcards.flashcards_of(conn, 3)
    assert [(c.question_id, c.origin) for c in every] == [
        ("c", Origin.MISSED),
        ("a", Origin.MISSED),  # same due as "b": by question id
        ("b", Origin.PRACTICE),
    ]
    assert [c.question_id for c in missed] == ["c", "a"]
    assert none == []


async def test_a_reveal_adds_every_missed_card_in_one_go_keeping_existing_ones(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for user_id in ("U3", "U4"):
            await conn.execute(
                insert(users).values(
                    platform="test", workspace_id="W1", user_id=user_id, display_name=user_id, created_at=NOW
                )
            )
        await flashcards.save_review(conn, 2, "q1", state="{}", due=NOW, reviews=4, rating="easy", now=NOW)
        none = await flashcards.add_missed(conn, [], "q1", state="{}", due=NOW, now=NOW)
        made = await flashcards.add_missed(
            conn, [1, 2, 3, 4, 1], "q1", state='{"m": 1}', due=NOW + timedelta(days=1), now=NOW
        )
    async with engine.connect() as conn:
        found = [await flashcards.flashcard(conn, pk, "q1") for pk in (1, 2, 3, 4)]
    assert (none, made) == (0, 3)  # member 2 had a card; member 1 twice in the list is one card
    assert [(c.user_pk, c.origin, c.reviews, c.state) for c in found if c is not None] == [
        (1, Origin.MISSED, 0, '{"m": 1}'),
        (2, Origin.PRACTICE, 4, "{}"),
        (3, Origin.MISSED, 0, '{"m": 1}'),
        (4, Origin.MISSED, 0, '{"m": 1}'),
    ]


async def test_count_due_counts_a_card_due_this_very_moment(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await flashcards.add_missed(conn, [1], "now", state="{}", due=NOW, now=NOW)
        await flashcards.add_missed(conn, [1], "later", state="{}", due=NOW + timedelta(seconds=1), now=NOW)
        await flashcards.add_missed(conn, [1], "past", state="{}", due=NOW - timedelta(days=2), now=NOW)
        await flashcards.add_missed(conn, [2], "other", state="{}", due=NOW - timedelta(days=2), now=NOW)
    async with engine.connect() as conn:
        assert await flashcards.count_due(conn, 1, NOW) == (2, 3)
        assert await flashcards.count_due(conn, 1, NOW - timedelta(days=3)) == (0, 3)
        assert await flashcards.count_due(conn, 3, NOW) == (0, 0)


async def test_one_open_practice_question_per_member(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await open_practice.set_open_practice(conn, 1, "q1", NOW)
        await open_practice.set_open_practice(conn, 1, "q2", NOW + timedelta(minutes=1), "hard")
        await open_practice.set_open_practice(conn, 2, "q9", NOW)
    async with engine.connect() as conn:
        assert await open_practice.open_practice(conn, 1) == OpenPractice(
            1, "q2", NOW + timedelta(minutes=1), "hard"
        )
    async with engine.begin() as conn:
        await open_practice.close_practice(conn, 1)
        await open_practice.close_practice(conn, 1)  # closing twice is no error
    async with engine.connect() as conn:
        assert await open_practice.open_practice(conn, 1) is None
        assert await open_practice.open_practice(conn, 2) == OpenPractice(2, "q9", NOW, None)


async def test_quote_opt_out_is_idempotent_both_ways(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await quote_optouts.forbid_quotes(conn, 1, NOW)
        await quote_optouts.forbid_quotes(conn, 1, NOW)
        await quote_optouts.allow_quotes(conn, 2)
    async with engine.connect() as conn:
        assert await quote_optouts.opted_out(conn, [1, 2, 3]) == {1}
        assert await quote_optouts.opted_out(conn, []) == set()
    async with engine.begin() as conn:
        await quote_optouts.allow_quotes(conn, 1)
    async with engine.connect() as conn:
        assert await quote_optouts.opted_out(conn, [1, 2]) == set()
