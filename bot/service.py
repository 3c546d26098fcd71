"""The use cases' one entry point: ``Service.handle(ctx, command) -> Reply``.

Admin checks happen here, once, before any handler runs; unexpected failures become a polite
private message (the details go to the log, never to the user).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

from bot.bank import admin as bank_admin
from bot.bank import catalog, submissions
from bot.bank.commands import (
    ApproveSubmission,
    EditSubmission,
    ImportBank,
    ListBanks,
    MySubmissions,
    RejectSubmission,
    RemoveBank,
    ShowQueue,
    SubmitQuestion,
)
from bot.bank.forget import forget_submissions
from bot.cards import Outcome, Reply, TableCard, Tone, error, notice
from bot.commands import (
    AppealGrade,
    Ask,
    Command,
    ConfigureDaily,
    ConfigureRoles,
    ConfigureSeason,
    DecideAppeal,
    Export,
    ExportDaily,
    ForgetMe,
    ListAnswers,
    ListAppeals,
    ListTopics,
    ManageDaily,
    ManageTeam,
    PracticeAnswer,
    RatePractice,
    Regrade,
    Remind,
    Review,
    SetQuotePrivacy,
    ShowHelp,
    ShowLeaderboard,
    ShowMyGrade,
    ShowPracticeAnswer,
    ShowSeasonBoard,
    ShowStats,
    ShowTeamBoard,
    ShowToday,
    SubmitAnswer,
    needs_admin,
)
from bot.context import Context
from bot.daily import admin as daily_admin
from bot.daily import answering, reminders
from bot.grades import appeals, my_grade
from bot.logs import bind
from bot.members import exports, privacy
from bot.ports import Metrics, NoMetrics
from bot.practice import review, session
from bot.runtime import Runtime
from bot.standings import boards, roles, season_board, teams
from bot.store import channels as channel_store
from bot.store.users import delete_user
from bot.text.grammar import HELP
from bot.text.sanitize import clean_card, clean_command, clean_context

log = logging.getLogger(__name__)

Handler = Callable[[Runtime, Context, Any], Awaitable[Reply]]


async def show_help(_rt: Runtime, _ctx: Context, _cmd: ShowHelp) -> Reply:
    """Usage of every command."""
    return Reply((TableCard("dailyq commands", ("command", "what it does"), HELP),))


FORGET_ME_ASK = (
    "This deletes everything dailyq stored about you, for good: answers, points, streaks, "
    "appeals, practice cards, reminders and your pending or rejected question submissions. "
    "Questions of yours an admin approved stay in the workspace's bank, without your name. "
    "To go ahead, send {confirm}."
)
FORGET_ME_CONFIRM = {"discord": "`/forget-me confirm:True`", "slack": "`/question forget-me confirm`"}


async def forget_me(rt: Runtime, ctx: Context, cmd: ForgetMe) -> Reply:
    """Delete the caller's user row and, by cascade, answers, standings, streaks, cards and
    reminder settings and claims.

    Without ``confirmed`` it only says what would go and how to confirm: one rule on every platform.
    """
    if not cmd.confirmed:
        confirm = FORGET_ME_CONFIRM.get(ctx.platform, "`forget-me confirm`")
        return notice(FORGET_ME_ASK.format(confirm=confirm), title="Delete your data?")
    async with rt.engine.begin() as conn:
        user_pk = await rt.user(conn, ctx)
        await delete_user(conn, user_pk)
        uncredited = await forget_submissions(conn, ctx.platform, ctx.workspace_id, ctx.user_id)
    plural = "s" if uncredited != 1 else ""
    kept = f" Kept in the workspace's bank without your name: {uncredited} question{plural} you suggested."
    kept = kept if uncredited else ""
    return notice(
        "Deleted everything dailyq stored about you: answers, points, streaks, practice cards, "
        f"reminders and your pending or rejected question submissions.{kept}",
        Tone.SUCCESS,
    )


HANDLERS: dict[type[Any], Handler] = {
    Ask: session.ask,
    ShowPracticeAnswer: session.show_answer,
    PracticeAnswer: session.practice_answer,
    RatePractice: session.rate,
    Review: review.review,
    SubmitAnswer: answering.submit_answer,
    ShowToday: answering.show_today,
    ShowLeaderboard: boards.leaderboard,
    ShowStats: boards.stats,
    ListTopics: boards.list_topics,
    ShowHelp: show_help,
    ForgetMe: forget_me,
    Export: exports.export,
    ExportDaily: exports.export_daily,
    Remind: reminders.remind,
    SetQuotePrivacy: privacy.set_quote_privacy,
    ShowSeasonBoard: season_board.season_board,
    ConfigureSeason: season_board.configure_season,
    ConfigureRoles: roles.configure_roles,
    ManageTeam: teams.manage_team,
    ShowTeamBoard: teams.team_board,
    ConfigureDaily: daily_admin.configure_daily,
    ManageDaily: daily_admin.manage_daily,
    ShowMyGrade: my_grade.show_my_grade,
    AppealGrade: appeals.appeal,
    ListAppeals: appeals.list_appeals,
    DecideAppeal: appeals.decide,
    Regrade: appeals.regrade,
    ListAnswers: appeals.list_answers,
    ImportBank: bank_admin.import_bank,
    ListBanks: bank_admin.list_banks,
    RemoveBank: bank_admin.remove_bank,
    SubmitQuestion: submissions.submit_question,
    ShowQueue: submissions.show_queue,
    EditSubmission: submissions.edit_submission,
    ApproveSubmission: submissions.approve_submission,
    RejectSubmission: submissions.reject_submission,
    MySubmissions: submissions.my_submissions,
}


def _first_line(exc: BaseException) -> str:
    return (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0][:200]


class Service:
    """Runs commands for every platform."""

    def __init__(self, runtime: Runtime, metrics: Metrics | None = None) -> None:
        self.runtime = runtime
        self.metrics: Metrics = metrics or NoMetrics()

    async def knows_channel(self, ctx: Context) -> bool:
        """Whether the caller's channel was ever used (its row exists); creates nothing."""
        async with self.runtime.engine.connect() as conn:
            return await channel_store.get_channel(conn, ctx.channel) is not None

    async def topic_names(self, ctx: Context, banks: tuple[str, ...] | None = None) -> list[str]:
        """Topic names for autocomplete: of the banks ``banks``, else of the caller's channel's
        banks (``bot.bank.catalog.topic_names``)."""
        async with self.runtime.engine.connect() as conn:
            return await catalog.topic_names(conn, self.runtime.bank, clean_context(ctx), banks)

    async def handle(self, ctx: Context, command: Command) -> Reply:
        """Run ``command`` for ``ctx`` and return what to show; count it in the metrics."""
        started = time.perf_counter()
        reply = await self._handle(ctx, command)
        self.metrics.command_took(type(command).__name__, time.perf_counter() - started)
        if isinstance(command, SubmitAnswer) and reply.outcome is not Outcome.REFUSED:
            self.metrics.answered(ctx.platform)
        return reply

    async def _handle(self, ctx: Context, command: Command) -> Reply:
        """Text is cleaned of control characters here, once, for every platform (``bot.text.sanitize``)."""
        ctx, command = clean_context(ctx), clean_command(command)
        if needs_admin(command) and not ctx.is_admin:
            return error(
                "Only admins of this channel can do that (on Discord: Manage Server; "
                "on Slack: workspace admins). Nothing was changed."
            )
        handler = HANDLERS[type(command)]
        try:
            with bind(workspace=ctx.workspace_id, channel=ctx.channel_id):
                return clean_card(await handler(self.runtime, ctx, command))
        except (OperationalError, InterfaceError, OSError) as exc:
            log.error("command %s: database unavailable: %s", type(command).__name__, _first_line(exc))
            return error(
                "The bot cannot reach its database right now, so nothing was changed. "
                "Please try again in a minute; if it persists, tell the person who runs the bot."
            )
        except Exception:
            log.exception("command %s failed", type(command).__name__)
            return error(
                "Something went wrong on our side and nothing was changed. Please try again in a moment."
            )
