"""Answer burst on Slack: 1,000 signed quiz-button clicks within 1 s to the real Bolt app over HTTP.

The bot runs as production runs it: ``python -m adapters run slack`` in its own process (its own
interpreter and event loop, settings from the environment, HTTP mode on 127.0.0.1, a fresh SQLite
file in WAL mode, migrations applied at start, the real clock and timer), with the test mini bank,
whose questions all have quiz options. Its Web API is the fake Slack (``tests.fakes.fake_slack``),
served on loopback from this benchmark process, which also plays Slack's side of the interactivity
traffic. A separate process keeps the load generator and the fake off the bot's event loop (Slack's
servers are other machines too); the machine has only two cores, so they still share the CPU.

Each repeat uses a fresh channel: the admin runs ``/question daily set <12 h from now> UTC mode
quiz`` and ``/question daily now``, and the quiz post's four option buttons are read back from the
fake. Then 1,000 distinct users, new to the bot, each click one option once: a ``block_actions``
interaction, form-encoded ``payload=``, signed (``X-Slack-Signature`` over
``v0:<timestamp>:<body>``, ``X-Slack-Request-Timestamp``), each with its own ``response_url``.
Bodies and signatures are built beforehand; request ``i`` is sent at ``i`` ms after the start
(1,000 in 1 s), concurrently over one aiohttp ``ClientSession`` (fresh per burst, no connection
limit). A click's latency runs from handing the request to aiohttp to reading the HTTP 200 back:
the ack. The adapter stores the pick and answers through ``response_url`` after the ack; once all
1,000 confirmations reached the fake, the answers of that round are counted in the bot's SQLite
file: exactly 1,000 rows, one for each user of the burst, or ``RuntimeError``. A first, unmeasured
burst of ``WARMUP`` clicks in another channel stands for a bot that has been up for a while.

Baseline, in the same run with the same client and the same process separation: the same burst
(same bodies, same schedule) against a bare aiohttp endpoint in its own process that checks the
Slack signature with slack_sdk's ``SignatureVerifier`` and answers 200, sent just before the bot's.
The ratio is bot p99 over baseline p99. Percentiles are over the pooled latencies of all
``REPEATS`` bursts. One burst by default: the follow-ups of 1,000 clicks take the bot 10-15 s of
CPU to work off, and the counting waits for them, so three repeats take about a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bench.common import ROOT, Figure, percentile, scratch_dir, sqlite_url
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_payloads import TEAM_ID, SlackRequest, block_actions, sign, slash_command
from tests.support import secrets

CLICKS = 1_000
SPAN_SECONDS = 1.0
REPEATS = 1  # each repeat adds ~17 s (mostly waiting for the follow-ups); 3 gives a steadier p99
WARMUP = 100
GOAL_P99_MS = 500.0
GOAL = "all acknowledged, p99 < 500 ms, every answer stored once"
SECRET = secrets.SLACK_SIGNING_SECRET
ADMIN_ID = "U0ADMIN"
QUIZ_BANK = ROOT / "tests" / "data" / "mini_bank.json"
EVENTS_PATH = "/slack/events"
CHOOSE_PREFIX = "dailyq:choose:"
START_TIMEOUT = 30.0
SETTLE_TIMEOUT = 60.0
BASELINE_ARGV = (sys.executable, "-c", "from bench.burst import serve_baseline; serve_baseline()")
BOT_ARGV = (sys.executable, "-m", "adapters", "run", "slack")  # what the Procfile runs


@dataclass(frozen=True)
class Signed:
    """One request ready to go: the exact body and its signed headers."""

    body: bytes
    headers: dict[str, str]
    hook_id: str = ""


@dataclass(frozen=True)
class Burst:
    """What one burst measured on the client side."""

    acked: int
    latencies_ms: list[float]  # of the acknowledged requests
    send_spread: float  # seconds between the first and the last send


def signed(request: SlackRequest, hook_id: str = "") -> Signed:
    """Sign ``request`` now (the timestamp stays valid for 5 minutes)."""
    body = request.body
    return Signed(body.encode(), {"Content-Type": request.content_type, **sign(body, SECRET)}, hook_id)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def fire(url: str, requests: list[Signed], span: float = SPAN_SECONDS) -> Burst:
    """POST ``requests`` to ``url`` at evenly spaced moments over ``span`` seconds, concurrently."""
    loop = asyncio.get_running_loop()
    timeout = aiohttp.ClientTimeout(total=30)
    step = span / len(requests)
    connector = aiohttp.TCPConnector(limit=0)

    async def one(session: aiohttp.ClientSession, start: float, i: int, req: Signed) -> tuple[float, float]:
        await asyncio.sleep(start + i * step - loop.time())
        sent = time.perf_counter()
        try:
            async with session.post(url, data=req.body, headers=req.headers, timeout=timeout) as res:
                await res.read()
                ok = res.status == 200
        except (TimeoutError, aiohttp.ClientError):
            ok = False
        return sent, (time.perf_counter() - sent) * 1000 if ok else -1.0

    async with aiohttp.ClientSession(connector=connector) as session:
        start = loop.time() + 0.05
        results = await asyncio.gather(*(one(session, start, i, r) for i, r in enumerate(requests)))
    latencies = [ms for _sent, ms in results if ms >= 0]
    sends = [sent for sent, _ms in results]
    return Burst(len(latencies), latencies, max(sends) - min(sends))


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

    def tail(self) -> str:
        """The end of the log (for error messages)."""
        return self.log.read_text()[-3000:]


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


def serve_baseline() -> None:
    """The baseline process: verify the Slack signature, answer 200 (``BURST_PORT``, ``BURST_SECRET``)."""
    verifier = SignatureVerifier(os.environ["BURST_SECRET"])

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        ok = verifier.is_valid_request(body, request.headers)
        return web.Response(status=200 if ok else 401)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(EVENTS_PATH, events)
    app.router.add_get("/healthz", health)
    web.run_app(app, host="127.0.0.1", port=int(os.environ["BURST_PORT"]), print=None)


@dataclass(frozen=True)
class QuizPost:
    """A daily quiz post as the fake Slack holds it."""

    channel: str
    ts: str
    options: list[dict[str, Any]]  # the four option buttons (action_id, value, ...)


class Workspace:
    """The fake Slack side of the bot: channels set up as quiz rounds, clicks built for them."""

    def __init__(self, fake: FakeSlack, url: str) -> None:
        self.fake = fake
        self.url = url

    async def command(self, text: str, channel: str) -> None:
        """A signed ``/question`` from the admin in ``channel``."""
        request = slash_command(
            text, response_url=self.fake.new_response_url(channel), user_id=ADMIN_ID, channel_id=channel
        )
        burst = await fire(self.url, [signed(request)], span=0)
        if burst.acked != 1:
            raise RuntimeError(f"/question {text} was not acknowledged")

    async def quiz_round(self, channel: str) -> QuizPost:
        """Schedule ``channel`` in quiz mode and post today's round now; returns the post."""
        later = datetime.now(UTC) + timedelta(hours=12)
        await self.command(f"daily set {later:%H:%M} UTC mode quiz", channel)
        await self.command("daily now", channel)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for message in self.fake.messages(channel):
                options = [
                    e
                    for b in message.get("blocks", [])
                    if b.get("type") == "actions"
                    for e in b["elements"]
                    if str(e.get("action_id", "")).startswith(CHOOSE_PREFIX)
                ]
                if options:
                    return QuizPost(channel, str(message["ts"]), options)
            await asyncio.sleep(0.05)
        raise RuntimeError(f"no quiz post in {channel}; saw {[c.method for c in self.fake.recorded]}")

    def clicks(self, post: QuizPost, users: list[str]) -> list[Signed]:
        """One signed option click on ``post`` per user, each with its own response_url."""
        channel, options = post.channel, post.options
        requests = []
        for n, user in enumerate(users):
            self.fake.add_user(user, name=f"player-{user.lower()}")
            hook = self.fake.new_response_url(channel)
            choice = options[n % len(options)]
            request = block_actions(
                choice["action_id"],
                choice["value"],
                block_id="quiz",
                message_ts=post.ts,
                response_url=hook,
                channel_id=channel,
                user_id=user,
                user_name=f"player-{user.lower()}",
            )
            requests.append(signed(request, hook.rsplit("/", 1)[1]))
        return requests

    async def settle(self, requests: list[Signed], since: int) -> tuple[int, float]:
        """Wait until every click got its response_url follow-up (calls recorded from index
        ``since`` on): (how many did, seconds waited)."""
        waiting = {r.hook_id for r in requests}
        total, seen = len(waiting), since
        start = time.monotonic()
        while True:
            calls = self.fake.recorded[seen:]  # only what arrived since the last look
            seen += len(calls)
            waiting.difference_update(c.hook_id for c in calls if c.method == "response_url")
            if not waiting or time.monotonic() - start > SETTLE_TIMEOUT:
                return total - len(waiting), time.monotonic() - start
            await asyncio.sleep(0.1)


def stored_answers(db: Path, channel: str) -> list[str]:
    """User ids of every answer stored for ``channel``'s rounds, one entry per row."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT u.user_id FROM answers a JOIN users u ON u.id = a.user_pk "
            "JOIN rounds r ON r.id = a.round_id JOIN channels c ON c.id = r.channel_pk "
            "WHERE c.platform = 'slack' AND c.workspace_id = ? AND c.channel_id = ?",
            (TEAM_ID, channel),
        ).fetchall()
    finally:
        con.close()
    return [str(row[0]) for row in rows]


def check_stored(db: Path, channel: str, users: list[str], confirmed: int) -> int:
    """Exactly one stored answer per user of the burst, else ``RuntimeError``; returns the count."""
    stored = stored_answers(db, channel)
    if len(stored) != len(users) or set(stored) != set(users):
        raise RuntimeError(
            f"{channel}: {len(stored)} answer rows for {len(set(stored))} users "
            f"(expected {len(users)}, one each; {confirmed} confirmations)"
        )
    return len(stored)


@dataclass(frozen=True)
class Measured:
    """Every burst of one run."""

    bot: list[Burst]
    baseline: list[Burst]
    stored: list[int]
    confirmed_after: list[float]  # seconds from the end of a bot burst to its last confirmation


async def bot_burst(
    slack: Workspace, bot: Server, db: Path, post: QuizPost, requests: list[Signed], users: list[str]
) -> tuple[Burst, int, float]:
    """One burst at the bot, then the wait for its follow-ups and the database check."""
    span = SPAN_SECONDS * len(requests) / CLICKS  # the warm-up at the same rate
    since = len(slack.fake.recorded)
    burst = await fire(slack.url, requests, span)
    confirmed, waited = await slack.settle(requests, since)
    try:
        return burst, check_stored(db, post.channel, users, confirmed), waited
    except RuntimeError as exc:
        errors = [line for line in bot.tail().splitlines() if " ERROR " in line][-5:]
        raise RuntimeError("\n".join([str(exc), "bot log:", *errors])) from None


async def measure(tmp: Path) -> Measured:
    """Start the fake, the bot and the baseline endpoint; alternate the bursts."""
    db = tmp / "slack.db"
    bot_port, base_port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{base_port}{EVENTS_PATH}"
    result = Measured([], [], [], [])
    async with FakeSlack(reject_invalid=True) as fake, contextlib.AsyncExitStack() as stack:
        fake.add_user(ADMIN_ID, name="ada", is_admin=True)
        bot_env = child_env(
            SLACK_BOT_TOKEN=secrets.SLACK_BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.api_url,
            PORT=str(bot_port),
            DAILYQ_HTTP_HOST="127.0.0.1",
            DATABASE_URL=sqlite_url(db),
            DAILYQ_QUESTIONS=str(QUIZ_BANK),
        )
        base_env = child_env(BURST_PORT=str(base_port), BURST_SECRET=SECRET)
        bot = await stack.enter_async_context(spawn(list(BOT_ARGV), bot_env, tmp, "bot"))
        base = await stack.enter_async_context(spawn(list(BASELINE_ARGV), base_env, tmp, "baseline"))
        await asyncio.gather(bot.wait_healthy(bot_port), base.wait_healthy(base_port))
        slack = Workspace(fake, f"http://127.0.0.1:{bot_port}{EVENTS_PATH}")
        rounds = [await slack.quiz_round(f"C0BURST{n}") for n in range(REPEATS + 1)]  # 0: warm-up
        for n, post in enumerate(rounds):
            users = [f"UB{n}{i:04d}" for i in range(WARMUP if n == 0 else CLICKS)]
            requests = slack.clicks(post, users)
            baseline = await fire(base_url, requests, SPAN_SECONDS * len(users) / CLICKS)
            burst, stored, waited = await bot_burst(slack, bot, db, post, requests, users)
            if n > 0:
                result.baseline.append(baseline)
                result.bot.append(burst)
                result.stored.append(stored)
                result.confirmed_after.append(waited)
        if fake.violations:
            raise RuntimeError(f"the fake Slack saw invalid calls: {fake.violations[:3]}")
    return result


def run() -> list[Figure]:
    """The answer-burst row."""
    with scratch_dir("burst") as tmp:
        measured = asyncio.run(measure(tmp))
    bot = [ms for b in measured.bot for ms in b.latencies_ms] or [float("inf")]
    base = [ms for b in measured.baseline for ms in b.latencies_ms] or [float("inf")]
    p50, p99 = percentile(bot, 0.5), percentile(bot, 0.99)
    base50, base99 = percentile(base, 0.5), percentile(base, 0.99)
    acked = sum(b.acked for b in measured.bot)
    sent = CLICKS * len(measured.bot)
    spread = max(b.send_spread for b in measured.bot + measured.baseline)
    once = all(n == CLICKS for n in measured.stored)
    bursts = f"{len(measured.bot)} burst" + ("s pooled" if len(measured.bot) > 1 else "")
    return [
        Figure(
            "answer burst (Slack, HTTP)",
            f"{acked:,}/{sent:,} acked (each burst sent within {spread:.2f} s); ack p50 {p50:.0f} ms, "
            f"p99 {p99:.0f} ms ({bursts}); {sum(measured.stored):,} answers stored, one per user; "
            f"last confirmation {max(measured.confirmed_after):.1f} s after the burst",
            f"bare aiohttp endpoint + SignatureVerifier: p50 {base50:.1f} ms, p99 {base99:.1f} ms",
            f"{p99 / base99:.0f} (p99)",
            GOAL,
            acked == sent and once and p99 < GOAL_P99_MS,
        )
    ]
