"""The grades store (appeals, grade changes, the rounds grade commands find, exports) on real SQLite
and PostgreSQL: records with enums, compare-and-set writes, and workspace confinement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.bank.grading import Verdict
from bot.store import appeals, exports, grade_changes, revealed_rounds
from bot.store.appeals import Appeal, AppealState, encode_key_points
from bot.store.db import open_database
from bot.store.grade_changes import GradeChange, PastGrade
from bot.store.revealed_rounds import RoundRef
from bot.store.tables import answers, channels, rounds, users

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


async def _round(
    conn: AsyncConnection, channel_pk: int, day: int, *, scored: bool, message: str | None = None
) -> None:
    local = f"2026-11-{day:02d}"
    await conn.execute(
        insert(rounds).values(
            channel_pk=channel_pk,
            slot=local,
            local_date=local,
            question_id=f"q{day}",
            cycle=1,
            mode="open",
            seed=7,
            state="revealed" if scored else "open",
            scheduled_for=NOW,
            reveal_at=NOW + timedelta(hours=8),
            message_id=message,
            scored=scored,
        ),
    )


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """Channel 1 (W1) with rounds 1 (scored, post M1), 2 (scored), 3 (open); channel 2 in W2 with
    round 4 (scored); users 1 (Ada) and 2 (Bob). Bob answered round 1 (partial) and round 3."""
    engine = await open_database(db_url)
    async with engine.begin() as conn:
        for workspace in ("W1", "W2"):
            await conn.execute(
                insert(channels).values(
                    platform="test", workspace_id=workspace, channel_id="C1", created_at=NOW
                )
            )
        for user_id, name in (("U1", "Ada"), ("U2", "Bob")):
            await conn.execute(
                insert(users).values(
                    platform="test", workspace_id="W1", user_id=user_id, display_name=name, created_at=NOW
                )
            )
        await _round(conn, 1, 21, scored=True, message="M1")
        await _round(conn, 1, 22, scored=True)
        await _round(conn, 1, 23, scored=False)
        await _round(conn, 2, 24, scored=True)
        for round_id, verdict, points in ((1, "partial", 3), (3, "strong", 0)):
            await conn.execute(
                insert(answers).values(
                    round_id=round_id,
                    user_pk=2,
                    text="it reduces variance",
                    score=0.5,
                    verdict=verdict,
                    points=points,
                    answered_at=NOW,
                    key_points=encode_key_points(["variance", "bias"], [True, False]),
                )
            )
    yield engine
    await engine.dispose()


async def test_an_answer_comes_with_its_scope_and_enums(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        answer = await appeals.answer_of(conn, 1, 2)
        assert await appeals.answer_of(conn, 2, 2) is None
        assert await appeals.answer_by_id(conn, 2**63) is None  # a crafted id finds nothing
    assert answer is not None
    assert answer.verdict is Verdict.PARTIAL
    assert answer.key_points == (("variance", True), ("bias", False))
    assert (answer.round_id, answer.question_id, answer.local_date, answer.seed, answer.scored) == (
        1,
        "q21",
        "2026-11-21",
        7,
        True,
    )
    assert (answer.platform, answer.workspace_id, answer.user_id, answer.display_name) == (
        "test",
        "W1",
        "U2",
        "Bob",
    )
    assert (answer.revealed_at, answer.reveal_at, answer.appeal) == (None, NOW + timedelta(hours=8), None)


async def test_one_appeal_per_answer_and_one_decision_per_appeal(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        first = await appeals.insert_appeal(conn, 1, "I named both", Verdict.PARTIAL, NOW)
        again = await appeals.insert_appeal(conn, 1, "really", Verdict.PARTIAL, NOW)
    assert first is not None and again is None
    async with engine.connect() as conn:
        scoped = await appeals.appeal_by_id(conn, first)
        listed = await appeals.open_appeals(conn, 1)
        elsewhere = await appeals.open_appeals(conn, 2)
    assert scoped is not None and scoped.appeal == Appeal(first, AppealState.OPEN, "I named both", "", NOW)
    assert [a.id for a in listed] == [1] and elsewhere == []
    async with engine.begin() as conn:
        won = await appeals.close_appeal(
            conn,
            first,
            state=AppealState.ACCEPTED,
            verdict_after=Verdict.STRONG,
            note="fair",
            by="U1",
            now=NOW,
        )
        lost = await appeals.close_appeal(
            conn, first, state=AppealState.REJECTED, verdict_after=None, note="no", by="U3", now=NOW
        )
    assert (won, lost) == (True, False)
    async with engine.connect() as conn:
        decided = await appeals.answer_by_id(conn, 1)
        assert await appeals.open_appeals(conn, 1) == []
    assert decided is not None and decided.appeal == Appeal(
        first, AppealState.ACCEPTED, "I named both", "fair", NOW
    )


async def test_a_verdict_changes_only_from_what_was_read(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        stale = await grade_changes.set_verdict(
            conn, 1, old_verdict=Verdict.MISSED, old_points=3, verdict=Verdict.STRONG, points=6
        )
        moved_points = await grade_changes.set_verdict(
            conn, 1, old_verdict=Verdict.PARTIAL, old_points=4, verdict=Verdict.STRONG, points=6
        )
        fresh = await grade_changes.set_verdict(
            conn, 1, old_verdict=Verdict.PARTIAL, old_points=3, verdict=Verdict.STRONG, points=6
        )
        await grade_changes.log_change(
            conn,
            1,
            appeal_id=None,
            before=(Verdict.PARTIAL, 3),
            after=(Verdict.STRONG, 6),
            by="U1",
            note="both named",
            now=NOW,
        )
        stored = (
            await conn.execute(select(answers.c.verdict, answers.c.points).where(answers.c.id == 1))
        ).one()
    assert (stale, moved_points, fresh) == (False, False, True)
    assert tuple(stored) == ("strong", 6)
    async with engine.connect() as conn:
        assert await grade_changes.changes_of(conn, 1) == [
            GradeChange(1, 1, None, Verdict.PARTIAL, Verdict.STRONG, 3, 6, "U1", "both named", NOW)
        ]
        assert await grade_changes.changes_of(conn, 2) == []


async def test_recent_grades_are_only_revealed_ones_newest_first(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(answers).values(
                round_id=2, user_pk=2, text="x", score=1.0, verdict="strong", points=5, answered_at=NOW
            )
        )
    async with engine.connect() as conn:
        assert await grade_changes.recent_grades(conn, 2, 5) == [
            PastGrade("2026-11-22", "q22", Verdict.STRONG, 5),
            PastGrade("2026-11-21", "q21", Verdict.PARTIAL, 3),
        ]  # round 3 is not revealed
        assert await grade_changes.recent_grades(conn, 2, 1) == [
            PastGrade("2026-11-22", "q22", Verdict.STRONG, 5)
        ]


async def test_grade_commands_find_rounds_only_in_their_workspace(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await revealed_rounds.round_in_workspace(conn, "test", "W1", 3) == RoundRef(
            3, "2026-11-23", False
        )
        assert await revealed_rounds.round_in_workspace(conn, "test", "W1", 4) is None  # W2's round
        assert await revealed_rounds.round_in_workspace(conn, "test", "W1", 2**64) is None
        assert await revealed_rounds.round_of_post(conn, "test", "W1", "M1") == RoundRef(
            1, "2026-11-21", True
        )
        assert await revealed_rounds.round_of_post(conn, "test", "W2", "M1") is None
        assert await revealed_rounds.last_revealed(conn, 1) == RoundRef(2, "2026-11-22", True)  # 3 is open


async def test_channel_export_has_a_line_for_a_round_nobody_answered(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        lines = await exports.channel_rounds(conn, 1)
        mine = await exports.user_answers(conn, 2)
    assert [(line.round_id, line.user_id, line.verdict) for line in lines] == [
        (1, "U2", Verdict.PARTIAL),
        (2, None, None),
        (3, "U2", Verdict.STRONG),
    ]
    nobody = lines[1]
    assert (nobody.text, nobody.choice, nobody.score, nobody.points, nobody.answered_at) == (None,) * 5
    assert [(a.round_id, a.channel_id, a.verdict, a.points, a.scored) for a in mine] == [
        (1, "C1", Verdict.PARTIAL, 3, True),
        (3, "C1", Verdict.STRONG, 0, False),
    ]
