"""The fake Discord gateway: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from tests.fakes.discord_payloads import JSON, FakeGuild

GUILDS_INTENT = 1 << 0
GUILD_MESSAGES_INTENT = 1 << 9


@dataclass
class GatewayConnection:
    """One connected client websocket (``path`` is /gateway or /resume-gateway)."""

    ws: web.WebSocketResponse
    path: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    session_id: str = ""
    seq: int = 0
    shard: tuple[int, int] = (0, 1)
    intents: int = 0
    ready: bool = False


class GatewayServer:
    """Gateway websocket handler; FakeDiscord supplies the bot user, guilds and port."""

    app_id: str
    bot_user: JSON
    guilds: list[FakeGuild]
    port: int

    def __init__(self, heartbeat_interval_ms: int = 41_250, echo_events: bool = True) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.echo_events = echo_events
        self.connections: list[GatewayConnection] = []
        self.gateway_received: list[JSON] = []
        self._sessions: dict[str, int] = {}

    async def gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp websocket handler; sends text frames only (no zlib)."""
        ws = web.WebSocketResponse(compress=False, max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, request.path)
        self.connections.append(conn)
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms}
            await self._send(conn, {"op": 10, "d": hello, "s": None, "t": None})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    frame: JSON = json.loads(msg.data)
                    self.gateway_received.append(frame)
                    await self._on_frame(conn, frame)
        finally:
            self.connections.remove(conn)
        return ws

    async def close_gateway(self) -> None:
        """Close every client websocket (code 1001)."""
        for conn in list(self.connections):
            await conn.ws.close(code=1001)

    async def _send(self, conn: GatewayConnection, frame: JSON) -> None:
        async with conn.lock:
            if frame.get("op") == 0:
                conn.seq += 1
                frame["s"] = conn.seq
                self._sessions[conn.session_id] = conn.seq
            if not conn.ws.closed:
                await conn.ws.send_str(json.dumps(frame))

    async def _dispatch_to(self, conn: GatewayConnection, event: str, data: JSON) -> None:
        await self._send(conn, {"op": 0, "t": event, "s": None, "d": data})

    async def _on_frame(self, conn: GatewayConnection, frame: JSON) -> None:
        op, data = frame.get("op"), frame.get("d") or {}
        if op == 1:
            await self._send(conn, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data)
        elif op == 6:
            session_id = data.get("session_id")
            if session_id not in self._sessions:
                await self._send(conn, {"op": 9, "d": False, "s": None, "t": None})
                return
            conn.session_id, conn.seq, conn.ready = session_id, self._sessions[session_id], True
            await self._dispatch_to(conn, "RESUMED", {"_trace": ["fake-discord"]})
        elif op == 8:
            guild = next(g for g in self.guilds if g.id == str(data["guild_id"]))
            await self._dispatch_to(conn, "GUILD_MEMBERS_CHUNK", {
                "guild_id": guild.id, "members": list(guild.members.values()), "chunk_index": 0,
                "chunk_count": 1, "not_found": [], "presences": [], "nonce": data.get("nonce"),
            })  # fmt: skip

    async def _identify(self, conn: GatewayConnection, data: JSON) -> None:
        shard = data.get("shard") or [0, 1]
        conn.shard, conn.intents = (int(shard[0]), int(shard[1])), int(data.get("intents", 0))
        conn.session_id = uuid.uuid4().hex
        guilds = [g for g in self.guilds if (int(g.id) >> 22) % conn.shard[1] == conn.shard[0]]
        ready: JSON = {
            "v": 10, "user": self.bot_user, "session_id": conn.session_id, "session_type": "normal",
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume-gateway",
            "guilds": [{"id": g.id, "unavailable": True} for g in guilds],
            "application": {"id": self.app_id, "flags": 0}, "private_channels": [],
            "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "auth": {}, "user_settings": {},
            "_trace": ["fake-discord"],
        }  # fmt: skip
        if data.get("shard") is not None:  # AutoShardedClient requires it
            ready["shard"] = list(conn.shard)
        await self._dispatch_to(conn, "READY", ready)
        conn.ready = True
        for guild in guilds:
            await self._dispatch_to(conn, "GUILD_CREATE", guild.guild_create_payload())

    def _targets(self, guild_id: str | None) -> list[GatewayConnection]:
        return [
            c for c in self.connections
            if c.ready and (guild_id is None or (int(guild_id) >> 22) % c.shard[1] == c.shard[0])
        ]  # fmt: skip

    async def echo(self, event: str, data: JSON, guild: FakeGuild, intent: int) -> None:
        """Dispatch a REST side effect (MESSAGE_CREATE, ...) to connections with ``intent``."""
        if not self.echo_events:
            return
        payload = {**data, "guild_id": guild.id}
        author_id = (data.get("author") or {}).get("id")
        member = next((m for m in guild.members.values() if m["user"]["id"] == author_id), None)
        if member is not None:
            payload["member"] = {k: v for k, v in member.items() if k != "user"}
        for conn in self._targets(guild.id):
            if conn.intents & intent:
                await self._dispatch_to(conn, event, payload)

    async def dispatch(self, event: str, data: JSON, *, guild_id: str | None = None) -> None:
        """Send a DISPATCH to every ready connection (only the owning shard if ``guild_id``)."""
        targets = self._targets(guild_id)
        if not targets:
            raise RuntimeError("no identified gateway connection")
        for conn in targets:
            await self._dispatch_to(conn, event, data)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; discord.py reconnects to resume_gateway_url and RESUMEs."""
        for conn in list(self.connections):
            conn.ready = False
            await self._send(conn, {"op": 7, "d": None, "s": None, "t": None})
