"""Slack's side of the burst benchmark: signed requests, sending them on a schedule, the server
processes (the bot, and a bare Bolt app as the baseline) and their logs.

Requests are signed as Slack signs them (``X-Slack-Signature`` over ``v0:<timestamp>:<body>``,
``X-Slack-Request-Timestamp``). A request's latency runs from handing it to aiohttp to reading
the HTTP response back: what Slack waits for (the ack, at most 3 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.common import ROOT
from tests.fakes.slack_payloads import SlackRequest, sign
from tests.support import secrets

SECRET = secrets.SLACK_SIGNING_SECRET
EVENTS_PATH = "/slack/events"
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 30.0
BARE_BOLT_ARGV = (
    sys.executable,
    "-c",
    "from bench.slack_traffic import serve_bare_bolt; serve_bare_bolt()",
)


@dataclass(frozen=True)
class Signed:
    """One request ready to go: the exact body and its signed headers."""

    body: bytes
    headers: dict[str, str]
    hook_id: str = ""


@dataclass(frozen=True)
class Sent:
    """One request as the client saw it: when it went out (``time.perf_counter``), how long
    until the response (ms; -1 when it failed), and the response body."""

    at: float
    ms: float
    body: bytes = b""
    failure: str = ""  # HTTP status or exception name when it failed


def signed(request: SlackRequest, hook_id: str = "") -> Signed:
    """Sign ``request`` now (the timestamp stays valid for 5 minutes)."""
    body = request.body
    return Signed(body.encode(), {"Content-Type": request.content_type, **sign(body, SECRET)}, hook_id)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def client_session() -> aiohttp.ClientSession:
    """The load generator's session: no connection limit (Slack's servers are many)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


async def send(session: aiohttp.ClientSession, url: str, request: Signed) -> Sent:
    """POST one signed request; a timeout or connection error counts as failed (-1 ms)."""
    sent = time.perf_counter()
    try:
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with session.post(url, data=request.body, headers=request.headers, timeout=timeout) as res:
            body = await res.read()
            ok = res.status == 200
    except (TimeoutError, aiohttp.ClientError) as exc:
        return Sent(sent, -1.0, failure=type(exc).__name__)
    if not ok:
        return Sent(sent, -1.0, body, failure=f"HTTP {res.status}")
    return Sent(sent, (time.perf_counter() - sent) * 1000, body)


async def fire(url: str, requests: list[Signed], span: float) -> list[Sent]:
    """POST ``requests`` to ``url`` at evenly spaced moments over ``span`` seconds, concurrently."""
    loop = asyncio.get_running_loop()
    step = span / len(requests)

    async def one(session: aiohttp.ClientSession, start: float, i: int, req: Signed) -> Sent:
        await asyncio.sleep(start + i * step - loop.time())
        return await send(session, url, req)

    async with client_session() as session:
        start = loop.time() + 0.05
        return list(await asyncio.gather(*(one(session, start, i, r) for i, r in enumerate(requests))))


@dataclass(frozen=True)
class Server:
    """A server process of this benchmark and its log file."""

    proc: asyncio.subprocess.Process
    log: Path

    async def wait_healthy(self, port: int) -> None:
        """Poll ``/healthz`` until the process answers on ``port``."""
        deadline = time.monotonic() + START_TIMEOUT
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.tail()}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as res:
                        if res.status == 200:
                            return
                await asyncio.sleep(0.05)
        raise RuntimeError(f"server did not start:\n{self.tail()}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the process used so far; NaN where ``/proc`` is missing."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self) -> str:
        """The end of the log (for error messages)."""
        return self.log.read_text()[-3000:]

    def errors(self) -> list[str]:
        """The last ERROR lines of the log."""
        return [line for line in self.tail().splitlines() if " ERROR " in line][-5:]


@contextlib.asynccontextmanager
async def spawn(argv: list[str], env: dict[str, str], cwd: Path, name: str) -> AsyncIterator[Server]:
    """Run ``argv`` until the block ends (SIGTERM, then SIGKILL); its output goes to a log file."""
    log = cwd / f"{name}.log"
    with log.open("w") as out:
        proc = await asyncio.create_subprocess_exec(*argv, env=env, cwd=cwd, stdout=out, stderr=out)
    try:
        yield Server(proc, log)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def child_env(**extra: str) -> dict[str, str]:
    """This environment minus any Slack or dailyq settings, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DAILYQ_")) and k not in ("PORT", "DATABASE_URL")
    }
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


def serve_bare_bolt() -> None:
    """The baseline process: a Bolt ``AsyncApp`` built like the bot's (HTTP mode, signature
    checked, ``process_before_response``) whose listeners only ack; ``BURST_PORT``,
    ``BURST_SECRET``, ``BURST_API_URL`` (the fake Slack, for Bolt's one ``auth.test``)."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    token = secrets.SLACK_BOT_TOKEN
    app = AsyncApp(
        client=AsyncWebClient(token=token, base_url=os.environ["BURST_API_URL"]),
        signing_secret=os.environ["BURST_SECRET"],
        process_before_response=True,
    )

    async def just_ack(ack: AsyncAck) -> None:
        await ack()

    app.action(re.compile(".*"))(just_ack)
    app.view(re.compile(".*"))(just_ack)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    application = app.web_app(path=EVENTS_PATH)
    application.router.add_get("/healthz", health)
    web.run_app(application, host="127.0.0.1", port=int(os.environ["BURST_PORT"]), print=None)
