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
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import ValidationError

from adapters import backup, bank_tools
from adapters.console import play as console_play
from adapters.console import worker as console_worker
from adapters.settings_errors import ConfigError, describe_settings_error
from bot import logs
from bot.bank.model import BankError
from bot.config import Settings
from bot.store.db import StoreError

EXIT_CONFIG = 2


__all__ = ["ConfigError", "build_parser", "describe_settings_error", "main"]

RUN_HELP = """\
platforms and what each needs (environment or .env; see .env.example):
  discord   DISCORD_TOKEN (Developer Portal > Bot). Optional: DISCORD_GUILD_ID (sync commands to one
            server at once), DISCORD_SHARD_COUNT and DISCORD_SHARD_IDS, DISCORD_REQUESTS_PER_SECOND.
            `dailyq discord invite-url` (needs DISCORD_CLIENT_ID) prints the link that adds the bot.
  slack     SLACK_BOT_TOKEN (xoxb-...), and either SLACK_APP_TOKEN (xapp-..., Socket Mode, the
            default: no public URL) or SLACK_SIGNING_SECRET (HTTP mode on PORT, default 3000, at
            /slack/events). Optional: DAILYQ_SLACK_ADMINS, SLACK_API_URL, DAILYQ_HTTP_HOST.
  console   nothing: a headless terminal worker for scripts and tests, reading lines
            `<channel> <user> <command>` from stdin (every user is an admin). To play in the
            terminal yourself, use `dailyq play`.
Every platform also reads DATABASE_URL (default ./data/dailyq.db), DAILYQ_QUESTIONS, DAILYQ_TIMEZONE
and DAILYQ_LOG_LEVEL. A missing or malformed setting stops with one line naming it (exit code 2).
"""


def _version() -> str:
    try:
        return version("dailyq")
    except PackageNotFoundError:  # run from a checkout that was never installed (a PaaS build)
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="dailyq", description="A daily interview-question bot.")
    parser.add_argument("--version", action="version", version=f"dailyq {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    play = sub.add_parser(
        "play",
        help="play in the terminal (SQLite, bundled bank)",
        description="Play dailyq in the terminal. Reads commands from the "
        "keyboard or a pipe: printf 'topics\\nquit\\n' | dailyq play",
    )
    console_play.add_arguments(play)
    run = sub.add_parser(
        "run",
        help="run the bot on a chat platform (settings from the environment)",
        description="Run the bot on Discord or Slack until stopped.",
        epilog=RUN_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("platform", choices=["discord", "slack", "console"], help="where to run (see below)")
    run.add_argument(
        "--transcript", type=Path, help="console: append channel messages to this JSON-lines file"
    )
    discord = sub.add_parser("discord", help="Discord helpers")
    discord.add_argument("action", choices=["invite-url"], help="print the OAuth2 URL to invite the bot")
    sub.add_parser(
        "doctor",
        help="check the configuration (platforms, tokens, database, bank, time zone) without connecting",
    )
    backup.add_arguments(sub.add_parser("backup", help="copy the SQLite database safely while the bot runs"))
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
    if args.command == "backup":
        return backup.run(args)
    if args.command == "doctor":
        from adapters import doctor

        return await doctor.run()
    if args.command == "discord":
        from adapters.discord_adapter import main as discord_main

        print(discord_main.invite_url())
        return 0
    return bank_tools.run(args)


def _log_format() -> logs.LogFormat:
    try:
        return Settings().log_format  # DAILYQ_LOG_FORMAT
    except ValidationError:  # reported, with the variable, when the command reads its settings
        return "text"


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    logs.configure(_log_format(), logging.INFO if args.command == "run" else logging.WARNING)
    for chatty in ("apscheduler", "alembic"):  # one line per job run or migration step is noise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        code = asyncio.run(_dispatch(args))
    except ValidationError as exc:
        print(f"dailyq: bad setting: {describe_settings_error(exc)}", file=sys.stderr)
        code = EXIT_CONFIG
    except (BankError, StoreError, ConfigError, backup.BackupError) as exc:
        print(f"dailyq: {exc}", file=sys.stderr)
        code = EXIT_CONFIG
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
