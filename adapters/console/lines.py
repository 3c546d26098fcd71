"""Where typed lines come from: a keyboard (prompt_toolkit) or a pipe.

At a terminal, prompt_toolkit gives line editing, arrow keys and history; output printed while
someone types (a scheduled reveal) appears above the prompt and the half-typed line is drawn
again, because ``play`` runs inside ``patch_stdout``. Ctrl-C clears the line, Ctrl-D (on an empty
line) leaves. From a pipe, each line is echoed after the prompt, so a transcript of a scripted
session reads like the keyboard one.
"""

from __future__ import annotations

from typing import Protocol, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import InMemoryHistory
from rich.console import Console
from rich.text import Text

from adapters.lifecycle import read_line
from bot.text.sanitize import clean_text

PROMPT = "dailyq> "


class LineSource(Protocol):
    """The next command line, or None when the player is done."""

    async def read(self) -> str | None:
        """Wait for the next line; None at the end of input."""
        ...


class KeyboardLines:
    """Lines typed at a terminal, edited with prompt_toolkit, with this session's history."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.session: PromptSession[str] = PromptSession(history=InMemoryHistory())

    async def read(self) -> str | None:
        """The next line; Ctrl-C drops the line being typed and asks again, Ctrl-D ends."""
        while True:
            try:
                return await self.session.prompt_async(FormattedText([("ansicyan bold", PROMPT)]))
            except KeyboardInterrupt:
                continue
            except EOFError:
                return None


class PipedLines:
    """Lines from a pipe or file; ``echo`` prints each after the prompt, as if typed."""

    def __init__(self, stdin: TextIO, console: Console, *, echo: bool = True) -> None:
        self.stdin = stdin
        self.console = console
        self.echo = echo

    async def read(self) -> str | None:
        """The next line, or None at the end of the input."""
        line = await read_line(self.stdin)  # a daemon thread: a SIGTERM need not wait for Enter
        if not line:
            return None
        if self.echo and line.strip():
            shown = clean_text(line.rstrip("\n"), multiline=False)
            self.console.print(Text.assemble((PROMPT, "bold cyan"), shown))
        return line
