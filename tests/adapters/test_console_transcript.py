"""The console transcript after ``kill -9``: a torn last line never swallows the next send."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from adapters.console.messenger import ConsoleMessenger
from bot.cards import Notice
from bot.ports import ChannelRef

CHANNEL = ChannelRef("console", "local", "general")


def entries(transcript: Path) -> list[dict[str, object]]:
    """Every line that parses, as the readers of the transcript see it."""
    parsed = []
    for line in transcript.read_text(encoding="utf-8").splitlines():
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return parsed


async def test_a_send_after_a_torn_line_starts_its_own_line(tmp_path: Path) -> None:
    transcript = tmp_path / "transcript.jsonl"
    whole = {"kind": "remind", "key": "remind-1-1", "message_id": "m1-remind-1-1", "user": "ann"}
    # the process was killed half-way through writing bob's reminder
    transcript.write_text(json.dumps(whole) + "\n" + '{"kind": "remind", "key": "remind-1-2", "mess')
    messenger = ConsoleMessenger(Console(file=io.StringIO()), transcript)
    await messenger.nudge(CHANNEL, "bob", Notice("revealed in 1h"), key="remind-1-2", resend=True)
    await messenger.nudge(CHANNEL, "cy", Notice("revealed in 1h"), key="remind-1-3")
    await messenger.nudge(CHANNEL, "ann", Notice("revealed in 1h"), key="remind-1-1", resend=True)
    users = [entry["user"] for entry in entries(transcript)]
    assert users == ["ann", "bob", "cy"]  # the torn send is re-sent once; ann is not sent twice
