"""The terminal channel: typed lines in, rendered replies out. Streams are injected for tests."""

from __future__ import annotations

import asyncio
from datetime import time
from typing import TextIO

from rich.console import Console

from adapters.console.render import render
from bot.cards import Notice, Reply, Tone
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, ShowToday
from bot.context import Context
from bot.grammar import CommandError, parse
from bot.service import Service

QUIT_WORDS = frozenset({"quit", "exit", "q!", ":q"})
DEFAULT_POST_TIME = time(9, 0)


class ConsoleSession:
    """One player at a terminal; the player is the admin of the terminal channel."""

    def __init__(
        self, service: Service, ctx: Context, console: Console, stdin: TextIO, *, prompt: bool = True
    ) -> None:
        self.service = service
        self.ctx = ctx
        self.console = console
        self.stdin = stdin
        self.prompt = prompt

    def show(self, reply: Reply) -> None:
        """Render a reply."""
        for card in reply.cards:
            self.console.print(render(card))

    async def open_channel(self) -> None:
        """Make the terminal channel playable: schedule it on first run, show today's question.

        First run: a daily question at 09:00 (local zone of the settings) and today's posted now.
        Later runs: today's open question, or today's round if it was not posted yet.
        """
        status = await self.service.handle(self.ctx, ManageDaily(DailyAction.STATUS))
        first_run = any(isinstance(c, Notice) and "no daily question" in c.text for c in status.cards)
        if first_run:
            await self.service.handle(self.ctx, ConfigureDaily(post_time=DEFAULT_POST_TIME))
        today = await self.service.handle(self.ctx, ShowToday())
        if any(isinstance(c, Notice) and c.tone is Tone.ERROR for c in today.cards):
            posted = await self.service.handle(self.ctx, ManageDaily(DailyAction.NOW))
            if any(isinstance(c, Notice) and c.tone is Tone.ERROR for c in posted.cards):
                self.console.print(
                    "[dim]Today's question was revealed already. "
                    "`question` for practice, `daily status` for the next one.[/]"
                )
            return
        self.show(today)

    async def read_line(self) -> str | None:
        """The next typed line, or None at end of input."""
        if self.prompt:
            self.console.print("[bold cyan]dailyq>[/] ", end="")
        line = await asyncio.get_running_loop().run_in_executor(None, self.stdin.readline)
        return line if line else None

    async def run(self) -> None:
        """Read and answer commands until ``quit`` or the end of input."""
        self.console.print("[dim]Type `help` for commands, `quit` to leave.[/]")
        while (line := await self.read_line()) is not None:
            text = line.strip()
            if not text:
                continue
            if text.lower() in QUIT_WORDS:
                break
            try:
                command = parse(text)
            except CommandError as exc:
                self.show(Reply((Notice(str(exc), Tone.ERROR),)))
                continue
            self.show(await self.service.handle(self.ctx, command))
