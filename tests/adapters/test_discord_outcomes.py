"""Discord branches on the reply's outcome: a refused click keeps the clicked message's buttons
(no message update), and the reason comes privately as the interaction's response."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.practice.session import NO_PRACTICE
from tests.support.discord_harness import DiscordHarness, checked_bot, custom_ids


@pytest.fixture
async def h(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[DiscordHarness]:
    async with checked_bot(tmp_path, caplog) as harness:
        yield harness


async def test_a_refused_show_answer_keeps_the_clicked_buttons(h: DiscordHarness) -> None:
    asked = h.fake.slash_command("question", user="member", channel_id=h.channel_id)
    await h.respond(asked)
    question = h.response_message(asked)
    # the message's Show answer button names a question that is not in the bank (any more)
    show_id = next(i for i in custom_ids(question) if i.startswith("dailyq:show:"))
    gone = "dailyq:show:no-such-question"
    question = json.loads(json.dumps(question).replace(json.dumps(show_id), json.dumps(gone)))
    click = h.fake.component_click(gone, message=question, user="member")
    response = await h.respond(click)
    # a new private message (type 4), not an update of the clicked one (type 7): its buttons stay
    assert response == {
        "type": 4,
        "data": {
            "tts": False,
            "embeds": [{"flags": 0, "color": 15158332, "type": "rich", "description": NO_PRACTICE}],
            "content": None,
            "flags": 64,
            "allowed_mentions": {"parse": []},
        },
    }
