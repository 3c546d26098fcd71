"""The slash commands: ``/question``, ``/answer``, ``/leaderboard``, ``/stats``, ``/topics``,
``/forget-me``, ``/help`` and the ``/daily`` group (default permission: Manage Server).

Each command maps its typed options straight to a core command (see ``options.py``) and hands it
to the ``Responder``. Discord hides ``/daily`` from members without Manage Server; the core checks
it again at run time (server admins can change who sees the group in Server Settings).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord_adapter import options
from adapters.discord_adapter.actions import OpenForm
from adapters.discord_adapter.limits import TEXT_INPUT
from adapters.discord_adapter.options import OptionError
from adapters.discord_adapter.permissions import check_channel
from adapters.discord_adapter.responder import Responder
from bot.bank.model import Bank
from bot.cards import Notice, Reply, TableCard, Tone, error
from bot.commands import (
    AppealGrade,
    Ask,
    ConfigureSeason,
    DailyAction,
    DecideAppeal,
    Decision,
    Export,
    ExportDaily,
    ExportKind,
    ForgetMe,
    ListAnswers,
    ListAppeals,
    ListTopics,
    ManageDaily,
    ManageTeam,
    Regrade,
    Review,
    SetQuotePrivacy,
    ShowMyGrade,
    ShowStats,
    SubmitAnswer,
    TeamAction,
)
from bot.daily.schedule import DEFAULT_REVEAL_AFTER
from bot.text.grammar import CommandError, parse
from bot.text.timeparse import format_duration, suggest_timezones

Interaction = discord.Interaction[Any]
VerdictChoice = Literal["strong", "partial", "missed"]
Id = app_commands.Range[int, 1, 2**53]
Note = app_commands.Range[str, 1, 300]
Choices = list[app_commands.Choice[str]]
# daily verbs that post or edit messages: deferred at once, they may wait for a rate-limit slot
POSTING = frozenset({DailyAction.NOW, DailyAction.REVEAL, DailyAction.SKIP})
DEFAULT_REVEAL = format_duration(DEFAULT_REVEAL_AFTER)


def usage_rows(entries: Iterable[app_commands.Command[Any, ..., Any]]) -> tuple[tuple[str, str], ...]:
    """``/name <required> [optional]`` and the description of each slash command."""
    rows = []
    for command in entries:
        params = " ".join(f"<{p.name}>" if p.required else f"[{p.name}]" for p in command.parameters)
        rows.append((f"/{command.qualified_name} {params}".strip(), command.description))
    return tuple(rows)


class DailyqCommands(commands.Cog):
    """Every slash command of dailyq, backed by one ``Responder`` and the question bank."""

    def __init__(self, responder: Responder, bank: Bank) -> None:
        self.responder = responder
        self.bank = bank

    async def _topics(self, interaction: Interaction, banks: tuple[str, ...] | None = None) -> list[str]:
        """The topics of the caller's channel's banks (or of ``banks``), workspace banks included."""
        if interaction.guild_id is None or interaction.channel_id is None:
            return [name for name, _ in self.bank.topics()]
        return await self.responder.service.topic_names(self.responder.context(interaction), banks)

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Refuse options whose values are not of the type the command declares.

        discord.py passes a value through as Discord sent it: a client whose command list is out
        of date can send a number, or a role, where the command now takes text."""
        command = interaction.command
        if isinstance(command, app_commands.Command):
            for param in command.parameters:
                value = getattr(interaction.namespace, param.name, None)
                if value is not None and not options.fits(param.type, value):
                    raise app_commands.CheckFailure(f"option {param.name!r}: not a {param.type.name}")
        return True

    async def _manage(self, interaction: Interaction, action: DailyAction) -> None:
        await self.responder.run(interaction, ManageDaily(action), defer_now=action in POSTING)

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

    # -- /daily (admins) -----------------------------------------------------------------------

    daily = app_commands.Group(
        name="daily",
        description="Schedule the daily question in this channel",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    @daily.command(name="set", description="Schedule the daily question in this channel")
    @app_commands.describe(
        time="Local time HH:MM (24 h), e.g. 09:30",
        timezone="IANA time zone, e.g. Europe/Berlin (left out: unchanged)",
        reveal=(
            "Reveal after this long, before the next post, e.g. 4h "
            f"(left out: unchanged; {DEFAULT_REVEAL} at first)"
        ),
        days="every, weekdays, weekends or a list such as mon,wed,fri (left out: unchanged)",
        mode="open: written answers; quiz: four options (left out: unchanged)",
        topics="Only these topics, comma-separated; all for every topic (left out: unchanged)",
        difficulty="Only this difficulty; any for all (left out: unchanged)",
        banks="Banks to draw from, comma-separated: builtin and names from /bank list (left out: unchanged)",
    )
    async def daily_set(
        self,
        interaction: Interaction,
        time: app_commands.Range[str, 1, 10],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        reveal: app_commands.Range[str, 1, 20] | None = None,
        days: app_commands.Range[str, 1, 60] | None = None,
        mode: Literal["open", "quiz"] | None = None,
        topics: app_commands.Range[str, 1, 400] | None = None,
        difficulty: Literal["easy", "medium", "hard", "any"] | None = None,
        banks: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """``/daily set``: checks the bot's permissions in the channel before scheduling."""
        try:
            command = options.daily_set(
                time=time,
                timezone=timezone,
                reveal=reveal,
                days=days,
                mode=mode,
                topics=topics,
                difficulty=difficulty,
                banks=banks,
            )
        except OptionError as exc:
            await self.responder.show(interaction, error(str(exc)))
            return
        extra: tuple[Notice, ...] = ()
        if interaction.guild_id is not None and self.responder.context(interaction).is_admin:
            channel_type = interaction.channel.type if interaction.channel is not None else None
            check = check_channel(interaction.app_permissions, channel_type)
            if check.blocking:
                await self.responder.show(interaction, error(check.refusal()))
                return
            extra = tuple(Notice(text, Tone.INFO, title="Heads-up") for text in check.warnings)
        await self.responder.run(interaction, command, extra=extra)

    @daily_set.autocomplete("timezone")
    async def _set_timezone(self, interaction: Interaction, current: str) -> Choices:
        return options.choices(suggest_timezones(options.typed(current)))

    @daily_set.autocomplete("topics")
    async def _set_topics(self, interaction: Interaction, current: str) -> Choices:
        # the banks typed in the same /daily set, if any: the topics are checked against those
        topics = await self._topics(interaction, options.typed_banks(interaction.namespace.banks))
        return options.choices(options.topic_list_suggestions(topics, options.typed(current)))

    @daily.command(name="export", description="This channel's rounds and answers as CSV, privately")
    async def daily_export(self, interaction: Interaction) -> None:
        """``/daily export``."""
        await self.responder.run(interaction, ExportDaily())

    @daily.command(name="roles", description="Roles for the season champion and streak milestones")
    @app_commands.describe(
        award="What the role is for (left out: show the roles; with off: stop all of them)",
        role="The role to give (I need Manage Roles, and my role above it)",
        off="Stop giving the role of this award (members keep what they have)",
    )
    async def daily_roles(
        self,
        interaction: Interaction,
        award: Literal["champion", "streak 7", "streak 30", "streak 100"] | None = None,
        role: discord.Role | None = None,
        off: bool = False,
    ) -> None:
        """``/daily roles [award] [role] [off]``."""
        try:
            command = options.roles(award, role.id if role else None, off)
        except OptionError as exc:
            await self.responder.show(interaction, error(str(exc)))
            return
        await self.responder.run(interaction, command)

    @daily.command(name="status", description="The schedule, the next post and the open round")
    async def daily_status(self, interaction: Interaction) -> None:
        """``/daily status``."""
        await self._manage(interaction, DailyAction.STATUS)

    @daily.command(name="pause", description="Pause the daily question")
    async def daily_pause(self, interaction: Interaction) -> None:
        """``/daily pause``."""
        await self._manage(interaction, DailyAction.PAUSE)

    @daily.command(name="resume", description="Resume the daily question")
    async def daily_resume(self, interaction: Interaction) -> None:
        """``/daily resume``."""
        await self._manage(interaction, DailyAction.RESUME)

    @daily.command(name="now", description="Post today's question now")
    async def daily_now(self, interaction: Interaction) -> None:
        """``/daily now``."""
        await self._manage(interaction, DailyAction.NOW)

    @daily.command(name="reveal", description="Reveal the open question's answer now")
    async def daily_reveal(self, interaction: Interaction) -> None:
        """``/daily reveal``."""
        await self._manage(interaction, DailyAction.REVEAL)

    @daily.command(name="skip", description="Skip the open question (not scored) and post another")
    async def daily_skip(self, interaction: Interaction) -> None:
        """``/daily skip``."""
        await self._manage(interaction, DailyAction.SKIP)

    @daily.command(name="off", description="Stop the daily question in this channel")
    async def daily_off(self, interaction: Interaction) -> None:
        """``/daily off``."""
        await self._manage(interaction, DailyAction.OFF)

    @daily.command(name="appeals", description="Open appeals of grades in this channel")
    async def daily_appeals(self, interaction: Interaction) -> None:
        """``/daily appeals``."""
        await self.responder.run(interaction, ListAppeals())

    @daily.command(name="accept", description="Accept an appeal with a new verdict")
    @app_commands.describe(
        appeal="Appeal number (from /daily appeals)", verdict="The new verdict", note="Shown to the player"
    )
    async def daily_accept(
        self, interaction: Interaction, appeal: Id, verdict: VerdictChoice, note: Note | None = None
    ) -> None:
        """``/daily accept``: points, standings and leaderboards change; the player gets a DM."""
        await self.responder.run(interaction, DecideAppeal(appeal, Decision.ACCEPT, verdict, note or ""))

    @daily.command(name="reject", description="Reject an appeal; the grade stands")
    @app_commands.describe(appeal="Appeal number (from /daily appeals)", note="Shown to the player")
    async def daily_reject(self, interaction: Interaction, appeal: Id, note: Note | None = None) -> None:
        """``/daily reject``."""
        await self.responder.run(interaction, DecideAppeal(appeal, Decision.REJECT, None, note or ""))

    @daily.command(name="answers", description="Answers of a revealed round, with their numbers")
    @app_commands.describe(round="Round number (default: this channel's latest revealed question)")
    async def daily_answers(self, interaction: Interaction, round: Id | None = None) -> None:
        """``/daily answers [round]``."""
        await self.responder.run(interaction, ListAnswers(round))

    @daily.command(name="regrade", description="Set the verdict of any answer of a revealed round")
    @app_commands.describe(
        answer="Answer number (from /daily answers)", verdict="The new verdict", note="Shown to the player"
    )
    async def daily_regrade(
        self, interaction: Interaction, answer: Id, verdict: VerdictChoice, note: Note | None = None
    ) -> None:
        """``/daily regrade``: points, standings and leaderboards change; the player gets a DM."""
        await self.responder.run(interaction, Regrade(answer, verdict, note or ""))
