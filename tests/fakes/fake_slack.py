"""A fake Slack Web API on 127.0.0.1 for driving stock slack_sdk / slack-bolt clients.

Usage::

    async with FakeSlack() as fake:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
        await client.chat_postMessage(channel="C1", text="hi")
        call = await fake.wait_for_call("chat.postMessage")
        assert fake.violations == []
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from .slack_files import SlackFiles
from .slack_limits import check_message, check_view
from .slack_workspace import FakeUser, SlackWorkspace

__all__ = ["Call", "FakeSlack", "FakeUser"]

JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "files")
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")
_TRIGGER_RE = re.compile(r"^(\d+\.\d{3})\.[0-9a-f]+$")


@dataclass
class Call:
    """One recorded request. ``time`` is ``time.monotonic()`` at arrival."""

    method: str  # Web API method, or "response_url" for POST /hooks/{id}
    http_method: str
    headers: dict[str, str]
    args: dict[str, Any]  # query + JSON/form body; JSON-encoded form fields decoded
    raw_body: bytes
    time: float
    hook_id: str | None = None


@dataclass
class _Fault:
    kind: Literal["status", "hang", "close"]  # close/hang after accept = "die after accept"
    remaining: int
    status: int = 429
    retry_after: int | None = None


class FakeSlack(SlackWorkspace, SlackFiles):
    """Fake slack.com: Web API at ``/api/{method}``, response_urls at ``/hooks/{id}``."""

    def __init__(self, *, reject_invalid: bool = False, **workspace: str) -> None:
        super().__init__(**workspace)
        self.reject_invalid = reject_invalid  # also answer invalid_blocks, like Slack
        self.recorded: list[Call] = []
        self.connections: set[object] = set()  # client (host, port) of each Web API connection
        self.post_limits: tuple[int, int] | None = None  # see limit_posts
        self.rate_limited = 0  # 429s sent for chat.postMessage over post_limits
        self._posted: deque[float] = deque()  # accepted chat.postMessage times, newest last
        self._posted_in: dict[str, deque[float]] = {}
        self.violations: list[str] = []
        self.responses: dict[str, dict[str, Any]] = {}  # canned bodies by method
        self.hook_channels: dict[str, str | None] = {}
        self.private_files: dict[str, bytes] = {}  # what members uploaded, by file id
        self.died = asyncio.Event()  # set when a die-after-accept call arrived
        self.died_calls: list[Call] = []
        self._faults: dict[str, list[_Fault]] = {}  # before the method runs
        self._deaths: dict[str, list[_Fault]] = {}  # after the method ran
        self._release = asyncio.Event()
        self._used_triggers: set[str] = set()
        self._runner: web.AppRunner | None = None
        self.init_files()

    # ---------------------------------------------------------------- lifecycle
    async def start(self) -> str:
        """Serve on 127.0.0.1:<random port>; returns the base URL (no trailing slash)."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/hooks/{hook_id}", self._handle_hook)
        self.add_file_routes(app)
        app.router.add_get("/files-pri/{file_id}/{name}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Release hung requests and shut the server down."""
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """Base URL for ``AsyncWebClient(base_url=...)`` (ends with ``/``)."""
        return f"{self.url}/api/"

    def new_response_url(self, channel: str | None = None) -> str:
        """A fresh ``response_url``; in_channel responses land in ``channel``'s history."""
        hook_id = f"H{next(self._ids):05d}"
        self.hook_channels[hook_id] = channel
        return f"{self.url}/hooks/{hook_id}"

    def add_file(self, name: str, content: bytes) -> dict[str, Any]:
        """A file as a member uploaded it: the object a ``file_input`` submission carries. Its
        ``url_private_download`` serves the bytes only with a bot token, like files.slack.com."""
        file_id = f"F{next(self._ids):05d}"
        self.private_files[file_id] = content
        return {
            "id": file_id,
            "name": name,
            "mimetype": "application/octet-stream",
            "size": len(content),
            "url_private": f"{self.url}/files-pri/{file_id}/{name}",
            "url_private_download": f"{self.url}/files-pri/{file_id}/{name}?download=1",
        }

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        call = await self._record(request, "file download")
        if not call.headers.get("Authorization", "").startswith("Bearer xox"):
            return web.Response(status=302, headers={"Location": f"{self.url}/signin"})
        content = self.private_files.get(request.match_info["file_id"])
        return web.Response(status=404) if content is None else web.Response(body=content)

    # ---------------------------------------------------------------- configuration
    def set_response(self, method: str, body: dict[str, Any]) -> None:
        """Always answer ``method`` with ``body``, e.g. ``{"ok": False, "error": "..."}``."""
        self.responses[method] = body

    def fail_next(
        self, method: str, count: int = 1, *, status: int = 429, retry_after: int | None = 1
    ) -> None:
        """Answer the next ``count`` calls with ``status`` (429 adds ``Retry-After``)."""
        self._faults.setdefault(method, []).append(
            _Fault("status", count, status, retry_after if status == 429 else None)
        )

    def limit_posts(self, per_channel_second: int = 2, per_workspace_minute: int = 300) -> None:
        """Answer ``chat.postMessage`` with 429 (``Retry-After: 1``) beyond ``per_channel_second``
        posts in a channel in any second (Slack's one a second with short bursts) or
        ``per_workspace_minute`` posts in any minute (Slack's several hundred a minute)."""
        self.post_limits = (per_channel_second, per_workspace_minute)

    def _over_post_limits(self, channel: str) -> bool:
        if self.post_limits is None:
            return False
        per_channel, per_workspace = self.post_limits
        now = time.monotonic()
        mine = self._posted_in.setdefault(channel, deque())
        for times, window in ((self._posted, 60.0), (mine, 1.0)):
            while times and now - times[0] >= window:
                times.popleft()
        if len(mine) >= per_channel or len(self._posted) >= per_workspace:
            self.rate_limited += 1
            return True
        mine.append(now)
        self._posted.append(now)
        return False

    def hang_next(self, method: str, count: int = 1) -> None:
        """Never answer the next ``count`` calls (until ``release_hangs()`` or ``stop()``)."""
        self._faults.setdefault(method, []).append(_Fault("hang", count))

    def die_after_accept(
        self, method: str, *, mode: Literal["close", "hang"] = "close", count: int = 1
    ) -> asyncio.Event:
        """Process the next ``count`` calls (message stored) but then drop the connection
        (``close``) or never answer (``hang``). Returns ``self.died``, set on arrival."""
        self._deaths.setdefault(method, []).append(_Fault(mode, count))
        return self.died

    @property
    def die_after_accept_armed(self) -> bool:
        """True while some die-after-accept is still pending."""
        return any(self._deaths.values())

    def release_hangs(self) -> None:
        """Let hung requests finish (their clients have usually timed out by then)."""
        self._release.set()
        self._release = asyncio.Event()

    # ---------------------------------------------------------------- inspection
    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally only for ``method``."""
        return [c for c in self.recorded if method is None or c.method == method]

    async def wait_for_call(
        self, method: str, predicate: Callable[[Call], bool] | None = None, timeout: float = 3.0
    ) -> Call:
        """Poll until a call to ``method`` matching ``predicate`` was recorded; return it."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls(method):
                if predicate is None or predicate(call):
                    return call
            if time.monotonic() >= deadline:
                seen = [c.method for c in self.recorded]
                raise AssertionError(f"no matching {method} call within {timeout}s; saw {seen}")
            await asyncio.sleep(0.01)

    # ---------------------------------------------------------------- HTTP plumbing
    async def _record(self, request: web.Request, method: str, hook_id: str | None = None) -> Call:
        raw = await request.read()
        args: dict[str, Any] = dict(request.query)
        ctype = request.content_type
        if raw and ctype == "application/json":
            parsed = json.loads(raw)
            args.update(parsed if isinstance(parsed, dict) else {"_json": parsed})
        elif raw and ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key in JSON_FIELDS:
            if isinstance(args.get(key), str) and args[key][:1] in "[{":
                args[key] = json.loads(args[key])
        call = Call(method, request.method, dict(request.headers), args, raw, time.monotonic(), hook_id)
        self.recorded.append(call)
        return call

    @staticmethod
    def _take(table: dict[str, list[_Fault]], method: str) -> _Fault | None:
        """Consume one use of the first armed fault for ``method``."""
        queue = table.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.pop(0)
        return fault

    def _validate(self, call: Call) -> list[str]:
        m = call.method
        if m in MESSAGE_METHODS or m == "response_url":
            found = check_message(m, call.args)
        elif m.startswith("views."):
            found = check_view(m, call.args.get("view"))
        else:
            found = []
        trigger = call.args.get("trigger_id")
        if m in ("views.open", "views.push") and isinstance(trigger, str):
            if trigger in self._used_triggers:
                found.append(f"{m} trigger_id: used twice ({trigger})")
            self._used_triggers.add(trigger)
            match = _TRIGGER_RE.match(trigger)
            if match and time.time() - float(match.group(1)) > 3.0:
                found.append(f"{m} trigger_id: used more than 3 s after the interaction")
        self.violations.extend(found)
        return found

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.transport is not None:
            self.connections.add(request.transport.get_extra_info("peername"))
        call = await self._record(request, method)
        fault = self._take(self._faults, method)
        if fault is not None and fault.kind == "hang":
            await self._release.wait()  # the client times out meanwhile
            return web.json_response({"ok": False, "error": "fake_hang_released"}, status=503)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            error = "ratelimited" if fault.status == 429 else "fatal_error"
            return web.json_response({"ok": False, "error": error}, status=fault.status, headers=headers)
        if method == "chat.postMessage" and self._over_post_limits(str(call.args.get("channel"))):
            body = {"ok": False, "error": "ratelimited"}
            return web.json_response(body, status=429, headers={"Retry-After": "1"})
        token = call.args.get("token") or call.headers.get("Authorization", "")
        if not token.removeprefix("Bearer ").startswith(("xox", "xapp-")):  # xapp: apps.connections.open
            return web.json_response({"ok": False, "error": "not_authed"})
        found = self._validate(call)
        if found and self.reject_invalid:
            error = "expired_trigger_id" if "trigger_id" in found[0] else "invalid_blocks"
            return web.json_response({"ok": False, "error": error, "errors": found})
        if method in self.responses:
            body = self.responses[method]
        else:
            handler = self.handlers.get(method)
            body = handler(call.args) if handler else {"ok": True}
        death = self._take(self._deaths, method) if body.get("ok") else None
        if death is not None:
            self.died_calls.append(call)
            self.died.set()
            if death.kind == "close" and request.transport is not None:
                request.transport.abort()  # the client sees ServerDisconnectedError
            else:
                await self._release.wait()
            return web.Response(status=503)
        return web.json_response(body)

    async def _handle_hook(self, request: web.Request) -> web.StreamResponse:
        hook_id = request.match_info["hook_id"]
        call = await self._record(request, "response_url", hook_id)
        if hook_id not in self.hook_channels:
            return web.Response(status=404, text="no_service")
        if len(self.calls_for_hook(hook_id)) > 5:
            self.violations.append(f"response_url {hook_id}: used more than 5 times")
        self._validate(call)
        channel = self.hook_channels[hook_id]
        if channel and call.args.get("response_type") == "in_channel":
            extra = {k: call.args[k] for k in ("blocks", "attachments") if k in call.args}
            self.add_message(
                channel, call.args.get("text", ""), bot_id=self.bot_id, user=self.bot_user_id, **extra
            )
        return web.Response(text="ok")

    def calls_for_hook(self, hook_id: str) -> list[Call]:
        """Recorded POSTs to one response_url."""
        return [c for c in self.calls("response_url") if c.hook_id == hook_id]
