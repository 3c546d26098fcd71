"""Answer bursts on Slack, through the real Bolt app over HTTP: the open-answer path as the headline,
quiz-button clicks as the second row.

The bot runs as production runs it: ``python -m adapters run slack`` in its own process (its own
interpreter and event loop, settings from the environment, HTTP mode on 127.0.0.1, a fresh SQLite
file in WAL mode, migrations applied at start, the real clock and timer), with the test mini bank.
Its Web API is the fake Slack (``tests.fakes.fake_slack``, answering ``expired_trigger_id`` for a
``views.open`` more than 3 s after its click, like Slack), served on loopback from this benchmark
process, which also plays Slack's side of the interactivity traffic (bench/slack_traffic.py: signing
and sending; bench/slack_rounds.py: the channels, clicks and stored answers). The
machine has two cores: the bot, the fake and the load generator share them.

**Open answer (headline).** The admin runs ``/question daily set <12 h from now> UTC`` and
``/question daily now`` in a fresh channel; the post's Answer button is read back from the fake.
1,000 members new to the bot (each known to the fake's ``users.info``) press Answer, one every
millisecond (1,000 in 1 s): a signed ``block_actions`` with a fresh trigger_id. The bot acks and
calls ``views.open``; as soon as that call reaches the fake, the member submits the modal (a signed
``view_submission`` carrying the opened view's ``private_metadata`` and an answer). The bot stores
the answer before it acks the submission. Figures: of the 2,000 requests (clicks and submits), how
many were answered after Slack's 3 s and the p50/p99 of all of them; click-to-``views.open`` p99;
how long storing took (first submission sent to last submission acked: every ack follows its
store); the answers in the bot's SQLite file afterwards, exactly one per member or ``RuntimeError``;
the CPU the bot process spent per member over the burst (from ``/proc``; the load generator and the
fake share the same two cores), beside the bare Bolt app's for the same two requests.

**Quiz clicks.** The same with ``mode quiz``: 1,000 new members each click one option once; the
bot acks at once, stores the pick and confirms through ``response_url``; the answers are counted
once all 1,000 confirmations reached the fake.

Baseline, in the same run, from the same client: a bare Bolt app (bench/slack_traffic.py
``serve_bare_bolt``: HTTP mode, signature checked, listeners that only ack) in its own process,
sent the same schedule just before the bot (for the open path each submit follows its click's
ack, as no modal opens). A first, unmeasured quiz burst of ``WARMUP`` clicks stands for a bot that
has been up for a while. Percentiles are over the pooled requests of all ``REPEATS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from adapters.slack_adapter.views import ANSWER_BLOCK, ANSWER_CALLBACK, ANSWER_INPUT
from bench.common import ROOT, Figure, percentile, scratch_dir, sqlite_url
from bench.slack_rounds import ADMIN_ID, SETTLE_TIMEOUT, Post, Workspace, check_stored
from bench.slack_traffic import (
    BARE_BOLT_ARGV,
    EVENTS_PATH,
    SECRET,
    Sent,
    Server,
    Signed,
    child_env,
    client_session,
    fire,
    free_port,
    send,
    signed,
    spawn,
)
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_payloads import new_trigger_id, view_submission
from tests.support import secrets

MEMBERS = 1_000
SPAN_SECONDS = 1.0
REPEATS = 1
WARMUP = 100
DEADLINE_MS = 3_000.0  # Slack's ack deadline and a trigger_id's life
GOAL_P99_MS = 500.0
OPEN_GOAL = "0 of 2,000 past 3 s, p99 < 500 ms, 1,000 answers stored once"
QUIZ_GOAL = "all acknowledged, p99 < 500 ms, every answer stored once"
QUIZ_BANK = ROOT / "tests" / "data" / "mini_bank.json"
BOT_ARGV = (sys.executable, "-m", "adapters", "run", "slack")  # what the Procfile runs


def submission(user: str, private_metadata: str) -> Signed:
    """A member's signed answer-modal submission."""
    values = {
        ANSWER_BLOCK: {ANSWER_INPUT: {"type": "plain_text_input", "value": f"bagging lowers variance {user}"}}
    }
    return signed(
        view_submission(
            ANSWER_CALLBACK,
            values,
            private_metadata=private_metadata,
            user_id=user,
            user_name=f"player-{user.lower()}",
        )
    )


@dataclass
class OpenRun:
    """One open-answer burst: every click and submission, and click-to-views.open times."""

    clicks: list[Sent] = field(default_factory=list)
    submits: list[Sent] = field(default_factory=list)
    opened_ms: list[float] = field(default_factory=list)

    @property
    def requests(self) -> list[Sent]:
        """Clicks and submissions together."""
        return self.clicks + self.submits


async def open_answers(slack: Workspace, post: Post, users: list[str], bare: str | None = None) -> OpenRun:
    """Members click Answer one a millisecond and submit once their modal opened.

    Against the bot each submission waits for its ``views.open`` to reach the fake; against the
    bare Bolt app (``bare``: its URL), which opens nothing, it follows the click's ack."""
    url = bare or slack.url
    loop = asyncio.get_running_loop()
    run = OpenRun()
    waiting: dict[str, tuple[str, float]] = {}  # trigger_id -> (member, click sent at)
    submits: list[asyncio.Task[Sent]] = []

    async with client_session() as session:

        async def click(at: float, user: str) -> None:
            await asyncio.sleep(at - loop.time())
            trigger = new_trigger_id()
            waiting[trigger] = (user, time.perf_counter())
            sent = await send(session, url, slack.answer_click(post, user, trigger))
            run.clicks.append(sent)
            if bare is not None and sent.ms >= 0:
                submits.append(asyncio.create_task(send(session, url, submission(user, "{}"))))

        async def watch() -> None:
            seen = len(slack.fake.recorded)
            while True:
                calls = slack.fake.recorded[seen:]
                seen += len(calls)
                for call in calls:
                    if call.method != "views.open" or call.args.get("trigger_id") not in waiting:
                        continue
                    user, clicked = waiting.pop(call.args["trigger_id"])
                    run.opened_ms.append((time.perf_counter() - clicked) * 1000)
                    if run.opened_ms[-1] > DEADLINE_MS:
                        continue  # Slack refuses the expired trigger_id: no modal to submit
                    meta = str(call.args["view"].get("private_metadata", ""))
                    submits.append(asyncio.create_task(send(session, url, submission(user, meta))))
                await asyncio.sleep(0.002)

        watcher = asyncio.create_task(watch())
        start = loop.time() + 0.05
        step = SPAN_SECONDS / len(users)
        await asyncio.gather(*(click(start + i * step, u) for i, u in enumerate(users)))
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while bare is None and waiting and time.monotonic() < deadline:  # modals still to open
            await asyncio.sleep(0.01)
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        run.submits = list(await asyncio.gather(*submits))
    return run


@dataclass
class Measured:
    """Every burst of one run."""

    open_bot: list[OpenRun] = field(default_factory=list)
    open_base: list[OpenRun] = field(default_factory=list)
    open_stored: list[int] = field(default_factory=list)
    store_seconds: list[float] = field(default_factory=list)  # first submit sent -> last submit acked
    quiz_bot: list[list[Sent]] = field(default_factory=list)
    quiz_base: list[list[Sent]] = field(default_factory=list)
    quiz_stored: list[int] = field(default_factory=list)
    confirmed_after: list[float] = field(default_factory=list)
    users_info: int = 0
    bot_cpu: list[float] = field(default_factory=list)  # the bot's CPU seconds per open burst
    base_cpu: list[float] = field(default_factory=list)  # the bare Bolt app's, same requests
    expired: int = 0  # views.open calls the fake refused: later than 3 s after the click


async def quiz_burst(
    slack: Workspace, bot: Server, db: Path, post: Post, users: list[str]
) -> tuple[list[Sent], int, float]:
    """One quiz burst at the bot, then the wait for its follow-ups and the database check."""
    requests = slack.quiz_clicks(post, users)
    since = len(slack.fake.recorded)
    sent = await fire(slack.url, requests, SPAN_SECONDS * len(users) / MEMBERS)
    confirmed, waited = await slack.settle(requests, since)
    try:
        return sent, check_stored(db, post.channel, users, f"{confirmed} confirmations"), waited
    except RuntimeError as exc:
        raise RuntimeError("\n".join([str(exc), "bot log:", *bot.errors()])) from None


async def measure(tmp: Path) -> Measured:
    """Start the fake, the bot and the bare Bolt app; alternate baseline and bot bursts."""
    db = tmp / "slack.db"
    bot_port, base_port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{base_port}{EVENTS_PATH}"
    result = Measured()
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
        base_env = child_env(BURST_PORT=str(base_port), BURST_SECRET=SECRET, BURST_API_URL=fake.api_url)
        bot = await stack.enter_async_context(spawn(list(BOT_ARGV), bot_env, tmp, "bot"))
        base = await stack.enter_async_context(spawn(list(BARE_BOLT_ARGV), base_env, tmp, "baseline"))
        await asyncio.gather(bot.wait_healthy(bot_port), base.wait_healthy(base_port))
        slack = Workspace(fake, f"http://127.0.0.1:{bot_port}{EVENTS_PATH}")

        warm = await slack.round("C0WARM", "quiz")
        await quiz_burst(slack, bot, db, warm, slack.members("UW", WARMUP))
        for n in range(REPEATS):
            post = await slack.round(f"C0OPEN{n}", "open")
            users = slack.members(f"UO{n}", MEMBERS)
            cpu_before = base.cpu_seconds()
            result.open_base.append(await open_answers(slack, post, users, bare=base_url))
            result.base_cpu.append(base.cpu_seconds() - cpu_before)
            info_before = len(fake.calls("users.info"))
            cpu_before = bot.cpu_seconds()
            run = await open_answers(slack, post, users)
            result.bot_cpu.append(bot.cpu_seconds() - cpu_before)
            result.users_info += len(fake.calls("users.info")) - info_before
            result.open_bot.append(run)
            acked = [s for s in run.submits if s.ms >= 0]
            if acked:
                result.store_seconds.append(
                    max(s.at + s.ms / 1000 for s in acked) - min(s.at for s in run.submits)
                )
            failures = Counter(s.failure for s in run.requests if s.failure)
            opened = sorted(run.opened_ms)
            detail = (
                f"{len(acked)} submissions acked, {len(opened)} modals opened "
                f"(median {opened[len(opened) // 2] if opened else 0:.0f} ms); failed: {dict(failures)}"
            )
            try:
                stored = check_stored(db, post.channel, users, detail, all_of_them=False)
                result.open_stored.append(stored)
            except RuntimeError as exc:
                raise RuntimeError("\n".join([str(exc), "bot log:", *bot.errors()])) from None

            quiz = await slack.round(f"C0QUIZ{n}", "quiz")
            users = slack.members(f"UQ{n}", MEMBERS)
            result.quiz_base.append(await fire(base_url, slack.quiz_clicks(quiz, users), SPAN_SECONDS))
            sent, stored, waited = await quiz_burst(slack, bot, db, quiz, users)
            result.quiz_bot.append(sent)
            result.quiz_stored.append(stored)
            result.confirmed_after.append(waited)
        result.expired = sum("trigger_id" in v for v in fake.violations)
        others = [v for v in fake.violations if "trigger_id" not in v]
        if others:
            raise RuntimeError(f"the fake Slack saw invalid calls: {others[:3]}")
    return result


def _ms(runs: list[list[Sent]]) -> list[float]:
    return [s.ms for run in runs for s in run if s.ms >= 0] or [float("inf")]


def run() -> list[Figure]:
    """The open-answer row (headline) and the quiz-click row."""
    with scratch_dir("burst") as tmp:
        m = asyncio.run(measure(tmp))
    requests = [run.requests for run in m.open_bot]
    total = sum(len(r) for r in requests)
    expected = 2 * MEMBERS * len(m.open_bot)
    late = sum(1 for r in requests for s in r if s.ms < 0 or s.ms > DEADLINE_MS) + (expected - total)
    bot = _ms(requests)
    base = _ms([run.requests for run in m.open_base])
    opened = [ms for run in m.open_bot for ms in run.opened_ms] or [float("inf")]
    submits = _ms([run.submits for run in m.open_bot])
    clicks = _ms([run.clicks for run in m.open_bot])
    late_clicks = sum(1 for run in m.open_bot for c in run.clicks if c.ms < 0 or c.ms > DEADLINE_MS)
    p99, base99 = percentile(bot, 0.99), percentile(base, 0.99)
    stored = sum(m.open_stored)
    members = MEMBERS * len(m.open_bot) or 1
    store_s = max(m.store_seconds) if m.store_seconds else float("inf")
    once = len(m.open_stored) == len(m.open_bot) and all(n == MEMBERS for n in m.open_stored)
    open_row = Figure(
        f"open-answer burst (Slack, HTTP): {MEMBERS:,} new members click Answer, then submit the modal",
        f"{late:,} of {expected:,} requests past 3 s, failed, or never sent (no modal to submit); "
        f"p50 {percentile(bot, 0.5):.0f} ms, p99 {p99:.0f} ms; click to views.open p99 "
        f"{percentile(opened, 0.99):.0f} ms ({m.expired} trigger_ids expired); submission ack "
        f"(stored first) p99 {percentile(submits, 0.99):.0f} ms, click ack p99 "
        f"{percentile(clicks, 0.99):.0f} ms "
        f"({late_clicks} clicks past 3 s); {stored:,} of "
        f"{MEMBERS * len(m.open_bot):,} answers stored, each once; storing took {store_s:.2f} s from "
        f"the first submission to the last ack ({stored / store_s:,.0f} answers/s); "
        f"users.info calls: {m.users_info}; bot CPU {1000 * sum(m.bot_cpu) / members:.2f} ms "
        "per member",
        f"bare Bolt app, ack only: p50 {percentile(base, 0.5):.1f} ms, p99 {base99:.1f} ms; CPU "
        f"{1000 * sum(m.base_cpu) / (MEMBERS * len(m.open_base) or 1):.2f} ms per member (its two requests)",
        f"{p99 / base99:.1f} (p99)",
        OPEN_GOAL,
        late == 0 and p99 < GOAL_P99_MS and once,
    )
    quiz, quiz_base = _ms(m.quiz_bot), _ms(m.quiz_base)
    acked = sum(1 for run in m.quiz_bot for s in run if s.ms >= 0)
    sent = MEMBERS * len(m.quiz_bot)
    q99, qbase99 = percentile(quiz, 0.99), percentile(quiz_base, 0.99)
    quiz_row = Figure(
        f"quiz clicks (Slack, HTTP): {MEMBERS:,} new members pick an option",
        f"{acked:,}/{sent:,} acked; p50 {percentile(quiz, 0.5):.0f} ms, p99 {q99:.0f} ms; "
        f"{sum(m.quiz_stored):,} answers stored, one per member; last confirmation "
        f"{max(m.confirmed_after, default=0):.1f} s after the burst",
        f"bare Bolt app, ack only: p50 {percentile(quiz_base, 0.5):.1f} ms, p99 {qbase99:.1f} ms",
        f"{q99 / qbase99:.1f} (p99)",
        QUIZ_GOAL,
        acked == sent and all(n == MEMBERS for n in m.quiz_stored) and q99 < GOAL_P99_MS,
    )
    return [open_row, quiz_row]
