"""The slash commands: ``/question``, ``/answer``, ``/leaderboard``, ``/stats``, ``/topics``,
``/forget-me``, ``/help`` and the other commands for everyone (``/daily``: ``daily_commands``).

Each command maps its typed options straight to a core command (see ``options.py``) and hands it
to the ``Responder``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import discord
from discord import app_commands

from adapters.discord_adapter import options
from adapters.discord_adapter.actions import OpenForm
from adapters.discord_adapter.cog_base import Choices, DailyqCog, Id, Interaction
from adapters.discord_adapter.limits import TEXT_INPUT
from adapters.discord_adapter.options import OptionError
from bot.cards import Reply, TableCard, error
from bot.commands import (
    AppealGrade,
    Ask,
    ConfigureSeason,
    Export,
    ExportKind,
    ForgetMe,
    ListTopics,
    ManageTeam,
    Review,
    SetQuotePrivacy,
    ShowMyGrade,
    ShowStats,
    SubmitAnswer,
    TeamAction,
)
from bot.text.grammar import CommandError, parse


def usage_rows(entries: Iterable[app_commands.Command[Any, ..., Any]]) -> tuple[tuple[str, str], ...]:
    """``/name <required> [optional]`` and the description of each slash command."""
    rows = []
    for command in entries:
        params = " ".join(f"<{p.name}>" if p.required else f"[{p.name}]" for p in command.parameters)
        rows.append((f"/{command.qualified_name} {params}".strip(), command.description))
    return tuple(rows)


class DailyqCommands(DailyqCog):
    """The slash commands for everyone (``/daily`` is ``DailyCommands``, ``/bank`` ``BankCommands``)."""

    # -- for everyone --------------------------------------------------------------------------

    @app_commands.command(name="question", description="A practice question, privately (spaced repetition)")
    @app_commands.describe(topic="Only questions of this topic")
    @app_commands.guild_only()
    async def question(
        self, interaction: Interaction, topic: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        """``/question [topic]``."""
        await self.responder.run(interaction, Ask(topic))

    @question.autocomplete("topic")
    async def _question_topic(self, interaction: Interaction, current: str) -> Choices:
        topics = await self._topics(interaction)
        return options.choices(options.topic_suggestions(topics, options.typed(current)))

    @app_commands.command(name="review", description="Practise the daily questions you missed, privately")
    @app_commands.guild_only()
    async def review(self, interaction: Interaction) -> None:
        """``/review``."""
        await self.responder.run(interaction, Review())

    @app_commands.command(name="answer", description="Answer today's question in this channel, privately")
    @app_commands.describe(text="Your answer (leave empty to open a form; quiz: A, B, C or D)")
    @app_commands.guild_only()
    async def answer(
        self, interaction: Interaction, text: app_commands.Range[str, 1, TEXT_INPUT] | None = None
    ) -> None:
        """``/answer [text]``: without text, a form opens."""
        if text:
            await self.responder.run(interaction, SubmitAnswer(text=text))
        else:
            await self.responder.open_form(interaction, OpenForm("answer", ""))

    @app_commands.command(name="grade", description="Your own grade of the latest revealed question")
    @app_commands.describe(round="Round number (default: this channel's latest revealed question)")
    @app_commands.guild_only()
    async def grade(self, interaction: Interaction, round: Id | None = None) -> None:
        """``/grade [round]``: verdict, key points found and missed, points; Appeal button."""
        await self.responder.run(interaction, ShowMyGrade(round))

    @app_commands.command(name="appeal", description="Contest your grade of the latest revealed question")
    @app_commands.describe(reason="Why your answer deserves another grade")
    @app_commands.guild_only()
    async def appeal(self, interaction: Interaction, reason: app_commands.Range[str, 1, 500]) -> None:
        """``/appeal reason``: within a day of the reveal, once per answer."""
        await self.responder.run(interaction, AppealGrade(reason))

    @app_commands.command(name="leaderboard", description="Standings of the daily question")
    @app_commands.describe(
        window="Time window (default: this week)",
        scope="This channel, the whole server, or its teams (points per active member)",
        season="A past season, e.g. 2026-11 or 2026-Q4 (default: the current one)",
    )
    @app_commands.guild_only()
    async def leaderboard(
        self,
        interaction: Interaction,
        window: Literal["week", "month", "season", "all"] | None = None,
        scope: Literal["channel", "server", "teams"] | None = None,
        season: app_commands.Range[str, 1, 10] | None = None,
    ) -> None:
        """``/leaderboard [window] [scope] [season]``."""
        try:
            command = options.leaderboard(window, scope, season)
        except OptionError as exc:
            await self.responder.show(interaction, error(str(exc)))
            return
        await self.responder.run(interaction, command)

    @app_commands.command(name="team", description="Teams: list them; admins add and remove")
    @app_commands.describe(
        action="list (anyone), add or remove (admins)",
        name="The team (one word)",
        members=(
            "Members as mentions: @ann @bob, or a @Role for its members now "
            "(remove without members: the team)"
        ),
    )
    @app_commands.guild_only()
    async def team(
        self,
        interaction: Interaction,
        action: Literal["list", "add", "remove"],
        name: app_commands.Range[str, 1, 40] | None = None,
        members: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        """``/team action [name] [members]``."""
        tokens = tuple((members or "").replace("><", "> <").split())
        await self.responder.run(interaction, ManageTeam(TeamAction(action), name or "", tokens))

    @app_commands.command(name="season", description="This server's seasons; admins set their length")
    @app_commands.describe(length="Admins: month, quarter or off (left out: show the seasons)")
    @app_commands.guild_only()
    async def season(
        self, interaction: Interaction, length: Literal["month", "quarter", "off"] | None = None
    ) -> None:
        """``/season [length]``."""
        await self.responder.run(interaction, ConfigureSeason(length))

    @app_commands.command(name="stats", description="Points, streaks, accuracy by topic and cards due")
    @app_commands.describe(user="Whose stats (default: yours)")
    @app_commands.guild_only()
    async def stats(self, interaction: Interaction, user: discord.User | None = None) -> None:
        """``/stats [user]``."""
        await self.responder.run(interaction, ShowStats(str(user.id) if user else None))

    @app_commands.command(name="topics", description="Topics of the question bank and their counts")
    @app_commands.guild_only()
    async def topics(self, interaction: Interaction) -> None:
        """``/topics``."""
        await self.responder.run(interaction, ListTopics())

    @app_commands.command(name="export", description="Your practice cards (Anki) or answers (CSV), privately")
    @app_commands.describe(kind="cards: an Anki-importable file; answers: your daily answers as CSV")
    @app_commands.guild_only()
    async def export(self, interaction: Interaction, kind: Literal["cards", "answers"]) -> None:
        """``/export cards|answers``: the file comes as a private attachment."""
        await self.responder.run(interaction, Export(ExportKind(kind)))

    @app_commands.command(name="remind", description="A DM before the reveal if you have not answered")
    @app_commands.describe(state="on or off", before="How long before the reveal: 30m, 2h (default 1h)")
    @app_commands.guild_only()
    async def remind(
        self,
        interaction: Interaction,
        state: Literal["on", "off"],
        before: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        """``/remind on|off [before]``: parsed by the shared grammar, so the rules are the same."""
        try:
            command = parse(f"remind {state} {before or ''}")
        except CommandError as exc:
            await self.responder.show(interaction, error(str(exc)))
            return
        await self.responder.run(interaction, command)

    @app_commands.command(name="privacy", description="Whether reveals may quote your best answers")
    @app_commands.describe(quote="on (the default) or off: reveals never quote your answers")
    @app_commands.guild_only()
    async def privacy(self, interaction: Interaction, quote: Literal["on", "off"]) -> None:
        """``/privacy quote:on|off``."""
        await self.responder.run(interaction, SetQuotePrivacy(allow=quote == "on"))

    @app_commands.command(name="forget-me", description="Delete everything dailyq stored about you")
    @app_commands.describe(confirm="True to delete for good (left out: only shows what would go)")
    @app_commands.guild_only()
    async def forget_me(self, interaction: Interaction, confirm: bool | None = None) -> None:
        """``/forget-me [confirm]``: without ``confirm:True`` it asks first."""
        await self.responder.run(interaction, ForgetMe(confirmed=bool(confirm)))

    @app_commands.command(name="help", description="How to use dailyq")
    @app_commands.guild_only()
    async def show_help(self, interaction: Interaction) -> None:
        """``/help``: the slash commands of this bot, from the command tree itself."""
        tree = getattr(interaction.client, "tree", None)  # every cog's commands, not only this one's
        every = (
            tree.walk_commands() if isinstance(tree, app_commands.CommandTree) else self.walk_app_commands()
        )
        leaves = [c for c in every if isinstance(c, app_commands.Command)]
        card = TableCard(
            "dailyq commands",
            ("command", "what it does"),
            usage_rows(leaves),
            footer="Answers and practice are private. /daily is for members with Manage Server.",
        )
        await self.responder.show(interaction, Reply((card,)))
