"""The console's ``Messenger``: prints channel posts to a rich console and keeps a transcript.

The transcript (optional) is a JSON-lines file, one line per message sent (with its text as
printed, without colours), flushed and fsynced
before the send returns, so it survives ``kill -9``. Like Discord's nonce, a resend with a key
already in the transcript returns the earlier message instead of printing it twice. Several
processes may share one transcript (lines are appended whole), which makes this hold across them.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from adapters.console.render import render
from bot.cards import Card, Notice, QuestionCard, RevealCard
from bot.ports import ChannelRef, MessageRef, UserRef

RevealHook = Callable[[int], Awaitable[None]]

TRANSCRIPT_WIDTH = 100


def plain_text(card: Card) -> str:
    """A card as the terminal prints it, without colours or trailing spaces."""
    out = io.StringIO()
    Console(file=out, width=TRANSCRIPT_WIDTH, color_system=None, highlight=False).print(render(card))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


class ConsoleMessenger:
    """Prints what the bot posts in the terminal channel."""

    def __init__(self, console: Console, transcript: Path | None = None) -> None:
        self.console = console
        self.transcript = transcript
        self._seen: dict[str, str] = self._load()
        self._counter = len(self._seen)
        # set by ``dailyq play``: shows the player their own grade right after a reveal
        self.after_reveal: RevealHook | None = None

    def _load(self) -> dict[str, str]:
        seen: dict[str, str] = {}
        if self.transcript is None or not self.transcript.exists():
            return seen
        for line in self.transcript.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line after a crash
            if entry.get("key"):
                seen[entry["key"]] = entry["message_id"]
        return seen

    def _record(self, entry: dict[str, object], card: Card) -> None:
        if self.transcript is None:
            return
        entry["text"] = plain_text(card)
        line = (json.dumps(entry) + "\n").encode("utf-8")
        with self.transcript.open("ab+") as handle:
            # a process killed mid-write leaves a torn last line: end it, or this entry joins it
            if handle.seek(0, os.SEEK_END) > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    line = b"\n" + line
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def _send(self, channel: ChannelRef, card: Card, key: str, kind: str, resend: bool) -> MessageRef:
        if resend:
            # another process sharing the transcript may have sent it before dying
            self._seen.update(self._load())
        if key in self._seen:
            return MessageRef(channel, self._seen[key])
        self._counter += 1
        message_id = f"m{self._counter}-{key}"
        self.console.print(Rule(f"#{channel.channel_id}", style="dim"))
        self.console.print(render(card))
        round_id = card.round_id if isinstance(card, QuestionCard | RevealCard) else None
        self._record(
            {
                "kind": kind,
                "key": key,
                "message_id": message_id,
                "channel": channel.channel_id,
                "round_id": round_id,
            },
            card,
        )
        self._seen[key] = message_id
        return MessageRef(channel, message_id)

    async def post(self, channel: ChannelRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Print a channel post."""
        return self._send(channel, card, key, "post", resend)

    async def edit(self, message: MessageRef, card: Card) -> None:
        """A terminal cannot edit what it printed; the edit is recorded in the transcript only."""
        round_id = card.round_id if isinstance(card, QuestionCard) else None
        self._record(
            {
                "kind": "edit",
                "key": "",
                "message_id": message.message_id,
                "channel": message.channel.channel_id,
                "round_id": round_id,
            },
            card,
        )

    async def reply(self, message: MessageRef, card: Card, *, key: str, resend: bool = False) -> MessageRef:
        """Print a reply to a post (the reveal), then the player's own grade of it."""
        printed = key not in self._seen
        ref = self._send(message.channel, card, key, "reply", resend)
        if printed and isinstance(card, RevealCard) and card.actions and self.after_reveal is not None:
            await self.after_reveal(card.round_id)
        return ref

    async def tell(self, user: UserRef, card: Card) -> None:
        """Print a private message to a player (a changed grade)."""
        self.console.print(Rule(f"private to {user.user_id}", style="dim"))
        self.console.print(render(card))

    async def nudge(
        self, channel: ChannelRef, user_id: str, card: Card, *, key: str, resend: bool = False
    ) -> None:
        """Print a private reminder as one line for its member (recorded like a send)."""
        if resend:
            self._seen.update(self._load())
        if key in self._seen:
            return
        self._counter += 1
        message_id = f"m{self._counter}-{key}"
        text = card.text if isinstance(card, Notice) else type(card).__name__
        self.console.print(f"[reminder for {user_id}] {text}", markup=False, highlight=False)
        self._record(
            {"kind": "remind", "key": key, "message_id": message_id, "channel": channel.channel_id,
             "user": user_id, "round_id": None},
            card,
        )  # fmt: skip
        self._seen[key] = message_id
