"""Bolt listeners: ``/question``, button clicks, modal submissions and the App Home tab.

Every request is acknowledged at once and the slow part runs afterwards in ``Background``,
except a modal submission: its answer is stored *before* the ack, because the ack is where an
error is shown in the modal (``response_action: errors``) and where success closes it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_adapter import inbound
from adapters.slack_adapter.actions import ACTION_ID_PATTERN, Clicked, decode, round_id, to_command
from adapters.slack_adapter.background import Background, EventDeduper
from adapters.slack_adapter.bank_forms import form_for
from adapters.slack_adapter.bank_listeners import BankListeners
from adapters.slack_adapter.blocks import reply_message
from adapters.slack_adapter.directory import Directory
from adapters.slack_adapter.files import send_files, split_files
from adapters.slack_adapter.home import home_view
from adapters.slack_adapter.inbound import Surface
from adapters.slack_adapter.text import plain
from adapters.slack_adapter.views import (
    ANSWER_BLOCK,
    ANSWER_CALLBACK,
    APPEAL_CALLBACK,
    PRACTICE_CALLBACK,
    answer_modal,
    appeal_modal,
    metadata,
    practice_modal,
    question_text,
    reply_modal,
    submitted_text,
)
from bot.cards import ActionKind, Card, Notice, Reply, Tone, error
from bot.commands import (
    AppealGrade,
    Command,
    ConfigureDaily,
    DailyAction,
    ManageDaily,
    PracticeAnswer,
    Scope,
    ShowHelp,
    ShowLeaderboard,
    ShowStats,
    SubmitAnswer,
    Window,
    needs_admin,
)
from bot.context import Context
from bot.service import Service
from bot.text.grammar import CommandError, parse_slash

log = logging.getLogger(__name__)

SLASH_HELP = Notice("On Slack, type these after `/question`, e.g. `/question leaderboard week server`.")
FORM_NOT_OPENED = "Slack did not open the form in time. Press the button again."
STALE_BUTTON = "That button is out of date. `/question help` lists what you can do."
NOT_IN_CHANNEL = Notice(
    "I cannot see this channel (a private channel?). Invite me with `/invite @dailyq` "
    "so the daily question can be posted here.",
    Tone.ERROR,
)


def _posts_now(command: Command) -> bool:
    """Admin commands after which the bot must be able to post in the channel."""
    if isinstance(command, ConfigureDaily):
        return True
    return isinstance(command, ManageDaily) and command.action in (DailyAction.NOW, DailyAction.RESUME)


def form_of(body: dict[str, Any], clicked: Clicked | None) -> dict[str, Any] | None:
    """The modal a click opens (built from the payload alone, no I/O), or None."""
    if clicked is None:
        return None
    channel = inbound.channel_id(body) or inbound.user_id(body)
    if clicked.kind is ActionKind.ANSWER:
        rid = round_id(clicked.value)
        if rid is not None and inbound.channel_id(body):
            return answer_modal(rid, channel, question_text(body.get("message")))
    elif clicked.kind is ActionKind.APPEAL:
        rid = round_id(clicked.value)
        if rid is not None:
            return appeal_modal(rid, channel)
    elif clicked.kind is ActionKind.PRACTICE_ANSWER and clicked.value:
        question = question_text(body.get("message") or body.get("view"))
        return practice_modal(clicked.value, channel, question)
    return None


def _first_notice(reply: Reply) -> Notice | None:
    first = reply.cards[0] if reply.cards else None
    return first if isinstance(first, Notice) else None


class Listeners:
    """The adapter's Bolt listeners; ``register`` attaches them to an ``AsyncApp``."""

    def __init__(
        self, service: Service, directory: Directory, tasks: Background, dedupe: EventDeduper
    ) -> None:
        self.service = service
        self.directory = directory
        self.tasks = tasks
        self.dedupe = dedupe

    def register(self, app: AsyncApp) -> None:
        """Attach every listener and the duplicate-event middleware."""
        app.middleware(self.skip_duplicate_events)
        app.command("/question")(self.on_command)
        app.action(ACTION_ID_PATTERN)(self.on_action)
        app.view(ANSWER_CALLBACK)(self.on_answer_submit)
        app.view(PRACTICE_CALLBACK)(self.on_practice_submit)
        app.view(APPEAL_CALLBACK)(self.on_appeal_submit)
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
            if not await self._open(client, body, inbound.surface(body), form):
                await self._respond(error(FORM_NOT_OPENED), inbound.context(body), respond, client)
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
            extra = await self._join(client, ctx.channel_id)
        reply = await self.service.handle(ctx, command)
        files, others = split_files(reply)
        if files:
            reply = Reply(others + await send_files(client, ctx.user_id, files), reply.ephemeral)
        if isinstance(command, ShowHelp):
            extra = (SLASH_HELP, *extra)
        await self._respond(Reply(reply.cards + extra, reply.ephemeral), ctx, respond, client)

    async def _join(self, client: AsyncWebClient, channel_id: str) -> tuple[Card, ...]:
        """Join a public channel so posts can go out; warn when the bot cannot see the channel."""
        try:
            await client.conversations_join(channel=channel_id)
        except SlackApiError as exc:
            code = exc.response.get("error")
            if code == "channel_not_found":
                return (NOT_IN_CHANNEL,)
            if code != "method_not_supported_for_channel_type":  # private channels and DMs
                log.warning("conversations.join %s failed: %s", channel_id, code)
        return ()

    async def _respond(
        self,
        reply: Reply,
        ctx: Context,
        respond: AsyncRespond,
        client: AsyncWebClient,
        *,
        replace: bool | None = None,
    ) -> None:
        """Show a reply in the conversation: through ``response_url``, else as an ephemeral."""
        payload = reply_message(reply)
        if respond.response_url:
            kind = "ephemeral" if reply.ephemeral else "in_channel"
            await respond(response_type=kind, replace_original=replace, **payload)
        else:
            await client.chat_postEphemeral(channel=ctx.channel_id, user=ctx.user_id, **payload)

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
        if not await self._open(client, body, where, form):
            await self._show(error(FORM_NOT_OPENED), inbound.context(body), body, where, respond, client)

    async def _run_action(
        self, body: dict[str, Any], clicked: Clicked | None, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        where = inbound.surface(body)
        ctx = inbound.context(body)
        command = to_command(clicked) if clicked is not None else None
        if command is None:
            await self._show(error(STALE_BUTTON), ctx, body, where, respond, client)
            return
        reply = await self.service.handle(ctx, command)
        # a practice answer or rating replaces the private message it was clicked on
        replace = clicked is not None and clicked.kind in (ActionKind.SHOW_ANSWER, ActionKind.RATE)
        await self._show(reply, ctx, body, where, respond, client, replace=replace)

    async def _open(
        self, client: AsyncWebClient, body: dict[str, Any], where: Surface, view: dict[str, Any]
    ) -> bool:
        """Open (or, inside a modal, push) ``view``; False when Slack would not open it.

        A trigger_id is valid once, for 3 s: a click that waited too long in a queue, or a
        payload without one, cannot open a form. That is the user's to retry, not an error."""
        trigger = body.get("trigger_id")
        if not isinstance(trigger, str) or not trigger:
            log.warning("click without a trigger_id: no form opened")
            return False
        try:
            if where.kind == "modal":
                await client.views_push(trigger_id=trigger, view=view)
            else:
                await client.views_open(trigger_id=trigger, view=view)
        except SlackApiError as exc:
            code = exc.response.get("error")
            if code not in ("expired_trigger_id", "invalid_trigger_id", "trigger_exchanged"):
                raise
            log.warning("form not opened: %s", code)
            return False
        return True

    async def _show(
        self,
        reply: Reply,
        ctx: Context,
        body: dict[str, Any],
        where: Surface,
        respond: AsyncRespond,
        client: AsyncWebClient,
        *,
        replace: bool = False,
    ) -> None:
        if where.kind == "modal" and where.view_id:
            await client.views_update(
                view_id=where.view_id, hash=where.view_hash, view=reply_modal(reply.cards)
            )
        elif where.kind == "home":
            await self._open(client, body, where, reply_modal(reply.cards))
        else:
            await self._respond(reply, ctx, respond, client, replace=replace and where.ephemeral)

    # -- modals ----------------------------------------------------------------------------------

    async def on_answer_submit(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """Store a daily answer, then ack: errors stay in the modal, success closes it."""
        data = metadata(view)
        rid, channel = data.get("round"), data.get("channel")
        if not isinstance(rid, int) or not isinstance(channel, str) or not channel:
            await ack(response_action="errors", errors={ANSWER_BLOCK: STALE_BUTTON})
            return
        ctx = inbound.context(body, channel=channel)
        reply = await self.service.handle(ctx, SubmitAnswer(round_id=rid, text=submitted_text(view)))
        notice = _first_notice(reply)
        if notice is not None and notice.tone is Tone.ERROR:
            await ack(response_action="errors", errors={ANSWER_BLOCK: plain(notice.text, 300)})
        elif notice is not None and notice.tone is Tone.SUCCESS:
            await ack()
            payload = reply_message(reply)
            self.tasks.spawn(
                self._post_ephemeral(client, channel, ctx.user_id, payload), "answer confirmation"
            )
        else:
            await ack(response_action="update", view=reply_modal(reply.cards, "Answer"))

    async def _post_ephemeral(
        self, client: AsyncWebClient, channel: str, user: str, payload: dict[str, Any]
    ) -> None:
        await client.chat_postEphemeral(channel=channel, user=user, **payload)

    async def on_practice_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Grade a practice answer; the modal turns into the answer with rating buttons."""
        data = metadata(view)
        question = data.get("question")
        channel = data.get("channel")
        ctx = inbound.context(body, channel=channel if isinstance(channel, str) else None)
        command = PracticeAnswer(submitted_text(view), question if isinstance(question, str) else None)
        reply = await self.service.handle(ctx, command)
        notice = _first_notice(reply)
        if notice is not None and notice.tone is Tone.ERROR:
            await ack(response_action="errors", errors={ANSWER_BLOCK: plain(notice.text, 300)})
        else:
            await ack(response_action="update", view=reply_modal(reply.cards, "Practice"))

    async def on_appeal_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """File an appeal, then ack: a refusal stays in the modal, success replaces it."""
        data = metadata(view)
        rid, channel = data.get("round"), data.get("channel")
        if not isinstance(rid, int) or not isinstance(channel, str) or not channel:
            await ack(response_action="errors", errors={ANSWER_BLOCK: STALE_BUTTON})
            return
        ctx = inbound.context(body, channel=channel)
        reply = await self.service.handle(ctx, AppealGrade(reason=submitted_text(view), round_id=rid))
        notice = _first_notice(reply)
        if notice is not None and notice.tone is Tone.ERROR:
            await ack(response_action="errors", errors={ANSWER_BLOCK: plain(notice.text, 300)})
        else:
            await ack(response_action="update", view=reply_modal(reply.cards, "Appeal"))

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
