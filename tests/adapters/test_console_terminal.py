"""``dailyq play`` at a real pseudo-terminal: line editing, history, Ctrl-C, Ctrl-D, and a reveal
arriving while a line is half typed. The pty's output is rendered by pyte, a terminal emulator,
and the assertions read the screen a player would see."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pyte
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS, COLUMNS = 60, 110
UP, LEFT = "\x1b[A", "\x1b[D"
CTRL_C, CTRL_D = "\x03", "\x04"


class Terminal:
    """A child process at a pty, and the screen pyte draws from what it prints."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        self.child = pexpect.spawn(
            argv[0], argv[1:], env=env, cwd=str(ROOT), dimensions=(ROWS, COLUMNS), timeout=5
        )

    def pump(self, seconds: float = 0.2) -> None:
        """Feed whatever the child printed within ``seconds`` to the screen."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return
            self.raw += chunk
            self.stream.feed(chunk)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        """Pump until ``text`` was printed (counted from the raw output, so scrolling is fine)."""
        start = self.raw.count(text.encode())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.1)
            if self.raw.count(text.encode()) > start or (start and text in self.text()):
                return
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.text()}")

    def wait_until_quiet(self, seconds: float = 0.6) -> None:
        """Pump until nothing new arrives for ``seconds``."""
        while True:
            before = len(self.raw)
            self.pump(seconds)
            if len(self.raw) == before:
                return

    def type(self, keys: str) -> None:
        """Send keystrokes."""
        self.child.send(keys)

    def text(self) -> str:
        """The whole screen."""
        return "\n".join(line.rstrip() for line in self.screen.display)

    def cursor_line(self) -> str:
        """The screen line the cursor is on."""
        return self.screen.display[self.screen.cursor.y].rstrip()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAILYQ_", "DATABASE_URL"))}
    # 1,200 times real time: today's question (revealed after 8 h) is revealed some 24 s in
    env.update(TERM="xterm", DAILYQ_TIME_SCALE="1200", DAILYQ_TICK="1s", DAILYQ_TIMEZONE="UTC")
    argv = [sys.executable, "-m", "adapters", "play", "--db", str(tmp_path / "pty.db"), "--user", "ann"]
    term = Terminal(argv, env)
    yield term
    if term.child.isalive():
        term.child.terminate(force=True)


def test_keyboard_session_keeps_the_screen_intact(terminal: Terminal) -> None:
    term = terminal
    term.wait_for("Type `help`")
    term.wait_for("dailyq> ")
    # history: a typo, then Up twice brings back the first command
    term.type("topics\r")
    term.wait_for("Ensemble Methods")
    term.type("hlep\r")
    term.wait_for("Did you mean `help`?")
    term.type(UP + UP + "\r")
    term.wait_for("Ensemble Methods")
    # editing: the arrow keys move the cursor instead of printing escape codes
    term.type("tpics" + LEFT * 4 + "o\r")
    term.wait_for("Ensemble Methods")
    term.wait_until_quiet()
    assert "^[[" not in term.text() and "Unknown command 'tpics" not in term.text()
    # Ctrl-C drops the half-typed line; the next command runs alone
    term.type("garbage" + CTRL_C)
    term.type("help\r")
    term.wait_for("quit | exit | Ctrl-D")
    term.wait_until_quiet()
    assert "Unknown command 'garbage" not in term.text()
    # a reveal printed by the timer while a line is half typed
    assert b"Reveal" not in term.raw, "the machine was too slow: the reveal came before the typing"
    term.type("answer it averages many bootstr")
    term.wait_for("Reveal", timeout=90)
    term.wait_until_quiet()
    assert term.cursor_line() == "dailyq> answer it averages many bootstr"
    screen = term.text()
    assert screen.index("Reveal") < screen.rindex("dailyq> answer it averages many bootstr")
    term.type("ap models\r")
    term.wait_for("Answers are closed")
    # Ctrl-D leaves cleanly, on a line of its own
    term.wait_until_quiet()
    term.type(CTRL_D)
    term.wait_for("Bye.")
    term.child.expect(pexpect.EOF, timeout=20)
    term.pump(0.2)
    term.child.close()
    assert term.child.exitstatus == 0
    bye = [line for line in term.text().splitlines() if "Bye." in line]
    assert bye == ["Bye."]
    assert term.screen.cursor.x == 0  # the shell's prompt starts on a fresh line
