"""A fake Discord REST API + gateway on 127.0.0.1 for driving a stock discord.py client.

Usage::

    async with FakeDiscord() as fake:          # free port; discord.py is pointed at it
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(),
                           guild_ready_timeout=0.1)
        task = asyncio.create_task(bot.start("fake-token"))
        await bot.wait_until_ready()
        ping = fake.slash_command("daily set", {"time": "09:00"}, user="admin")
        await fake.dispatch_interaction(ping)
        body = await fake.wait_for_interaction_response(ping)
        await bot.close(); await task

Modules: ``discord_payloads`` (builders, limits), ``discord_traffic`` (recording, faults,
rate limits), ``discord_gateway`` (websocket). See docs/testing-adapters.md (Discord).
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

import discord
import yarl
from aiohttp import web

from tests.fakes.discord_gateway import GUILD_MESSAGES_INTENT, GUILDS_INTENT, GatewayServer
from tests.fakes.discord_payloads import (
    EPHEMERAL,
    JSON,
    LOADING,
    RESPONSE_DEFERRED_MESSAGE,
    RESPONSE_DEFERRED_UPDATE,
    RESPONSE_MESSAGE,
    RESPONSE_UPDATE_MESSAGE,
    FakeGuild,
    Snowflakes,
    button_row,
    default_guild,
    interaction_payload,
    iso_now,
    message_payload,
    modal_components,
    slash_command_data,
    thread_payload,
    user_payload,
    validate_message_body,
)  # fmt: skip
from tests.fakes.discord_roles import RoleRoutes
from tests.fakes.discord_traffic import (
    API_PREFIX,
    REC_KEY,
    RecordedRequest,
    TrafficRecorder,
    error_response,
    json_response,
)  # fmt: skip

__all__ = ["FakeDiscord", "FakeGuild", "RecordedRequest"]

DM_CHANNEL = 1  # Discord's channel type of a direct message
MAX_PAGE = 100  # GET /channels/{id}/messages returns at most 100 messages


class _Clock(Protocol):
    def now(self) -> Any: ...


@dataclass
class _Interaction:
    payload: JSON
    dispatched_at: float
    responded: bool = False
    original_id: str | None = None


class FakeDiscord(RoleRoutes, TrafficRecorder, GatewayServer):
    """Fake Discord REST + gateway server; see the module docstring for a walkthrough.

    ``interaction_deadline``: callbacks later than this many seconds after dispatch get
    10062 Unknown interaction (None disables). ``nonce_window``: how long an enforced nonce
    deduplicates message creates, in seconds of ``clock`` (a test's fake clock, so a test can
    jump past the window) or of real time without one. ``echo_events``: send MESSAGE_CREATE/UPDATE/DELETE and
    THREAD_CREATE for REST side effects, like Discord does.
    """

    def __init__(
        self, *, guild_count: int = 1, shard_count: int = 1, global_rate_limit: int | None = None,
        global_rate_window: float = 1.0, interaction_deadline: float | None = 3.0,
        nonce_window: float = 300.0, echo_events: bool = True, heartbeat_interval_ms: int = 41_250,
        clock: _Clock | None = None,
    ) -> None:  # fmt: skip
        TrafficRecorder.__init__(self, global_rate_limit, global_rate_window)
        GatewayServer.__init__(self, heartbeat_interval_ms, echo_events)
        self.ids = Snowflakes()
        self.app_id = self.ids.next()
        self.bot_user = user_payload(self.app_id, "dailyq", bot=True)
        self.guilds = [
            default_guild(self.ids, self.bot_user, f"Test Guild {n}") for n in range(1, guild_count + 1)
        ]
        self.shard_count = shard_count
        self.interaction_deadline = interaction_deadline
        self.nonce_window = nonce_window
        self.clock = clock
        self._hang: list[re.Pattern[str]] = []
        self._hung = asyncio.Event()  # set at stop: hung requests end with the server
        self.messages: dict[str, JSON] = {}
        self.threads: dict[str, JSON] = {}
        self.dm_channels: dict[str, JSON] = {}  # recipient user id -> DM channel
        self.dm_blocked: set[str] = set()  # users who do not accept DMs (sends answer 403 50007)
        self.attachments: dict[str, bytes] = {}
        self.attachment_downloads: list[str] = []  # ids, in the order the bot fetched them
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[str, list[JSON]] = {}
        self.interactions: dict[str, _Interaction] = {}
        self._nonces: dict[tuple[str, str], tuple[str, float]] = {}
        self._runner: web.AppRunner | None = None
        self._patch: AbstractContextManager[None] | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    @property
    def guild(self) -> FakeGuild:
        """The first guild."""
        return self.guilds[0]

    @property
    def base_url(self) -> str:
        """REST base URL (what ``discord.http.Route.BASE`` is set to)."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Gateway URL for IDENTIFY; READY's resume_gateway_url is ``/resume-gateway``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        """Start listening on 127.0.0.1 on a free port."""
        app = web.Application(middlewares=[self.middleware])
        self._add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close gateway connections and the server (close the bot first)."""
        self._hung.set()
        await self.close_gateway()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this fake; restore on exit."""
        ws_class = discord.gateway.DiscordWebSocket
        old_base, old_gateway = discord.http.Route.BASE, ws_class.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.base_url
        ws_class.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE, ws_class.DEFAULT_GATEWAY = old_base, old_gateway

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        self._patch = self.patch_discord()
        self._patch.__enter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        if self._patch is not None:
            self._patch.__exit__(None, None, None)
            self._patch = None
        await self.stop()

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get("/gateway", self.gateway_handler)
        app.router.add_get("/resume-gateway", self.gateway_handler)
        app.router.add_get("/cdn/attachments/{aid}/{name}", self._attachment)
        routes: list[tuple[str, str, Any]] = [
            ("GET", "/users/@me", self._users_me),
            ("POST", "/users/@me/channels", self._open_dm),
            ("GET", "/oauth2/applications/@me", self._application),
            ("GET", "/gateway", self._gateway_info),
            ("GET", "/gateway/bot", self._gateway_info),
            ("*", "/applications/{app}/commands", self._commands),
            ("*", "/applications/{app}/guilds/{guild}/commands", self._commands),
            ("POST", "/interactions/{iid}/{token}/callback", self._callback),
            ("POST", "/webhooks/{app}/{token}", self._followup),
            ("*", "/webhooks/{app}/{token}/messages/{mid}", self._webhook_message),
            ("GET", "/channels/{cid}", self._get_channel),
            ("POST", "/channels/{cid}/messages", self._create_message_route),
            ("GET", "/channels/{cid}/messages", self._list_messages),
            ("*", "/channels/{cid}/messages/{mid}", self._channel_message),
            ("POST", "/channels/{cid}/messages/{mid}/threads", self._create_thread),
            ("POST", "/channels/{cid}/threads", self._create_thread),
            ("POST", "/channels/{cid}/typing", self._no_content),
        ]
        for method, path, handler in routes + self.role_routes():
            app.router.add_route(method, API_PREFIX + path, handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self.unhandled_route)

    # ------------------------------------------------------------------ simple routes

    async def _users_me(self, request: web.Request) -> web.Response:
        return json_response(200, self.bot_user)

    async def _open_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels: the DM channel with a member of a served guild (created once)."""
        recipient = str((request[REC_KEY].json or {}).get("recipient_id"))
        members = (m["user"] for g in self.guilds for m in g.members.values())
        user = next((u for u in members if u["id"] == recipient), None)
        if user is None:
            return error_response(400, 50033, "Invalid Recipients")
        fresh = {"id": self.ids.next(), "type": DM_CHANNEL, "recipients": [user], "last_message_id": None}
        channel = self.dm_channels.setdefault(recipient, fresh)
        return json_response(200, channel)

    def direct_messages(self, user_id: str) -> list[JSON]:
        """Messages the bot sent to a user's DM channel, oldest first."""
        dms = [c["id"] for c in self.dm_channels.values() if c["recipients"][0]["id"] == str(user_id)]
        return [m for m in self.messages.values() if m["channel_id"] in dms]

    def add_attachment(self, filename: str, content: bytes) -> JSON:
        """An uploaded file as Discord resolves it in an interaction; served from the fake's CDN."""
        attachment_id = self.ids.next()
        self.attachments[attachment_id] = content
        url = f"http://127.0.0.1:{self.port}/cdn/attachments/{attachment_id}/{filename}"
        return {"id": attachment_id, "filename": filename, "size": len(content), "url": url,
                "proxy_url": url, "content_type": "application/json"}  # fmt: skip

    async def _attachment(self, request: web.Request) -> web.Response:
        self.attachment_downloads.append(request.match_info["aid"])
        content = self.attachments.get(request.match_info["aid"])
        return web.Response(status=404) if content is None else web.Response(body=content)

    async def _no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _application(self, request: web.Request) -> web.Response:
        return json_response(200, {
            "id": self.app_id, "name": "dailyq", "description": "", "icon": None,
            "bot_public": True, "bot_require_code_grant": False, "owner": self.guild.user("owner"),
            "verify_key": "0" * 64, "flags": 0, "team": None, "summary": "", "rpc_origins": [],
            "bot": self.bot_user, "interactions_endpoint_url": None, "tags": [],
        })  # fmt: skip

    async def _gateway_info(self, request: web.Request) -> web.Response:
        if not request.path.endswith("/bot"):
            return json_response(200, {"url": self.gateway_url})
        return json_response(200, {
            "url": self.gateway_url, "shards": self.shard_count,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000,
                                    "max_concurrency": 1},
        })  # fmt: skip

    async def _commands(self, request: web.Request) -> web.Response:
        guild_id = request.match_info.get("guild")
        store = self.guild_commands.setdefault(guild_id, []) if guild_id else self.global_commands
        if request.method == "GET":
            return json_response(200, store)
        if request.method != "PUT":
            return await self.unhandled_route(request)
        old = {(c["name"], c.get("type", 1)): c["id"] for c in store}
        extra = {"guild_id": guild_id} if guild_id else {}
        store[:] = [
            {"type": 1, "description": "", "options": [], "nsfw": False,
             "default_member_permissions": None, **cmd, **extra,
             "id": old.get((cmd["name"], cmd.get("type", 1))) or self.ids.next(),
             "application_id": self.app_id, "version": self.ids.next()}
            for cmd in request[REC_KEY].json or []
        ]  # fmt: skip
        return json_response(200, store)

    # ------------------------------------------------------------------ messages & threads

    def _channel(self, channel_id: str) -> JSON | None:
        if channel_id in self.threads:
            return self.threads[channel_id]
        dm = next((c for c in self.dm_channels.values() if c["id"] == channel_id), None)
        if dm is not None:
            return dm
        channels = (c for g in self.guilds for c in g.channels)
        return next((c for c in channels if str(c["id"]) == channel_id), None)

    def _guild_of(self, channel: JSON) -> FakeGuild:
        return next(g for g in self.guilds if g.id == str(channel["guild_id"]))

    def channel_messages(self, channel_id: str) -> list[JSON]:
        """Messages currently stored in a channel or thread, oldest first."""
        return [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]

    def add_message(self, channel_id: str, body: JSON | None = None, **extra: Any) -> JSON:
        """Store a message as if it already existed (author: the bot unless ``author=`` given).

        No gateway event is sent, so the bot has never seen it."""
        author = extra.pop("author", self.bot_user)
        message = message_payload(self.ids.next(), str(channel_id), author, body or {}, **extra)
        self.messages[message["id"]] = message
        return message

    async def _create_message(self, channel: JSON, body: JSON, files: Sequence[str], **extra: Any) -> JSON:
        body = dict(body)
        if files:
            url = f"{self.base_url}/attachments"
            body["attachments"] = [{"id": self.ids.next(), "filename": name, "size": 0,
                                    "url": url, "proxy_url": url} for name in files]  # fmt: skip
        message = self.add_message(channel["id"], body, **extra)
        if channel["type"] in (11, 12):
            channel["message_count"] += 1
        if not message["flags"] & EPHEMERAL and channel["type"] != DM_CHANNEL:
            guild = self._guild_of(channel)
            await self.echo("MESSAGE_CREATE", message, guild, GUILD_MESSAGES_INTENT)
        return message

    async def _edit_message(self, message: JSON, body: JSON) -> JSON:
        for key in ("content", "embeds", "components", "attachments"):
            if key in body:
                empty: Any = "" if key == "content" else []
                message[key] = empty if body[key] is None else body[key]
        if body.get("flags") is not None:
            message["flags"] = int(body["flags"]) | (message["flags"] & EPHEMERAL)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = iso_now()
        channel = self._channel(message["channel_id"])
        if channel is not None and not message["flags"] & EPHEMERAL:
            guild = self._guild_of(channel)
            await self.echo("MESSAGE_UPDATE", message, guild, GUILD_MESSAGES_INTENT)
        return message

    async def _create_message_route(self, request: web.Request) -> web.Response:
        rec = request[REC_KEY]
        channel = self._channel(request.match_info["cid"])
        if channel is None:
            return error_response(404, 10003, "Unknown Channel")
        body: JSON = rec.json or {}
        error = validate_message_body(body, has_files=bool(rec.files))
        if error is not None:
            return json_response(400, error)
        if channel["type"] == DM_CHANNEL and channel["recipients"][0]["id"] in self.dm_blocked:
            return error_response(403, 50007, "Cannot send messages to this user")
        nonce = body.get("nonce")
        key = (channel["id"], str(nonce))
        if nonce is not None and body.get("enforce_nonce") and key in self._nonces:
            message_id, created = self._nonces[key]
            if self._seconds() - created < self.nonce_window and message_id in self.messages:
                return json_response(200, self.messages[message_id])
        message = await self._create_message(channel, body, rec.files)
        if nonce is not None:
            self._nonces[key] = (message["id"], self._seconds())
        hang = next((p for p in self._hang if p.fullmatch(rec.path)), None)
        if hang is not None:  # accepted, but the sender never hears back (it died mid-call)
            self._hang.remove(hang)
            await self._hung.wait()
        return json_response(200, message)

    def _seconds(self) -> float:
        return self.clock.now().timestamp() if self.clock is not None else time.monotonic()

    def accept_then_hang(self, path_regex: str) -> None:
        """Store the next message created on a matching path, then never answer the request:
        what a bot killed right after Discord accepted its post leaves behind."""
        self._hang.append(re.compile(path_regex))

    async def _list_messages(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages: newest first, ``limit`` (1-100) and ``before``; like
        Discord, a fetched message carries no nonce (only the create response does)."""
        channel_id = request.match_info["cid"]
        if self._channel(channel_id) is None:
            return error_response(404, 10003, "Unknown Channel")
        query = request.query
        limit = min(max(int(query.get("limit", "50")), 1), MAX_PAGE)
        found = [m for m in self.channel_messages(channel_id) if not m["flags"] & EPHEMERAL]
        if "before" in query:
            found = [m for m in found if int(m["id"]) < int(query["before"])]
        found.sort(key=lambda m: int(m["id"]), reverse=True)
        return json_response(200, [{k: v for k, v in m.items() if k != "nonce"} for m in found[:limit]])

    async def _channel_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(request.match_info["mid"])
        if message is None or message["channel_id"] != request.match_info["cid"]:
            return error_response(404, 10008, "Unknown Message")
        return await self._message_op(request, message)

    async def _message_op(self, request: web.Request, message: JSON) -> web.Response:
        rec = request[REC_KEY]
        if request.method == "GET":
            return json_response(200, message)
        if message["author"]["id"] != self.bot_user["id"]:
            return error_response(403, 50005, "Cannot edit a message authored by another user")
        if request.method == "PATCH":
            body: JSON = rec.json or {}
            error = validate_message_body({**message, **body}, has_files=bool(rec.files))
            if error is not None:
                return json_response(400, error)
            return json_response(200, await self._edit_message(message, body))
        if request.method == "DELETE":
            del self.messages[message["id"]]
            channel = self._channel(message["channel_id"])
            if channel is not None:
                data = {"id": message["id"], "channel_id": message["channel_id"]}
                await self.echo("MESSAGE_DELETE", data, self._guild_of(channel),
                                GUILD_MESSAGES_INTENT)  # fmt: skip
            return web.Response(status=204)
        return await self.unhandled_route(request)

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request.match_info["cid"])
        if channel is None:
            return error_response(404, 10003, "Unknown Channel")
        return json_response(200, channel)

    async def _create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel(request.match_info["cid"])
        if parent is None or parent["type"] not in (0, 5):
            return error_response(404, 10003, "Unknown Channel")
        body: JSON = request[REC_KEY].json or {}
        message_id = request.match_info.get("mid")
        if message_id is not None:
            message = self.messages.get(message_id)
            if message is None or message["channel_id"] != parent["id"]:
                return error_response(404, 10008, "Unknown Message")
            if message_id in self.threads:
                text = "A thread has already been created for this message"
                return error_response(400, 160004, text)
        thread = thread_payload(  # a thread started from a message shares the message's id
            message_id or self.ids.next(),
            parent,
            self.bot_user["id"],
            body.get("name", "thread"),
            thread_type=11 if message_id else int(body.get("type") or 12),
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        self.threads[thread["id"]] = thread
        if message_id is not None:
            self.messages[message_id]["thread"] = thread
        created = {**thread, "newly_created": True}
        await self.echo("THREAD_CREATE", created, self._guild_of(parent), GUILDS_INTENT)
        return json_response(201, thread)

    # ------------------------------------------------------------------ interactions (REST)

    def _interaction_by_token(self, token: str) -> _Interaction | None:
        return next((i for i in self.interactions.values() if i.payload["token"] == token), None)

    def _interaction_extra(self, payload: JSON) -> JSON:
        return {
            "webhook_id": self.app_id, "application_id": self.app_id,
            "type": 20 if payload["type"] == 2 else 0,
            "interaction_metadata": {
                "id": payload["id"], "type": payload["type"], "user": payload["member"]["user"],
                "authorizing_integration_owners": {"0": payload["guild_id"]},
            },
        }  # fmt: skip

    async def _callback(self, request: web.Request) -> web.Response:
        rec = request[REC_KEY]
        state = self.interactions.get(request.match_info["iid"])
        expired = state is not None and self.interaction_deadline is not None and (
            time.monotonic() - state.dispatched_at > self.interaction_deadline)  # fmt: skip
        if state is None or state.payload["token"] != request.match_info["token"] or expired:
            return error_response(404, 10062, "Unknown interaction")
        if state.responded:
            return error_response(400, 40060, "Interaction has already been acknowledged.")
        body: JSON = rec.json or {}
        rtype, data = int(body.get("type", 0)), dict(body.get("data") or {})
        if rtype == RESPONSE_MESSAGE and (error := validate_message_body(data)):
            return json_response(400, error)
        payload = state.payload
        channel = self._channel(payload["channel_id"]) or payload["channel"]
        message: JSON | None = None
        if rtype in (RESPONSE_MESSAGE, RESPONSE_DEFERRED_MESSAGE):
            if rtype == RESPONSE_DEFERRED_MESSAGE:
                data = {"content": "", "flags": int(data.get("flags") or 0) | LOADING}
            extra = self._interaction_extra(payload)
            message = await self._create_message(channel, data, rec.files, **extra)
            state.original_id = message["id"]
        elif rtype in (RESPONSE_DEFERRED_UPDATE, RESPONSE_UPDATE_MESSAGE) and "message" in payload:
            stored = self.messages.setdefault(payload["message"]["id"], payload["message"])
            if rtype == RESPONSE_UPDATE_MESSAGE:
                message = await self._edit_message(stored, data)
            state.original_id = stored["id"]
        state.responded = True
        flags = message["flags"] if message else 0
        result: JSON = {
            "interaction": {"id": payload["id"], "type": payload["type"],
                            "activity_instance_id": None,
                            "response_message_id": state.original_id,
                            "response_message_loading": bool(flags & LOADING),
                            "response_message_ephemeral": bool(flags & EPHEMERAL)},
            "resource": {"type": rtype, **({"message": message} if message else {})},
        }  # fmt: skip
        if rec.query.get("with_response") in ("1", "true", "True"):
            return json_response(200, result)
        return web.Response(status=204)

    async def _followup(self, request: web.Request) -> web.Response:
        rec = request[REC_KEY]
        state = self._interaction_by_token(request.match_info["token"])
        if state is None or not state.responded:
            return error_response(404, 10015, "Unknown Webhook")
        body: JSON = rec.json or {}
        error = validate_message_body(body, has_files=bool(rec.files))
        if error is not None:
            return json_response(400, error)
        channel = self._channel(state.payload["channel_id"]) or state.payload["channel"]
        extra = {**self._interaction_extra(state.payload), "type": 0}
        message = await self._create_message(channel, body, rec.files, **extra)
        if rec.query.get("wait") in ("1", "true", "True"):
            return json_response(200, message)
        return web.Response(status=204)

    async def _webhook_message(self, request: web.Request) -> web.Response:
        state = self._interaction_by_token(request.match_info["token"])
        if state is None:
            return error_response(404, 10015, "Unknown Webhook")
        mid = request.match_info["mid"]
        if mid == "@original":
            mid = state.original_id or ""
        message = self.messages.get(mid)
        if message is None:
            return error_response(404, 10008, "Unknown Message")
        return await self._message_op(request, message)

    # ------------------------------------------------------------------ interaction payloads

    async def dispatch_interaction(self, payload: JSON) -> None:
        """Register ``payload`` (for callbacks/follow-ups) and send it as INTERACTION_CREATE."""
        self.interactions[payload["id"]] = _Interaction(payload, time.monotonic())
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=payload.get("guild_id"))

    def _interaction(
        self, itype: int, data: JSON, *, user: str, guild: FakeGuild | None,
        channel_id: str | None, permissions: int | None, message: JSON | None = None,
        locale: str = "en-US",
    ) -> JSON:  # fmt: skip
        guild = guild or self.guild
        channel = self._channel(channel_id or guild.text_channel_id)
        if channel is None:
            raise KeyError(f"unknown channel {channel_id}")
        return interaction_payload(
            interaction_id=self.ids.next(),
            token=f"itoken-{uuid.uuid4().hex}",
            interaction_type=itype,
            data=data,
            app_id=self.app_id,
            guild=guild,
            channel=channel,
            member_key=user,
            permissions=permissions,
            message=message,
            locale=locale,
        )

    def slash_command(
        self, command: str, options: Mapping[str, Any] | Sequence[JSON] | None = None, *,
        user: str = "member", guild: FakeGuild | None = None, channel_id: str | None = None,
        permissions: int | None = None, command_guild_id: str | None = None,
        resolved: JSON | None = None, locale: str = "en-US",
    ) -> JSON:  # fmt: skip
        """Type-2 payload, e.g. ``slash_command("daily set", {"time": "09:00"}, user="admin")``."""
        commands = self.guild_commands.get(command_guild_id or "", self.global_commands)
        name = command.split()[0]
        command_id = next((c["id"] for c in commands if c["name"] == name), self.ids.next())
        data = slash_command_data(command, options, command_id,
                                  command_guild_id=command_guild_id, resolved=resolved)  # fmt: skip
        return self._interaction(2, data, user=user, guild=guild, channel_id=channel_id,
                                 permissions=permissions, locale=locale)  # fmt: skip

    def component_click(
        self, custom_id: str, *, message: JSON | None = None, component_type: int = 2,
        values: Sequence[str] | None = None, user: str = "member", guild: FakeGuild | None = None,
        channel_id: str | None = None, permissions: int | None = None,
    ) -> JSON:  # fmt: skip
        """Type-3 payload; without ``message`` a bot message holding the component is stored."""
        guild = guild or self.guild
        channel_id = channel_id or (message["channel_id"] if message else guild.text_channel_id)
        if message is None:
            row = button_row(custom_id, component_type=component_type)
            message = self.add_message(channel_id, {"components": [row]})
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if component_type != 2:
            data["values"] = list(values or [])
        return self._interaction(3, data, user=user, guild=guild, channel_id=channel_id,
                                 permissions=permissions, message=message)  # fmt: skip

    def modal_submit(
        self, custom_id: str, values: Mapping[str, str], *, labels: bool = False,
        user: str = "member", guild: FakeGuild | None = None, channel_id: str | None = None,
        permissions: int | None = None, message: JSON | None = None,
    ) -> JSON:  # fmt: skip
        """Type-5 payload submitting text inputs ``{custom_id: value}``."""
        data = {"custom_id": custom_id, "components": modal_components(values, labels=labels)}
        return self._interaction(5, data, user=user, guild=guild, channel_id=channel_id,
                                 permissions=permissions, message=message)  # fmt: skip
