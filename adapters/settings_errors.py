"""Settings errors in our own words: which setting, what to set it to, and why it is needed.

pydantic reports ``Field required`` or ``Input should be a valid integer``; a person setting up
the bot needs the variable's name, what value it takes and what needs it. Values of secrets
(tokens, signing secret, a database URL with a password) are never repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

# variable -> (what to set it to, what needs it)
ABOUT: dict[str, tuple[str, str]] = {
    "DATABASE_URL": (
        "sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db",
        "where dailyq keeps rounds, answers and points",
    ),
    "DAILYQ_QUESTIONS": ("one or more bank files, comma-separated", "the questions the bot asks"),
    "DAILYQ_TIMEZONE": ("an IANA zone such as Europe/Berlin", "the zone new schedules start in"),
    "DAILYQ_CATCHUP": ("a duration such as 6h", "how late a missed post may still go out"),
    "DAILYQ_LEASE": ("a duration such as 30s", "how long a worker holds a claimed round"),
    "DAILYQ_TICK": ("a duration such as 30s", "how often the schedule is checked"),
    "DAILYQ_LOG_LEVEL": ("DEBUG, INFO, WARNING or ERROR", "how much the bot logs"),
    "DAILYQ_DB_POOL": ("a whole number from 1 to 100", "PostgreSQL connections per process"),
    "DAILYQ_DISPATCH": ("all or elected", "which processes post and reveal"),
    "DAILYQ_TIME_SCALE": ("1 (demos and soak tests only: up to 1000000)", "the time warp"),
    "DAILYQ_TIME_ANCHOR": ("a date and time such as 2026-11-25T00:00:00+00:00", "the time warp's start"),
    "DISCORD_TOKEN": (
        "the bot token (Developer Portal > your application > Bot > Reset Token)",
        "`dailyq run discord` signs in to Discord with it",
    ),
    "DISCORD_CLIENT_ID": (
        "the Application ID (Developer Portal > General Information)",
        "the invite link names the application",
    ),
    "DISCORD_GUILD_ID": ("a server id (a whole number)", "slash commands sync to that server at once"),
    "DISCORD_SHARD_COUNT": ("the total number of shards, 1 or more", "sharding across processes"),
    "DISCORD_SHARD_IDS": ("this process's shards, such as 0,1", "sharding across processes"),
    "DISCORD_REQUESTS_PER_SECOND": ("a number from 2 to 50", "the pace under Discord's 50 requests/s"),
    "SLACK_BOT_TOKEN": (
        "the Bot User OAuth Token, xoxb-... (api.slack.com/apps > Install App)",
        "every Slack call the bot makes",
    ),
    "SLACK_APP_TOKEN": (
        "an app-level token, xapp-... (Basic Information > App-Level Tokens, scope connections:write)",
        "Socket Mode, the default way Slack reaches the bot",
    ),
    "SLACK_SIGNING_SECRET": (
        "the Signing Secret (Basic Information > App Credentials)",
        "HTTP mode checks every request with it",
    ),
    "SLACK_API_URL": ("an http(s) URL such as https://slack.com/api/", "another Slack host"),
    "PORT": ("a port number from 1 to 65535", "HTTP mode listens on it"),
    "DAILYQ_HTTP_HOST": ("an address such as 0.0.0.0", "HTTP mode listens on it"),
    "DAILYQ_SLACK_ADMINS": ("Slack user ids such as U012AB3CD, comma-separated", "extra schedule admins"),
}
SECRETS = frozenset(
    {"DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL"}
)


class ConfigError(Exception):
    """A setting or option is missing or malformed; the message names it."""


def variable_of(item: Mapping[str, Any]) -> str:
    """The environment variable of one pydantic error (aliased fields carry their own name)."""
    field = str(item["loc"][0]) if item["loc"] else "?"
    return field if field.isupper() else f"DAILYQ_{field.upper()}"


def _problem(item: Mapping[str, Any], secret: bool) -> str:
    kind, ctx = str(item["type"]), item.get("ctx") or {}
    given = "" if secret else f"'{str(item.get('input'))[:60]}' "
    match kind:
        case "missing":
            return "not set"
        case "int_parsing" | "int_type" | "int_from_float":
            return f"{given}is not a whole number"
        case "float_parsing" | "float_type":
            return f"{given}is not a number"
        case "greater_than" | "greater_than_equal" | "less_than" | "less_than_equal":
            bound = {"greater_than": "more than", "greater_than_equal": "at least"}
            bound |= {"less_than": "less than", "less_than_equal": "at most"}
            limit = next(iter(ctx.values()), "?")
            return f"{given}is out of range: it must be {bound[kind]} {limit}"
        case "literal_error":
            return f"{given}is not accepted: use {ctx.get('expected', 'one of the listed values')}"
        case "datetime_parsing" | "datetime_from_date_parsing" | "datetime_type":
            return f"{given}is not a date and time"
        case "value_error":
            return str(item["msg"]).removeprefix("Value error, ")
    return f"{given}is not accepted ({item['msg']})"


def describe_settings_error(exc: ValidationError, flags: Mapping[str, str] | None = None) -> str:
    """One line: each bad setting by name (or by its command-line flag when one was given), what
    is wrong, what to set it to and what needs it. ``flags`` maps field names to flags."""
    parts = []
    for item in exc.errors():
        variable = variable_of(item)
        field = str(item["loc"][0]) if item["loc"] else ""
        name = (flags or {}).get(field, variable)
        problem = _problem(item, secret=variable in SECRETS)
        line = f"{name}: {problem}"
        if variable in ABOUT and item["type"] != "value_error":
            what, why = ABOUT[variable]
            line += f". Set it to {what} ({why})"
        parts.append(line)
    return "; ".join(parts)
