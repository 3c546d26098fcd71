"""The ``/daily`` group (default permission: Manage Server): schedule, verbs, appeals, regrades.

Discord hides ``/daily`` from members without Manage Server; the core checks it again at run
time (server admins can change who sees the group in Server Settings).
"""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from adapters.discord_adapter import options
from adapters.discord_adapter.cog_base import Choices, DailyqCog, Id, Interaction
from adapters.discord_adapter.options import OptionError
from adapters.discord_adapter.permissions import check_channel
from bot.cards import Notice, Tone, error
from bot.commands import (
    DailyAction,
    DecideAppeal,
    Decision,
    ExportDaily,
    ListAnswers,
    ListAppeals,
    ManageDaily,
    Regrade,
)
from bot.daily.schedule import DEFAULT_REVEAL_AFTER
from bot.text.timeparse import format_duration, suggest_timezones

VerdictChoice = Literal["strong", "partial", "missed"]
Note = app_commands.Range[str, 1, 300]
DEFAULT_REVEAL = format_duration(DEFAULT_REVEAL_AFTER)


class DailyCommands(DailyqCog):
    """The ``/daily`` group of admin commands."""

    async def _manage(self, interaction: Interaction, action: DailyAction) -> None:
        command = ManageDaily(action)
        # a verb that posts first is deferred at once: it may wait for a rate-limit slot
        await self.responder.run(interaction, command, defer_now=command.posts_now)

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
