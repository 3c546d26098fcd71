"""The terminal channel: typed lines in, rendered replies out. Line sources are injected for tests."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import time
from pathlib import Path
from typing import TextIO

from rich.console import Console

from adapters.console.lines import LineSource, PipedLines
from adapters.console.render import render
from bot.bank.commands import ImportBank
from bot.cards import FileCard, Notice, Outcome, Reply, TableCard, Tone, error
from bot.commands import ConfigureDaily, DailyAction, ManageDaily, ShowHelp, ShowMyGrade, ShowToday
from bot.context import Context
from bot.service import Service
from bot.text.grammar import CommandError, parse

QUIT_WORDS = frozenset({"quit", "exit", "q!", ":q"})
QUIT_HELP = ("quit | exit | Ctrl-D", "leave (Ctrl-C clears the line you are typing)")
DEFAULT_POST_TIME = time(9, 0)


def save_file(directory: Path, card: FileCard) -> Path:
    """Write a file card into ``directory`` (created if needed) under its own name; the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / Path(card.filename).name  # a name, never a path out of the directory
    path.write_bytes(card.data)
    return path.resolve()


class ConsoleSession:
    """One player at a terminal; the player is the admin of the terminal channel.

    The session only does what the player (the admin) asks, except on the very first run of a
    channel, which the store tells apart: then it schedules a daily question at 09:00 and posts
    today's, and says so.
    """

    def __init__(
        self,
        service: Service,
        ctx: Context,
        console: Console,
        stdin: TextIO | None = None,
        *,
        echo: bool = False,
        lines: LineSource | None = None,
        export_dir: Path | None = None,
    ) -> None:
        self.export_dir = export_dir or Path.cwd()
        self.service = service
        self.ctx = ctx
        self.console = console
        self.lines = lines or PipedLines(stdin or io.StringIO(), console, echo=echo)

    def show(self, reply: Reply) -> None:
        """Render a reply; a file (an export) is written to ``export_dir`` and its path printed."""
        for card in reply.cards:
            if isinstance(card, FileCard):
                path = save_file(self.export_dir, card)
                self.console.print(render(Notice(f"{card.caption}\nSaved to {path}", Tone.SUCCESS)))
            else:
                self.console.print(render(card))

    async def open_channel(self) -> None:
        """First run: schedule 09:00 (the settings' zone) and post today's question. Later runs:
        today's open question, else the schedule as the admin left it (paused, off, or next post)."""
        if not await self.service.knows_channel(self.ctx):
            self.console.print(
                "[dim]First run: this terminal channel gets a daily question at 09:00; "
                "`daily set` changes it, `daily off` stops it.[/]"
            )
            self.show(await self.service.handle(self.ctx, ConfigureDaily(post_time=DEFAULT_POST_TIME)))
            posted = await self.service.handle(self.ctx, ManageDaily(DailyAction.NOW))
            if posted.outcome is Outcome.REFUSED:
                self.show(posted)
            return
        today = await self.service.handle(self.ctx, ShowToday())
        if today.outcome is not Outcome.REFUSED:
            self.show(today)
            return
        self.console.print(
            "[dim]No open daily question here right now. `daily now` posts today's if it was not "
            "posted yet, `question` gives you a practice question.[/]"
        )
        self.show(await self.service.handle(self.ctx, ManageDaily(DailyAction.STATUS)))

    async def show_my_grade(self, round_id: int) -> None:
        """After a reveal: the player's own grade of it, if they answered."""
        reply = await self.service.handle(self.ctx, ShowMyGrade(round_id))
        if reply.outcome is not Outcome.REFUSED:
            self.show(reply)

    async def run(self) -> None:
        """Read and answer commands until ``quit`` or the end of input."""
        self.console.print("[dim]Type `help` for commands, `quit` to leave.[/]")
        while (line := await self.lines.read()) is not None:
            text = line.strip()
            if not text:
                continue
            if text.lower() in QUIT_WORDS:
                break
            try:
                command = parse(text)
            except CommandError as exc:
                self.show(error(str(exc)))
                continue
            if isinstance(command, ImportBank):
                try:
                    command = read_upload(command)
                except OSError as exc:
                    self.show(error(f"Cannot read {command.filename}: {exc.strerror}"))
                    continue
            reply = await self.service.handle(self.ctx, command)
            self.show(_with_quit(reply) if isinstance(command, ShowHelp) else reply)
        self.console.print("[dim]Bye.[/]")


def _with_quit(reply: Reply) -> Reply:
    """The help table with the terminal's own way out added."""
    cards = tuple(
        replace(c, rows=(*c.rows, QUIT_HELP)) if isinstance(c, TableCard) else c for c in reply.cards
    )
    return replace(reply, cards=cards)


def read_upload(command: ImportBank) -> ImportBank:
    """The console's upload: the file at the typed path (the core sees only its name and bytes)."""
    path = Path(command.filename).expanduser()
    return replace(command, filename=path.name, content=path.read_bytes())
