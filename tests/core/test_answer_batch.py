"""Group-committed answers (bot.daily.answer_batch) on real SQLite and PostgreSQL: answers sent
together are stored in fewer transactions, and each caller gets its own outcome, as if alone."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.app import App
from bot.daily.answer_batch import AnswerBatcher
from bot.store import unit
from bot.store.answers import Graded, Outcome, RoundFacts, Submitted, Target
from bot.store.tables import answers, users
from tests.core.test_answers import open_round, reveal
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

CHANNEL = Target("test", "W1", "C1", None)


async def _round(app: App, messenger: RecordingMessenger, batcher: AnswerBatcher, mode: str) -> RoundFacts:
    await open_round(app, messenger, mode=mode)
    found = await batcher.submit(CHANNEL, "U0", "nobody", None, FakeClock().now())
    assert found.outcome is Outcome.UNGRADED and found.round is not None
    return found.round


def _graded(facts: RoundFacts, text: str | None = None, choice: int | None = None) -> Graded:
    return Graded(facts.round_id, facts.question_id, text, choice, 0.5, "partial", None, FakeClock().now())


def _answer(batcher: AnswerBatcher, facts: RoundFacts, user: str, **what: object) -> asyncio.Task[Submitted]:
    target = Target("test", "W1", "C1", facts.round_id)
    graded = _graded(facts, **what)  # type: ignore[arg-type]
    return asyncio.create_task(batcher.submit(target, user, f"name-{user}", graded, graded.answered_at))


async def _stored(app: App) -> dict[str, tuple[str | None, int | None]]:
    query = select(users.c.user_id, answers.c.text, answers.c.choice).join(
        users, users.c.id == answers.c.user_pk
    )
    async with app.engine.connect() as conn:
        return {row.user_id: (row.text, row.choice) for row in (await conn.execute(query)).all()}


async def test_answers_sent_together_are_stored_together_each_once(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    batcher = AnswerBatcher(mini_app.engine)
    facts = await _round(mini_app, messenger, batcher, "open")
    before = batcher.batches
    results = await asyncio.gather(*(_answer(batcher, facts, f"U{n}", text=f"idea {n}") for n in range(40)))
    assert [r.outcome for r in results] == [Outcome.STORED] * 40
    assert all(r.round == facts for r in results)
    assert await _stored(mini_app) == {f"U{n}": (f"idea {n}", None) for n in range(40)}
    assert batcher.batches - before < 40  # grouped: fewer transactions than answers


async def test_a_second_answer_in_the_same_batch_edits_the_first(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    batcher = AnswerBatcher(mini_app.engine)
    facts = await _round(mini_app, messenger, batcher, "open")
    first, second, other = await asyncio.gather(
        _answer(batcher, facts, "U1", text="first idea"),
        _answer(batcher, facts, "U1", text="better idea"),
        _answer(batcher, facts, "U2", text="bob's idea"),
    )
    assert (first.outcome, second.outcome, other.outcome) == (Outcome.STORED,) * 3
    assert await _stored(mini_app) == {"U1": ("better idea", None), "U2": ("bob's idea", None)}


async def test_a_second_quiz_pick_in_the_same_batch_is_locked_out(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    batcher = AnswerBatcher(mini_app.engine)
    facts = await _round(mini_app, messenger, batcher, "quiz")
    first, second = await asyncio.gather(
        _answer(batcher, facts, "U1", choice=2), _answer(batcher, facts, "U1", choice=0)
    )
    assert first.outcome is Outcome.STORED
    assert second.outcome is Outcome.LOCKED and second.prior is not None and second.prior.choice == 2
    assert await _stored(mini_app) == {"U1": (None, 2)}


async def test_answers_to_a_closed_round_are_refused_each_with_its_own_answer(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    batcher = AnswerBatcher(mini_app.engine)
    facts = await _round(mini_app, messenger, batcher, "open")
    assert (await _answer(batcher, facts, "U1", text="in time")).outcome is Outcome.STORED
    await reveal(mini_app)
    late = await asyncio.gather(*(_answer(batcher, facts, f"U{n}", text="too late") for n in (1, 2, 3)))
    assert [r.outcome for r in late] == [Outcome.CLOSED] * 3
    assert late[0].prior is not None and [r.prior for r in late[1:]] == [None, None]
    assert await _stored(mini_app) == {"U1": ("in time", None)}


async def test_a_failing_unit_rolls_back_alone_and_the_others_are_stored(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    batcher = AnswerBatcher(mini_app.engine)
    facts = await _round(mini_app, messenger, batcher, "open")

    def broken() -> unit.Work[None]:
        raise ValueError("a unit that fails")
        yield  # pragma: no cover  (a generator)

    bad = asyncio.create_task(batcher.run(broken))
    good = [_answer(batcher, facts, f"U{n}", text=f"idea {n}") for n in range(5)]
    results = await asyncio.gather(bad, *good, return_exceptions=True)
    assert isinstance(results[0], ValueError)
    assert [r.outcome for r in results[1:]] == [Outcome.STORED] * 5  # type: ignore[union-attr]
    assert await _stored(mini_app) == {f"U{n}": (f"idea {n}", None) for n in range(5)}


async def test_a_lone_answer_goes_at_once_in_its_own_transaction(
    mini_app: App, messenger: RecordingMessenger
) -> None:
    batcher = AnswerBatcher(mini_app.engine)
    facts = await _round(mini_app, messenger, batcher, "open")
    before = batcher.batches
    assert (await _answer(batcher, facts, "U1", text="alone")).outcome is Outcome.STORED
    assert batcher.batches - before == 1
