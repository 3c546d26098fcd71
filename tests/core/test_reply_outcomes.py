"""The core states what a command came to (``Reply.outcome``): every refusal is REFUSED with its
reason, a stored answer DONE, an answer after the reveal CLOSED. Real databases, fake clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.cards import Notice, Outcome, Reply, Tone, error, notice
from bot.commands import DailyAction, ManageDaily, ShowToday, SubmitAnswer
from bot.service import HANDLERS
from bot.text.grammar import parse
from tests.conftest import admin, member
from tests.core.rounds_helpers import round_rows, run_at, schedule
from tests.support.clock import FakeClock

BOT = Path(__file__).resolve().parents[2] / "bot"


def refused(reply: Reply) -> str:
    """The reason of a refusal; fails unless the reply is one, shown as one error notice."""
    assert reply.outcome is Outcome.REFUSED, reply
    (card,) = reply.cards
    assert card == Notice(reply.reason, Tone.ERROR)
    return reply.reason


def test_a_refusal_needs_its_reason_and_only_a_refusal_has_one() -> None:
    assert error("No.") == Reply((Notice("No.", Tone.ERROR),), outcome=Outcome.REFUSED, reason="No.")
    assert notice("Fine.", Tone.SUCCESS).outcome is Outcome.DONE
    with pytest.raises(ValueError):
        Reply(outcome=Outcome.REFUSED)
    with pytest.raises(ValueError):
        Reply(reason="why")


def test_the_core_refuses_only_through_error() -> None:
    """An error notice built by hand would come without REFUSED: adapters would take it for done."""
    offenders = [
        f"{path.relative_to(BOT)}:{n}"
        for path in BOT.rglob("*.py")
        if path.name != "cards.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"Tone\.ERROR|outcome=Outcome\.REFUSED", line)
    ]
    assert offenders == []


async def test_every_refusing_answer_path_is_refused(app: App, clock: FakeClock) -> None:
    player = member()
    # no round at all
    assert "no open daily question" in refused(await app.service.handle(player, SubmitAnswer(text="x")))
    assert "no open daily question" in refused(await app.service.handle(player, ShowToday()))
    # not an admin
    assert "Only admins" in refused(await app.service.handle(player, parse("daily now")))
    await schedule(app, "09:00", "UTC", reveal="4h")
    await run_at(app, clock, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert "needs some text" in refused(await app.service.handle(player, SubmitAnswer(text="  ")))
    assert "limited to 4000" in refused(await app.service.handle(player, SubmitAnswer(text="x" * 4001)))
    assert "written answer" in refused(await app.service.handle(player, SubmitAnswer(choice=1)))
    # the answer is stored: DONE, the confirmation is a success notice
    saved = await app.service.handle(player, SubmitAnswer(text="bagging averages models"))
    assert saved.outcome is Outcome.DONE and saved.reason == ""
    assert "already posted" in refused(await app.service.handle(admin(), ManageDaily(DailyAction.NOW)))
    # after the reveal an answer is CLOSED: the reply shows how the round ended, nothing is stored
    await app.service.handle(admin(), ManageDaily(DailyAction.REVEAL))
    late = await app.service.handle(player, SubmitAnswer(text="too late"))
    assert late.outcome is Outcome.CLOSED and late.reason == ""
    (card,) = late.cards
    assert isinstance(card, Notice) and card.text.startswith("Answers are closed: the answer was revealed.")


async def test_a_skipped_round_refuses_answers(app: App, clock: FakeClock) -> None:
    await schedule(app, "09:00", "UTC", reveal="4h")
    await run_at(app, clock, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    (posted,) = await round_rows(app)
    round_id = posted.id  # type: ignore[attr-defined]
    await app.service.handle(admin(), ManageDaily(DailyAction.SKIP))
    reason = refused(await app.service.handle(member(), SubmitAnswer(round_id=round_id, text="x")))
    assert reason == "That question was skipped by an admin; answers are closed."


async def test_an_unexpected_failure_is_refused(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: object) -> Reply:
        raise RuntimeError("boom")

    monkeypatch.setitem(HANDLERS, ShowToday, broken)
    reason = refused(await app.service.handle(member(), ShowToday()))
    assert reason.startswith("Something went wrong on our side and nothing was changed.")
