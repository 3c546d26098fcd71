"""Slash-command options to core commands, and autocomplete choices (pure: no I/O).

Discord checks option types and choices; this module turns the typed values into the frozen
command dataclasses with the core's own parsers (``bot.text.grammar``, ``bot.text.timeparse``),
so the rules for times, zones, durations, days and every ``daily set`` option are the same on
every platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord

from adapters.discord_adapter.limits import CHOICE_NAME, CHOICES
from bot.commands import (
    ConfigureDaily,
    ConfigureRoles,
    Scope,
    ShowLeaderboard,
    ShowSeasonBoard,
    ShowTeamBoard,
    Window,
)
from bot.context import Context
from bot.standings.seasons import SeasonError, parse_season
from bot.text.bank_grammar import BankCommandError, parse_bank_names
from bot.text.grammar import CommandError, set_option
from bot.text.timeparse import TimeInputError, parse_hhmm

PLATFORM = "discord"


class OptionError(ValueError):
    """An option value the core does not accept; the message says what is accepted."""


def context_for(
    *,
    guild_id: int,
    channel_id: int,
    user_id: int,
    display_name: str,
    permissions: discord.Permissions,
) -> Context:
    """The caller of an interaction; admins are members with Manage Server (or Administrator)."""
    return Context(
        platform=PLATFORM,
        workspace_id=str(guild_id),
        channel_id=str(channel_id),
        user_id=str(user_id),
        display_name=display_name,
        is_admin=permissions.manage_guild or permissions.administrator,
    )


def daily_set(
    *,
    time: str,
    timezone: str | None = None,
    reveal: str | None = None,
    days: str | None = None,
    mode: str | None = None,
    topics: str | None = None,
    difficulty: str | None = None,
    banks: str | None = None,
) -> ConfigureDaily:
    """``/daily set`` options to ``ConfigureDaily``; raises ``OptionError`` naming what is accepted.

    The text grammar's rules (``bot.text.grammar.set_option``): an option left out keeps its value (``None``),
    ``topics:all`` and ``difficulty:any`` lift those filters, ``reveal`` is 1m to 7d (and the
    core refuses one that would not come before the next post).
    """
    given = {
        "timezone": timezone,
        "reveal": reveal,
        "days": days,
        "mode": mode,
        "topics": topics,
        "difficulty": difficulty,
        "banks": banks,
    }
    fields: dict[str, Any] = {}
    try:
        post_time = parse_hhmm(time)
        for key, value in given.items():
            # an empty time, zone, duration or day set counts as left out; empty topics or banks do not
            if value is not None and (value or key in ("topics", "banks")):
                fields.update(set_option(key, value))
    except (TimeInputError, CommandError) as exc:
        raise OptionError(str(exc)) from None
    return ConfigureDaily(post_time=post_time, **fields)


def split_topics(text: str) -> tuple[str, ...]:
    """Comma-separated topic names."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def leaderboard(
    window: str | None, scope: str | None, season: str | None = None
) -> ShowLeaderboard | ShowSeasonBoard | ShowTeamBoard:
    """``/leaderboard [window] [scope] [season]``: this week and this channel by default; the
    season window (or naming a season) is the season board, the whole server by default; the
    ``teams`` scope is the team board of the window."""
    if scope == "teams":
        return ShowTeamBoard(window or "week")
    if window == "season" or season:
        try:
            key = parse_season(season) if season else None
        except SeasonError as exc:
            raise OptionError(str(exc)) from None
        return ShowSeasonBoard(key, Scope(scope or Scope.SERVER.value))
    return ShowLeaderboard(Window(window or Window.WEEK.value), Scope(scope or Scope.CHANNEL.value))


ROLE_AWARDS = {
    "champion": "champion",
    "streak 7": "streak7",
    "streak 30": "streak30",
    "streak 100": "streak100",
}


def roles(award: str | None, role_id: int | None, off: bool) -> ConfigureRoles:
    """``/daily roles [award] [role] [off]``: nothing shows the roles; ``off`` alone stops all;
    an award takes a role, or ``off`` to stop giving it."""
    if award is None:
        if role_id is not None:
            raise OptionError("Say what the role is for: award champion, streak 7, streak 30 or streak 100.")
        return ConfigureRoles("off") if off else ConfigureRoles()
    kind = ROLE_AWARDS[award]
    if off:
        return ConfigureRoles(kind, "off")
    if role_id is None:
        raise OptionError(f"Pick the role for {award} (role option), or off:True to stop giving it.")
    return ConfigureRoles(kind, str(role_id))


def choices(names: Iterable[str]) -> list[discord.app_commands.Choice[str]]:
    """Autocomplete choices: at most 25; values longer than Discord's 100 characters are left out."""
    result = []
    for item in names:
        if len(item) > CHOICE_NAME:
            continue  # a cut value would name no topic
        result.append(discord.app_commands.Choice(name=item, value=item))
        if len(result) == CHOICES:
            break
    return result


_OPTION_TYPES: dict[discord.AppCommandOptionType, tuple[type, ...]] = {
    discord.AppCommandOptionType.string: (str,),
    discord.AppCommandOptionType.integer: (int,),
    discord.AppCommandOptionType.number: (int, float),
    discord.AppCommandOptionType.boolean: (bool,),
    discord.AppCommandOptionType.user: (discord.User, discord.Member),
}


def fits(kind: discord.AppCommandOptionType, value: object) -> bool:
    """Whether an option value has the type its parameter declares (other types: not checked)."""
    wanted = _OPTION_TYPES.get(kind)
    if wanted is None:
        return True
    if isinstance(value, bool) and bool not in wanted:
        return False  # True is an int to Python, not to a slash command
    return isinstance(value, wanted)


def typed(current: object) -> str:
    """What an autocomplete request says was typed: Discord sends text, anything else counts as ""."""
    return current if isinstance(current, str) else ""


def typed_banks(current: object) -> tuple[str, ...] | None:
    """The bank names typed so far in an autocomplete request's ``banks`` option; None when there
    are none or they do not parse (the channel's banks count then)."""
    if not isinstance(current, str) or not current.strip():
        return None
    try:
        return parse_bank_names(current)
    except BankCommandError:
        return None


def topic_suggestions(topics: Iterable[str], current: str) -> list[str]:
    """Topics containing what was typed so far (case-insensitive), in bank order."""
    wanted = current.strip().casefold()
    return [topic for topic in topics if wanted in topic.casefold()]


def topic_list_suggestions(topics: Iterable[str], current: str) -> list[str]:
    """Completions of the last name of a comma-separated topic list (``a, b, c``)."""
    done, _, last = current.rpartition(",")
    chosen = split_topics(done)
    prefix = ", ".join(chosen)
    return [
        f"{prefix}, {topic}" if prefix else topic
        for topic in topic_suggestions(topics, last)
        if topic not in chosen
    ]
