"""``dailyq play``: the bot in a terminal on SQLite with the bundled bank."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from prompt_toolkit.patch_stdout import patch_stdout
from pydantic import ValidationError
from rich.console import Console

from adapters.console.lines import KeyboardLines
from adapters.console.messenger import ConsoleMessenger
from adapters.console.session import ConsoleSession
from adapters.lifecycle import stop_on_signals, until_stopped
from adapters.metrics import PrometheusMetrics, serving_metrics
from adapters.settings_errors import ConfigError, describe_settings_error
from bot.app import build_app
from bot.config import Settings
from bot.context import Context

PLATFORM = "console"
WORKSPACE = "local"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``dailyq play`` (each overrides its environment variable)."""
    parser.add_argument(
        "--db", help="SQLite file or database URL (env DATABASE_URL; default ./data/dailyq.db)"
    )
    parser.add_argument(
        "--questions",
        action="append",
        metavar="FILE",
        help="bank file; repeat for several (env DAILYQ_QUESTIONS)",
    )
    parser.add_argument("--user", default=None, help="your player name (default: login name)")
    parser.add_argument("--channel", default="terminal", help="channel name (default: terminal)")
    parser.add_argument("--timezone", help="IANA time zone of the channel (env DAILYQ_TIMEZONE)")
    parser.add_argument(
        "--transcript", type=Path, help="append every channel message to this JSON-lines file"
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="keep running the schedule after the input ends (until SIGTERM or Ctrl-C)",
    )


FLAGS = {"database_url": "--db", "questions": "--questions", "timezone": "--timezone"}


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment settings with the command-line overrides applied.

    A bad value given as an option is reported under the option (``--timezone``), not under
    the environment variable it overrides; raises ``ConfigError``."""
    overrides: dict[str, object] = {}
    if args.db:
        overrides["database_url"] = args.db if "://" in args.db else f"sqlite+aiosqlite:///{args.db}"
    if args.questions:
        overrides["questions"] = [Path(p) for p in args.questions]
    if args.timezone:
        overrides["timezone"] = args.timezone
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        given = {field: flag for field, flag in FLAGS.items() if field in overrides}
        raise ConfigError(f"bad option or setting: {describe_settings_error(exc, given)}") from None


def player_name(args: argparse.Namespace) -> str:
    """The terminal player's name."""
    if args.user:
        return str(args.user)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "player")


async def play(args: argparse.Namespace, settings: Settings) -> int:
    """Run the terminal bot until quit (or forever with ``--serve``).

    At a terminal, everything runs inside prompt_toolkit's ``patch_stdout``: the console has no
    fixed file, so whatever is printed (a reveal from the timer too) goes through the patched
    stdout and appears above the prompt, which is then drawn again with the half-typed line."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return await _play(args, settings, Console(highlight=False), keyboard=False)
    with patch_stdout(raw=True):
        return await _play(args, settings, Console(highlight=False, force_terminal=True), keyboard=True)


async def _play(args: argparse.Namespace, settings: Settings, console: Console, *, keyboard: bool) -> int:
    # --serve makes it a bot process: it may serve metrics like the others
    metrics = PrometheusMetrics() if args.serve and settings.metrics_port else None
    messenger = ConsoleMessenger(console, args.transcript)
    app = await build_app(settings, messenger, metrics=metrics, nudger=messenger)
    user = player_name(args)
    ctx = Context(PLATFORM, WORKSPACE, args.channel, user, user, is_admin=True)
    lines = KeyboardLines(console) if keyboard else None
    session = ConsoleSession(app.service, ctx, console, sys.stdin, echo=not keyboard, lines=lines)
    messenger.after_reveal = session.show_my_grade
    stop = asyncio.Event()
    with stop_on_signals(stop):  # SIGTERM or SIGINT: stop cleanly, exit 0
        try:
            async with serving_metrics(metrics, settings.metrics_port, app.dispatcher.backlog):
                started, _ = await until_stopped(app.start(), stop)
                if started:
                    finished, _ = await until_stopped(_session(session), stop)
                    if finished and args.serve:
                        await stop.wait()
        finally:
            await app.close()
    return 0


async def _session(session: ConsoleSession) -> None:
    await session.open_channel()
    await session.run()
