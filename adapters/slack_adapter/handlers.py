"""Bolt listeners: ``/question``, button clicks, modal submissions and the App Home tab.

Every request is acknowledged at once and the slow part runs afterwards in ``Background``,
except a modal submission (``modals``): its answer is stored *before* the ack, because the ack
is where an error is shown in the modal and where success closes it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_adapter import inbound
from adapters.slack_adapter.actions import ACTION_ID_PATTERN, Clicked, decode, to_command
from adapters.slack_adapter.background import Background, EventDeduper
from adapters.slack_adapter.bank_forms import form_for
from adapters.slack_adapter.bank_listeners import BankListeners
from adapters.slack_adapter.blocks import reply_message
from adapters.slack_adapter.directory import Directory
from adapters.slack_adapter.files import send_files, split_files
from adapters.slack_adapter.home import home_view
from adapters.slack_adapter.modals import ModalSubmits, form_of
from adapters.slack_adapter.outbound import (
    FORM_NOT_OPENED,
    STALE_BUTTON,
    join,
    open_view,
    respond_with,
    show,
)
from adapters.slack_adapter.views import ANSWER_CALLBACK, APPEAL_CALLBACK, PRACTICE_CALLBACK
from bot.cards import ActionKind, Card, Notice, error
from bot.commands import (
    Command,
    ConfigureDaily,
    ManageDaily,
    Scope,
    ShowHelp,
    ShowLeaderboard,
    ShowStats,
    Window,
    needs_admin,
)
from bot.context import Context
from bot.service import Service
from bot.text.grammar import CommandError, parse_slash

log = logging.getLogger(__name__)

SLASH_HELP = Notice("On Slack, type these after `/question`, e.g. `/question leaderboard week server`.")


def _posts_now(command: Command) -> bool:
    """Admin commands after which the bot must be able to post in the channel (the core says)."""
    return isinstance(command, (ConfigureDaily, ManageDaily)) and command.starts_posting


class Listeners:
    """The adapter's Bolt listeners; ``register`` attaches them to an ``AsyncApp``."""

    def __init__(
        self, service: Service, directory: Directory, tasks: Background, dedupe: EventDeduper
    ) -> None:
        self.service = service
        self.directory = directory
        self.tasks = tasks
        self.dedupe = dedupe
        self.modals = ModalSubmits(service, tasks)

    def register(self, app: AsyncApp) -> None:
        """Attach every listener and the duplicate-event middleware."""
        app.middleware(self.skip_duplicate_events)
        app.command("/question")(self.on_command)
        app.action(ACTION_ID_PATTERN)(self.on_action)
        app.view(ANSWER_CALLBACK)(self.modals.on_answer_submit)
        app.view(PRACTICE_CALLBACK)(self.modals.on_practice_submit)
        app.view(APPEAL_CALLBACK)(self.modals.on_appeal_submit)
        BankListeners(self.service, self.directory).register(app)
        app.event("app_home_opened")(self.on_home_opened)
        app.error(self.on_error)

    async def skip_duplicate_events(self, body: dict[str, Any], next: Any) -> BoltResponse | None:
        """Acknowledge a re-delivered event without handling it twice."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not self.dedupe.first_time(event_id):
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def on_error(self, error: Exception) -> None:
        """Listener failures: logged (the user already got an ack)."""
        log.error("Slack listener failed: %s", error, exc_info=error)

    # -- /question -------------------------------------------------------------------------------

    async def on_command(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Parse at once (a typo is answered in the ack itself), run the command after the ack."""
        form = form_for(str(body.get("text") or ""), inbound.channel_id(body) or "")
        if form is not None:  # bank import and a bare submit open a form
            await ack()
            if not await open_view(client, body, inbound.surface(body), form):
                await respond_with(error(FORM_NOT_OPENED), inbound.context(body), respond, client)
            return
        try:
            command = parse_slash(str(body.get("text") or ""))
        except CommandError as exc:
            await ack(response_type="ephemeral", **reply_message(error(str(exc))))
            return
        await ack()
        self.tasks.spawn(self._run_command(body, command, respond, client), "/question")

    async def _run_command(
        self, body: dict[str, Any], command: Command, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        admin = needs_admin(command) and await self.directory.is_admin(
            inbound.team_id(body), inbound.user_id(body)
        )
        ctx = inbound.context(body, is_admin=admin)
        extra: tuple[Card, ...] = ()
        if admin and _posts_now(command):
            extra = await join(client, ctx.channel_id)
        reply = await self.service.handle(ctx, command)
        files, others = split_files(reply)
        if files:
            reply = replace(reply, cards=others + await send_files(client, ctx.user_id, files))
        if isinstance(command, ShowHelp):
            extra = (SLASH_HELP, *extra)
        await respond_with(replace(reply, cards=reply.cards + extra), ctx, respond, client)

    # -- buttons -------------------------------------------------------------------------------

    async def on_action(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Acknowledge a click, then open a form or run the command and show its reply.

        A click that opens a form (Answer, Appeal, practice answer) starts its ``views.open`` at
        once, outside the queue of follow-up work: its trigger_id expires 3 s after the click, so
        in a burst it must not wait behind confirmations, commands or other members' lookups."""
        await ack()
        action = (body.get("actions") or [{}])[0]
        clicked = decode(str(action.get("action_id") or ""), action.get("value"))
        form = form_of(body, clicked)
        if form is not None:
            self.tasks.spawn(self._open_form(body, form, respond, client), "form", queued=False)
            return
        self.tasks.spawn(self._run_action(body, clicked, respond, client), "button")

    async def _open_form(
        self, body: dict[str, Any], form: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        where = inbound.surface(body)
        if not await open_view(client, body, where, form):
            await show(error(FORM_NOT_OPENED), inbound.context(body), body, where, respond, client)

    async def _run_action(
        self, body: dict[str, Any], clicked: Clicked | None, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        where = inbound.surface(body)
        ctx = inbound.context(body)
        command = to_command(clicked) if clicked is not None else None
        if command is None:
            await show(error(STALE_BUTTON), ctx, body, where, respond, client)
            return
        reply = await self.service.handle(ctx, command)
        # a practice answer or rating replaces the private message it was clicked on
        replace = clicked is not None and clicked.kind in (ActionKind.SHOW_ANSWER, ActionKind.RATE)
        await show(reply, ctx, body, where, respond, client, replace=replace)

    # -- App Home --------------------------------------------------------------------------------

    async def on_home_opened(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """Publish the Home tab (events are acknowledged by Bolt before this runs)."""
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        self.tasks.spawn(self._publish_home(event, inbound.team_id(body), client), "app home")

    async def _publish_home(self, event: dict[str, Any], team: str, client: AsyncWebClient) -> None:
        user = str(event["user"])
        cards: tuple[Card, ...] = ()
        # the name comes from users.info: the core stores the caller's name on every command,
        # so a Home visit must not overwrite it with a bare user id
        member = await self.directory.member(team, user)
        if member is not None:
            ctx = Context(inbound.PLATFORM, team, str(event.get("channel") or user), user, member.name)
            stats = await self.service.handle(ctx, ShowStats())
            board = await self.service.handle(ctx, ShowLeaderboard(Window.WEEK, Scope.SERVER))
            cards = stats.cards + board.cards
        await client.views_publish(user_id=user, view=home_view(cards))
