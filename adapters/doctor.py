"""``dailyq doctor``: check the configuration without contacting any platform.

What it checks: which platforms are configured and the shape of their tokens (``xoxb-``,
``xapp-``, Discord's three dot-separated parts; never printed), the core settings (the time zone
among them), the bank files, and the database: reachable and migrated to the latest revision
(read only: doctor never creates or migrates a database). One line per check; a failing line
says what to set. The exit code is 0 only when every check passes.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from adapters.discord_adapter.settings import DiscordSettings
from adapters.slack_adapter.settings import SlackSettings
from bot.bank.model import BankError, load_bank
from bot.config import Settings
from bot.store.db import create_engine, redact, revisions

DISCORD_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
CONNECT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, whether it passed, and the detail or the fix."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """The report line (``ok`` or ``FAIL``)."""
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def _settings_errors(exc: ValidationError) -> list[Check]:
    """One failing check per bad setting, named by its environment variable (as ``run`` names it)."""
    checks = []
    for item in exc.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        variable = field if field.isupper() else f"DAILYQ_{field.upper()}"
        checks.append(Check(variable, False, item["msg"].removeprefix("Value error, ")))
    return checks


def _blank(name: str) -> bool:
    return not os.environ.get(name, "").strip() and not _dotenv_value(name)


def _dotenv_value(name: str) -> str:
    env = Path(".env")
    if not env.is_file():
        return ""
    for line in env.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == name:
            return value.strip().strip("'\"")
    return ""


def platform_checks() -> list[Check]:
    """Which platforms are configured, and whether their settings and token shapes are right."""
    checks: list[Check] = []
    if _blank("DISCORD_TOKEN") and _blank("SLACK_BOT_TOKEN"):
        return [
            Check(
                "platforms",
                False,
                "none configured: set DISCORD_TOKEN (Discord) or SLACK_BOT_TOKEN (Slack); "
                "`dailyq play` needs neither",
            )
        ]
    if not _blank("DISCORD_TOKEN"):
        try:
            discord = DiscordSettings.from_env()
        except ValidationError as exc:
            checks.extend(_settings_errors(exc))
        else:
            if DISCORD_TOKEN_SHAPE.match(discord.token.get_secret_value()):
                checks.append(Check("DISCORD_TOKEN", True, "Discord configured (a three-part bot token)"))
            else:
                checks.append(
                    Check(
                        "DISCORD_TOKEN",
                        False,
                        "not shaped like a bot token (three parts separated by dots): set it to the "
                        "token from the Developer Portal (Bot page, Reset Token)",
                    )
                )
    if not _blank("SLACK_BOT_TOKEN"):
        try:
            slack = SlackSettings()  # type: ignore[call-arg]  # read from the environment
        except ValidationError as exc:
            checks.extend(_settings_errors(exc))
        else:
            mode = "Socket Mode (xapp- token)" if slack.socket_mode else f"HTTP mode on port {slack.port}"
            checks.append(Check("SLACK_BOT_TOKEN", True, f"Slack configured (xoxb- token, {mode})"))
    return checks


def bank_check(settings: Settings) -> Check:
    """The bank files load and validate."""
    try:
        bank = load_bank(settings.questions)
    except BankError as exc:
        lines = str(exc).splitlines()
        more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
        return Check(
            "DAILYQ_QUESTIONS",
            False,
            f"{lines[0]}{more}; fix the file or point DAILYQ_QUESTIONS at a valid bank",
        )
    names = ", ".join(Path(source).name for source in bank.sources)
    return Check("DAILYQ_QUESTIONS", True, f"{len(bank.questions)} questions from {names}")


async def database_check(url: str) -> Check:
    """The database answers and is migrated to the latest revision (nothing is created or changed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.exists():
            return Check(
                "DATABASE_URL",
                True,
                f"{path} does not exist yet: it is created and migrated at the first start",
            )
    engine = create_engine(url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            current, head = await revisions(engine)
    except Exception as exc:
        reason = (str(getattr(exc, "orig", None) or exc).splitlines() or [type(exc).__name__])[0]
        return Check(
            "DATABASE_URL",
            False,
            f"cannot connect to {redact(url)} ({reason or type(exc).__name__}): "
            "set DATABASE_URL to a reachable database (is the server up, the host and port right?)",
        )
    finally:
        await engine.dispose()
    if current != head:
        return Check(
            "DATABASE_URL",
            False,
            f"{redact(url)} is at revision {current or 'none'}, the code needs {head}: "
            "start the bot once with this DATABASE_URL (`dailyq run ...` migrates at start)",
        )
    return Check("DATABASE_URL", True, f"{redact(url)} answers, migrated (revision {head})")


async def diagnose() -> list[Check]:
    """Every check, in report order."""
    checks = platform_checks()
    try:
        settings = Settings()
    except ValidationError as exc:
        return [*checks, *_settings_errors(exc)]
    checks.append(Check("DAILYQ_TIMEZONE", True, f"{settings.timezone} is a known time zone"))
    checks.append(bank_check(settings))
    checks.append(await database_check(settings.database_url))
    return checks


async def run() -> int:
    """Print the report; 0 when every check passed, else 1."""
    checks = await diagnose()
    for check in checks:
        print(check.line())
    failed = sum(not c.ok for c in checks)
    print("all checks passed" if not failed else f"{failed} problem{'s' if failed > 1 else ''} found")
    return 0 if not failed else 1
