"""Follow-up work after an ack (adapters/slack_adapter/background.py): forms go first, queued work
waits for them (for a bounded time), failures are logged and never lost, drain waits for all."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.slack_adapter.background import Background


async def test_queued_work_waits_while_a_form_is_being_opened() -> None:
    tasks = Background(limit=4, defer=5.0)
    opened, order = asyncio.Event(), []

    async def open_form() -> None:
        await opened.wait()
        order.append("views.open")

    async def confirm(n: int) -> None:
        order.append(f"confirmation {n}")

    tasks.spawn(open_form(), "form", queued=False)
    for n in range(3):
        tasks.spawn(confirm(n), "confirmation")
    await asyncio.sleep(0.05)
    assert order == []  # the confirmations wait for the form
    opened.set()
    assert await tasks.drain(1.0)
    assert order == ["views.open", "confirmation 0", "confirmation 1", "confirmation 2"]


async def test_queued_work_is_not_starved_by_a_form_that_hangs() -> None:
    tasks = Background(defer=0.1)
    hang, done = asyncio.Event(), asyncio.Event()

    async def confirm() -> None:
        done.set()

    tasks.spawn(hang.wait(), "form", queued=False)  # type: ignore[arg-type]
    tasks.spawn(confirm(), "confirmation")
    await asyncio.wait_for(done.wait(), 1.0)
    hang.set()
    assert await tasks.drain(1.0)


async def test_a_failure_is_logged_and_the_rest_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    tasks = Background()
    ran = []

    async def fail() -> None:
        raise RuntimeError("boom")

    async def work() -> None:
        ran.append(True)

    with caplog.at_level(logging.ERROR):
        tasks.spawn(fail(), "form", queued=False)
        tasks.spawn(work(), "confirmation")
        assert await tasks.drain(1.0)
    assert ran == [True]
    assert "form failed after it was acknowledged" in caplog.text
