"""The ``dailyq`` command: ``play`` (terminal), ``run discord|slack``, ``bank ...`` tools.

This is the composition root, so it lives with the adapters: the core (``bot/``) never imports
a chat or terminal library. Start-up problems (bad settings, an invalid bank, an unreachable
database) print one clear line and exit with code 2, never a traceback. The Discord and Slack
adapters are imported only when asked for, so ``play`` does not load their libraries.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from adapters import bank_tools
from adapters.console import play as console_play
from adapters.console import worker as console_worker
from bot.bank import BankError
from bot.config import Settings
from bot.store.db import StoreError

EXIT_CONFIG = 2


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def describe_settings_error(exc: ValidationError) -> str:
    """One line per bad setting, naming its environment variable."""
    lines = []
    for item in exc.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        # aliased fields (DATABASE_URL, SLACK_BOT_TOKEN...) are reported by their variable name
        variable = field if field.isupper() else f"DAILYQ_{field.upper()}"
        lines.append(f"{variable}: {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="dailyq", description="A daily interview-question bot.")
    sub = parser.add_subparsers(dest="command", required=True)
    play = sub.add_parser(
        "play",
        help="play in the terminal (SQLite, bundled bank)",
        description="Play dailyq in the terminal. Reads commands from the "
        "keyboard or a pipe: printf 'topics\\nquit\\n' | dailyq play",
    )
    console_play.add_arguments(play)
    run = sub.add_parser("run", help="run the bot on a chat platform (settings from the environment)")
    run.add_argument("platform", choices=["console", "discord", "slack"])
    run.add_argument(
        "--transcript", type=Path, help="console: append channel messages to this JSON-lines file"
    )
    discord = sub.add_parser("discord", help="Discord helpers")
    discord.add_argument("action", choices=["invite-url"], help="print the OAuth2 URL to invite the bot")
    bank = sub.add_parser("bank", help="check, grade with, or import question banks")
    bank_tools.add_arguments(bank)
    return parser


async def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "play":
        return await console_play.play(args, console_play.settings_from(args))
    if args.command == "run":
        logging.getLogger().setLevel(Settings().log_level)  # DAILYQ_LOG_LEVEL
    if args.command == "run" and args.platform == "console":
        return await console_worker.serve(Settings(), args.transcript)
    if args.command == "run" and args.platform == "discord":
        from adapters.discord_adapter import main as discord_main

        return await discord_main.run()
    if args.command == "run" and args.platform == "slack":
        from adapters.slack_adapter import main as slack_main

        return await slack_main.run()
    if args.command == "discord":
        from adapters.discord_adapter import main as discord_main

        print(discord_main.invite_url())
        return 0
    return bank_tools.run(args)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.command == "run" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("apscheduler", "alembic"):  # one line per job run or migration step is noise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        code = asyncio.run(_dispatch(args))
    except ValidationError as exc:
        print(f"dailyq: bad setting: {describe_settings_error(exc)}", file=sys.stderr)
        code = EXIT_CONFIG
    except (BankError, StoreError, ConfigError) as exc:
        print(f"dailyq: {exc}", file=sys.stderr)
        code = EXIT_CONFIG
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
