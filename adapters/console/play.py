"""``dailyq play``: the bot in a terminal on SQLite with the bundled bank."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from rich.console import Console

from adapters.console.messenger import ConsoleMessenger
from adapters.console.session import ConsoleSession
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
        "--serve", action="store_true", help="keep running the schedule after the input ends (until killed)"
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment settings with the command-line overrides applied."""
    overrides: dict[str, object] = {}
    if args.db:
        overrides["database_url"] = args.db if "://" in args.db else f"sqlite+aiosqlite:///{args.db}"
    if args.questions:
        overrides["questions"] = [Path(p) for p in args.questions]
    if args.timezone:
        overrides["timezone"] = args.timezone
    return Settings(**overrides)  # type: ignore[arg-type]


def player_name(args: argparse.Namespace) -> str:
    """The terminal player's name."""
    if args.user:
        return str(args.user)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "player")


async def play(args: argparse.Namespace, settings: Settings) -> int:
    """Run the terminal bot until quit (or forever with ``--serve``)."""
    console = Console(file=sys.stdout, highlight=False)
    app = await build_app(settings, ConsoleMessenger(console, args.transcript))
    user = player_name(args)
    ctx = Context(PLATFORM, WORKSPACE, args.channel, user, user, is_admin=True)
    session = ConsoleSession(app.service, ctx, console, sys.stdin, prompt=sys.stdin.isatty())
    try:
        await app.start()
        await session.open_channel()
        await session.run()
        if args.serve:
            await asyncio.Event().wait()
    finally:
        await app.close()
    return 0
