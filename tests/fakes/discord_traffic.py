"""Request recording, fault injection and global rate limiting for the fake Discord REST API."""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.discord_payloads import JSON, discord_error

API_PREFIX = "/api/v10"
ERRORS: dict[int, tuple[int, str]] = {
    400: (50035, "Invalid Form Body"),
    401: (0, "401: Unauthorized"),
    403: (50013, "Missing Permissions"),
    404: (10003, "Unknown Channel"),
    500: (0, "500: Internal Server Error"),
}


@dataclass
class RecordedRequest:
    """One REST request: path is relative to /api/v10; ``status`` is 0 until answered."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    time: float
    files: list[str] = field(default_factory=list)
    file_data: dict[str, bytes] = field(default_factory=dict)  # attachment filename -> bytes
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0


REC_KEY = web.RequestKey("rec", RecordedRequest)


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    body: JSON
    retry_after: float
    is_global: bool


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    """JSON response with ``Content-Type: application/json`` exactly (no charset)."""
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=hdrs)


def error_response(status: int, code: int | None = None, message: str | None = None) -> web.Response:
    """A Discord error response; code/message default per status (403 -> 50013, 404 -> 10003)."""
    default_code, default_message = ERRORS.get(status, (0, f"{status}: Error"))
    return json_response(status, discord_error(code or default_code, message or default_message))


class TrafficRecorder:
    """Records every /api/v10 request and applies injected faults and the global rate limit.

    ``global_rate_limit`` requests per ``global_rate_window`` seconds (sliding window) are
    allowed; beyond that a global 429 is sent. Interaction endpoints are exempt, as on Discord.
    """

    def __init__(self, global_rate_limit: int | None = None, global_rate_window: float = 1.0):
        self.global_rate_limit = global_rate_limit
        self.global_rate_window = global_rate_window
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.rate_limited_count = 0
        self.global_rate_limited_count = 0
        self.invalid_request_count = 0
        self._faults: list[_Fault] = []
        self._window: deque[float] = deque()

    # ------------------------------------------------------------------ assertions

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Recorded requests whose method matches ("*" = any) and path fullmatches the regex."""
        pattern = re.compile(path_regex)
        return [
            r for r in self.requests
            if method in ("*", r.method) and pattern.fullmatch(r.path)
        ]  # fmt: skip

    async def wait_for_requests(
        self, method: str, path_regex: str, *, count: int = 1, timeout: float = 2.0,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> list[RecordedRequest]:  # fmt: skip
        """Poll until ``count`` answered requests match; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                r for r in self.requests_to(method, path_regex)
                if r.status and (predicate is None or predicate(r))
            ]  # fmt: skip
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                seen = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[-10:]]
                raise AssertionError(f"{count}x {method} {path_regex} not seen in {timeout}s; "
                                     f"got {len(found)}; last requests: {seen}")  # fmt: skip
            await asyncio.sleep(0.005)

    async def wait_for_request(
        self, method: str, path_regex: str, *, timeout: float = 2.0,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> RecordedRequest:  # fmt: skip
        """Poll until one answered request matches and return the first such request."""
        found = await self.wait_for_requests(method, path_regex, timeout=timeout, predicate=predicate)
        return found[0]

    async def wait_for_interaction_response(self, interaction: JSON, timeout: float = 2.0) -> JSON:
        """Wait for the callback of ``interaction`` and return its JSON body."""
        path = rf"/interactions/{interaction['id']}/{re.escape(interaction['token'])}/callback"
        request = await self.wait_for_request("POST", path, timeout=timeout)
        body: JSON = request.json
        return body

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self, method: str, path_regex: str, status: int, *, times: int = 1,
        body: JSON | None = None, retry_after: float = 0.2, is_global: bool = False,
    ) -> None:  # fmt: skip
        """Answer the next ``times`` matching requests with ``status`` instead of handling them."""
        if body is None:
            body = discord_error(*ERRORS.get(status, (0, f"{status}: Error")))
        fault = _Fault(method, re.compile(path_regex), status, times, body, retry_after, is_global)
        self._faults.append(fault)

    def rate_limit_next(
        self, method: str, path_regex: str, *, retry_after: float = 0.2, times: int = 1,
        is_global: bool = False,
    ) -> None:  # fmt: skip
        """Answer the next matching requests with a 429 that discord.py honours and retries."""
        self.fail_next(method, path_regex, 429, times=times, retry_after=retry_after,
                       is_global=is_global)  # fmt: skip

    def error_next(
        self, method: str, path_regex: str, status: int, *, code: int | None = None,
        message: str | None = None, times: int = 1,
    ) -> None:  # fmt: skip
        """Answer with a Discord error, e.g. 403 -> 50013 Missing Permissions, 404 -> 10003."""
        default_code, default_message = ERRORS.get(status, (0, f"{status}: Error"))
        body = discord_error(code or default_code, message or default_message)
        self.fail_next(method, path_regex, status, times=times, body=body)

    def _rate_limited(self, retry_after: float, *, is_global: bool, bucket: str) -> web.Response:
        self.rate_limited_count += 1
        # discord.py treats a 429 without a Via header as a Cloudflare ban and raises.
        headers = {"Retry-After": str(math.ceil(retry_after)), "Via": "1.1 google"}
        if is_global:
            self.global_rate_limited_count += 1
            headers.update({"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"})
        else:
            headers.update({
                "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": bucket, "X-RateLimit-Scope": "user",
            })  # fmt: skip
        body = {"message": "You are being rate limited.", "retry_after": retry_after,
                "global": is_global, "code": 0}  # fmt: skip
        return json_response(429, body, headers)

    def _fault_for(self, rec: RecordedRequest) -> web.Response | None:
        for fault in self._faults:
            if fault.method in ("*", rec.method) and fault.pattern.fullmatch(rec.path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                if fault.status == 429:
                    bucket = f"fake-{abs(hash(fault.pattern.pattern)):x}"
                    return self._rate_limited(fault.retry_after, is_global=fault.is_global,
                                              bucket=bucket)  # fmt: skip
                return json_response(fault.status, fault.body)
        return None

    def _global_limit(self, rec: RecordedRequest) -> web.Response | None:
        if self.global_rate_limit is None or rec.path.startswith(("/interactions/", "/webhooks/")):
            return None
        now = time.monotonic()
        while self._window and now - self._window[0] >= self.global_rate_window:
            self._window.popleft()
        if len(self._window) >= self.global_rate_limit:
            wait = self.global_rate_window - (now - self._window[0])
            return self._rate_limited(round(max(0.001, wait), 3), is_global=True, bucket="global")
        self._window.append(now)
        return None

    # ------------------------------------------------------------------ middleware

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """aiohttp middleware: parse the body, record, then fault / rate limit / handle."""
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        body: Any = None
        files: list[str] = []
        file_data: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            for name, value in form.items():
                if name == "payload_json":
                    body = json.loads(str(value))
                elif isinstance(value, web.FileField):
                    files.append(value.filename)
                    file_data[value.filename] = value.file.read()
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        rec = RecordedRequest(request.method, request.path[len(API_PREFIX) :],
                              dict(request.query), body, time.monotonic(), files,
                              file_data, dict(request.headers))  # fmt: skip
        self.requests.append(rec)
        request[REC_KEY] = rec
        response = self._fault_for(rec) or self._global_limit(rec) or await handler(request)
        rec.status = response.status
        if response.status in (401, 403, 429):
            self.invalid_request_count += 1
        return response

    async def unhandled_route(self, request: web.Request) -> web.Response:
        """Catch-all: record in ``unhandled`` and answer 404."""
        self.unhandled.append(request[REC_KEY])
        return json_response(404, discord_error(0, "404: Not Found"))
