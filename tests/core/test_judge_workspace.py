"""A workspace question without key points (a markdown import) is graded by the judge when one is
configured, and its post says so; without a judge it stays ungraded (tests/core/test_channel_banks.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time

import pytest

from bot.bank.catalog import JUDGED_ONLY
from bot.bank.commands import ImportBank
from bot.bank.model import Bank
from bot.cards import StatsCard
from bot.commands import ConfigureDaily, ShowStats, SubmitAnswer
from tests.conftest import AppFactory, admin, member
from tests.core.rounds_helpers import local, posts, run_at
from tests.core.test_judge_reveal import judged_app, stored
from tests.fakes.fake_judge import FakeJudge
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

ZONE = "Europe/Berlin"
MARKDOWN = (
    "### Graphs\n\n1. **What is a spanning tree?**\n   - A tree that reaches every vertex without cycles.\n"
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeJudge]:
    async with FakeJudge(keywords=("zebra",)) as server:  # "zebra" stands for a correct paraphrase
        yield server


async def test_the_judge_grades_a_question_without_key_points(
    make_app: AppFactory,
    db_url: str,
    mini_bank: Bank,
    fake: FakeJudge,
    clock: FakeClock,
    messenger: RecordingMessenger,
) -> None:
    app = await judged_app(make_app, db_url, mini_bank, fake)
    clock.set(local(ZONE, 2026, 11, 25, 8, 0))
    await app.service.handle(admin(), ImportBank("graphs.md", MARKDOWN.encode()))
    await app.service.handle(admin(), ConfigureDaily(post_time=time(9, 0), timezone=ZONE, banks=("graphs",)))
    await run_at(app, clock, local(ZONE, 2026, 11, 25, 9, 1))
    card = posts(messenger)[-1]
    assert card.question_id == "graphs:spanning-tree"
    assert card.notes[-1] == JUDGED_ONLY
    await app.service.handle(
        member(user="bob", name="bob"), SubmitAnswer(text="a zebra of a tree, in my words")
    )
    await app.service.handle(member(user="ann", name="ann"), SubmitAnswer(text="a forest of cycles"))
    before = await stored(app)
    assert before["bob"][0] == "missed" and before["ann"][0] == "missed"  # no key points to find
    await run_at(app, clock, local(ZONE, 2026, 11, 25, 17, 5))
    # the judge saw the workspace question, its reference answer and no key points
    systems = [m["content"] for r in fake.requests for m in r.body["messages"] if m["role"] == "system"]
    assert len(systems) == 2
    for system in systems:
        assert '"question": "What is a spanning tree?"' in system
        assert '"reference_answer": "A tree that reaches every vertex without cycles."' in system
        assert '"key_points": []' in system
    after = await stored(app)
    assert after["bob"][:1] == ("strong",) and after["bob"][2] == 20
    assert after["ann"][:1] == ("missed",) and after["ann"][2] == 10
    stats = (await app.service.handle(member(user="bob", name="bob"), ShowStats())).cards[0]
    assert isinstance(stats, StatsCard) and stats.points == 20
