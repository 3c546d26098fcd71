"""Hostile input, fuzzed with hypothesis, end to end through the real chat libraries on loopback.

Slack: signed requests to the real Bolt app (HTTP mode) with slash commands, button clicks, modal
submissions and Events API envelopes drawn by hypothesis. Every request gets a 2xx or 4xx (never a
5xx), nothing logs an ERROR (Bolt's error handler, the adapter's follow-up work and the core all
log there), the fake Slack sees no Block Kit violation, and nothing the bot sends back (messages,
ephemerals, response_url bodies, modals, acks) holds a live mention: a user-supplied
``<!channel>``, ``<!here>``, ``<!everyone>``, ``<@U...>`` or ``<!subteam^...>`` only ever appears
escaped (``&lt;!channel&gt;``). Discord's ``@everyone`` is plain text on Slack.

Discord: interaction payloads drawn by hypothesis, dispatched through the fake gateway to the real
discord.py bot that ``adapters.discord_adapter.main.build`` builds: slash commands with
unexpected, extra, missing and wrongly typed options, clicks on random custom ids (``dailyq:``
prefixes with garbage included), and modal submits with odd components. No handler error is
collected (command tree, buttons and forms all report to the responder), nothing logs an ERROR,
every interaction that reaches our code gets a response, and every message the bot sends carries
``allowed_mentions: {"parse": []}`` and its user text only in embeds (where mentions never notify).

The harnesses are async; hypothesis drives plain functions. Each test runs its harness on an event
loop in a background thread (started once per test function) and submits one coroutine per example.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from discord import app_commands
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from adapters.discord_adapter.actions import TEMPLATE
from adapters.discord_adapter.forms import decode_form
from bot.bank.model import Bank
from bot.cards import ActionKind
from bot.store.tables import rounds
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SlackBot, running_slack_bot, slack_bank
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.slack_payloads import (
    CHANNEL_ID,
    TEAM_ID,
    USER_ID,
    BoltReply,
    SlackRequest,
    block_actions,
    event_callback,
    slash_command,
    view_submission,
)
from tests.support.clock import FakeClock
from tests.support.discord_harness import DiscordHarness, assert_message_limits, running_bot

T = TypeVar("T")

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # no shrinking: each example is a round trip through a real client (shrinking one failure
    # took over five minutes); the failing example is printed as it was drawn
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
# loggers whose ERROR records mean "our code, or a library on our behalf, hit an internal error"
WATCHED = ("adapters", "bot", "slack_bolt", "dailyq", "discord", "aiohttp", "asyncio")
QUIZ_CHANNEL = "C0QUIZ"


# -- plumbing -------------------------------------------------------------------------------------


class LoopThread:
    """An event loop running in a background thread; ``run`` waits for one coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzz-loop", daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run ``coro`` on the loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


class ErrorRecords(logging.Handler):
    """Collects ERROR records of the watched loggers, from any thread."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record if it comes from a watched logger."""
        if record.name.split(".")[0].split(":")[0] in WATCHED and not _library_noise(record):
            self.records.append(record)

    def take(self) -> list[str]:
        """The collected messages (with exception type), cleared."""
        found = [
            f"{r.name}: {r.getMessage()}" + (f" [{r.exc_info[1]!r}]" if r.exc_info else "")
            for r in self.records
        ]
        self.records.clear()
        return found


def _library_noise(record: logging.LogRecord) -> bool:
    """Two ERROR lines discord.py causes on its own, whatever our code does.

    - An autocomplete naming an option our commands do not have: the library drops it (no handler
      of ours runs, nothing reaches the core) and logs it, as for a client with an outdated command
      list. An error of our own autocomplete code has another exception type and still fails.
    - asyncio's "Task was destroyed but it is pending" for ``BaseView.__timeout_task_impl``: for a
      click on a dynamic item discord.py builds a throw-away View (``timeout=None``) whose
      timeout task, not yet started, is collected with it when the garbage collector runs then."""
    exc = record.exc_info[1] if record.exc_info else None
    if record.name.startswith("discord.") and isinstance(exc, app_commands.CommandSignatureMismatch):
        return True
    message = record.getMessage()
    return (
        record.name == "asyncio"
        and "Task was destroyed but it is pending" in message
        and "BaseView.__timeout_task_impl" in message
    )


@contextlib.contextmanager
def error_records() -> Iterator[ErrorRecords]:
    """Collect ERROR records of the watched loggers while inside."""
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@contextlib.contextmanager
def harness_in_thread(manager: contextlib.AbstractAsyncContextManager[T]) -> Iterator[tuple[LoopThread, T]]:
    """Enter an async harness on a background loop; exit it (and its checks) at the end."""
    runner = LoopThread()
    try:
        entered = runner.run(manager.__aenter__())
        try:
            yield runner, entered
        except BaseException as exc:
            runner.run(manager.__aexit__(type(exc), exc, exc.__traceback__))
            raise
        else:
            runner.run(manager.__aexit__(None, None, None))
    finally:
        runner.close()


# -- hostile text ---------------------------------------------------------------------------------

MENTIONS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0ADMIN>",
    "<@U123|bob>",
    "<!subteam^S0TEAM>",
    "<!channel|channel>",
    "@everyone",
    "@here",
    "<@&123>",
    "<@123456789012345678>",
    "<#C0CHAN>",
]
ODD = [
    "",
    " ",
    "&",
    "&lt;",
    "<",
    ">",
    "&amp;lt;!channel&amp;gt;",
    "*bold*",
    "`x`",
    "\x00",
    "\u202e",
    "🙂",
    "\n",
]
WORDS = [
    "answer",
    "stats",
    "leaderboard",
    "lb",
    "question",
    "today",
    "topics",
    "help",
    "show",
    "try",
    "rate",
    "good",
    "daily",
    "status",
    "set",
    "now",
    "pause",
    "resume",
    "skip",
    "reveal",
    "off",
    "09:30",
    "UTC",
    "Europe/Berlin",
    "mode",
    "quiz",
    "topics",
    "4h",
    "week",
    "server",
    "A",
]
TOKEN = st.one_of(
    st.sampled_from(MENTIONS), st.sampled_from(ODD), st.sampled_from(WORDS), st.text(max_size=12)
)
PHRASE = st.lists(TOKEN, max_size=10).map(" ".join)
HUGE = st.sampled_from([*MENTIONS, "x", "é", "\u200b"]).flatmap(
    lambda token: st.integers(1000, 6000).map(lambda n: (token + " ") * (n // (len(token) + 1)))
)
TEXT = st.one_of(PHRASE, st.text(max_size=200), HUGE)
PREFIXES = [
    "answer",
    "stats",
    "leaderboard",
    "today",
    "question",
    "try",
    "rate",
    "show",
    "forget-me",
    "help",
    "daily",
    "daily status",
    "daily now",
    "daily pause",
    "daily set",
    "daily set 09:30",
    "daily set 09:30 UTC topics",
    "daily set 10:00 UTC mode",
]
COMMAND_LINE = st.one_of(TEXT, st.tuples(st.sampled_from(PREFIXES), TEXT).map(" ".join))
NAME = st.one_of(st.sampled_from([*MENTIONS, *ODD]), PHRASE, st.text(max_size=40), HUGE)

LIVE_SLACK = re.compile(r"<(?:!(?:channel|here|everyone|subteam)|@)", re.IGNORECASE)


def live_slack_mentions(text: str) -> list[str]:
    """Spans of ``text`` that Slack would render as a mention."""
    return [text[m.start() : m.start() + 30] for m in LIVE_SLACK.finditer(text)]


# -- Slack ----------------------------------------------------------------------------------------


class SlackFuzz:
    """The running Slack adapter plus what the fuzz needs to know about its state."""

    def __init__(self, runner: LoopThread, bot: SlackBot, errors: ErrorRecords) -> None:
        self.runner = runner
        self.bot = bot
        self.errors = errors
        self.rounds: list[int] = []

    def post_blocks(self, channel: str) -> list[dict[str, Any]] | None:
        """The blocks of the daily post in ``channel`` (what Slack sends back on a click)."""
        posts = self.bot.posts(channel)
        return posts[-1].get("blocks") if posts else None

    def home_view(self) -> dict[str, Any]:
        """The ``view`` of a click on the App Home tab."""
        return {"id": "V0HOME", "type": "home", "hash": "h0"}

    def modal_view(self) -> dict[str, Any]:
        """The ``view`` of a click inside an open modal (one the fake knows)."""
        made = self.bot.fake.handlers["views.open"](
            {
                "trigger_id": "t",
                "view": {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []},
            }
        )
        return {"id": made["view"]["id"], "type": "modal"}

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the bot's loop."""
        return self.runner.run(coro)

    def send(self, request: SlackRequest) -> BoltReply:
        """Send one signed request, wait for the follow-up work, check everything it caused."""
        seen = len(self.bot.fake.recorded)
        reply = self.call(self._send(request))
        assert 200 <= reply.status < 500, (reply.status, reply.text[:300])
        errors = self.errors.take()
        assert errors == [], errors
        assert self.bot.fake.violations == [], self.bot.fake.violations
        acked = "\n".join(shown_texts(reply.json())) if reply.text.startswith("{") else reply.text
        assert live_slack_mentions(acked) == [], reply.text[:500]
        for call in self.bot.fake.recorded[seen:]:
            shown = outbound_slack_text(call.method, call.args)
            assert live_slack_mentions(shown) == [], (call.method, shown[:500])
        return reply

    async def _send(self, request: SlackRequest) -> BoltReply:
        reply = await self.bot.send(request)
        await self.bot.settle()
        return reply


def shown_texts(node: Any) -> Iterator[str]:
    """Every string Slack displays in a message or view: the ``text`` of text objects and messages.

    Ids, button values and ``private_metadata`` are never rendered, so they are not looked at."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from shown_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from shown_texts(item)


def outbound_slack_text(method: str, args: dict[str, Any]) -> str:
    """Everything a user could see of one recorded Web API / response_url call."""
    if method in ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"):
        return "\n".join(shown_texts({k: args.get(k) for k in ("text", "blocks", "attachments")}))
    if method.startswith("views."):
        return "\n".join(shown_texts(args.get("view")))
    return ""


@contextlib.contextmanager
def slack_fuzz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank) -> Iterator[SlackFuzz]:
    """The Slack adapter with an open-mode round in #C0CHAN and a quiz round in #C0QUIZ."""
    with error_records() as errors:
        harness = running_slack_bot(monkeypatch, tmp_path, slack_bank(bank), FakeClock())
        with harness_in_thread(harness) as (runner, bot):
            fuzz = SlackFuzz(runner, bot, errors)
            for channel, mode in ((CHANNEL_ID, "open"), (QUIZ_CHANNEL, "quiz")):
                for text in (f"daily set 09:30 UTC mode {mode}", "daily now"):
                    runner.run(bot.command(text, user=ADMIN_ID, name=ADMIN_NAME, channel=channel))
            fuzz.rounds = runner.run(_round_ids(bot))
            assert len(fuzz.rounds) == 2 and errors.take() == []
            yield fuzz


async def _round_ids(bot: SlackBot) -> list[int]:
    async with bot.core.engine.connect() as conn:
        return list((await conn.execute(select(rounds.c.id).order_by(rounds.c.id))).scalars())


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank) -> Iterator[SlackFuzz]:
    """A Slack adapter for one fuzz test."""
    with slack_fuzz(monkeypatch, tmp_path, bank) as fuzz:
        yield fuzz


MISSING = object()
ODD_ID = st.one_of(
    st.just(MISSING),
    st.sampled_from(
        ["", " ", "U0USER", "U0OTHER", ADMIN_ID, "T0OTHER", "C0OTHER", "<!channel>", "\x00", "é" * 300]
    ),
    st.text(max_size=30),
)


def _set_or_drop(payload: dict[str, Any], key: str, value: object) -> None:
    if value is MISSING:
        payload.pop(key, None)
    else:
        payload[key] = value


SLASH_KEYS = [
    "team_id",
    "channel_id",
    "user_id",
    "user_name",
    "text",
    "response_url",
    "trigger_id",
    "command",
]


@st.composite
def slash_requests(draw: st.DrawFn, hook: str) -> SlackRequest:
    """``/question <anything>`` with odd or missing identity fields."""
    request = slash_command(draw(COMMAND_LINE), response_url=hook)
    payload = request.payload
    payload["user_id"] = draw(st.sampled_from([USER_ID, ADMIN_ID]))
    for key in ("user_name", "team_id", "channel_id", "user_id"):
        if draw(st.integers(0, 2)) == 0:
            _set_or_drop(payload, key, draw(NAME if key == "user_name" else ODD_ID))
    for key in draw(st.lists(st.sampled_from(SLASH_KEYS), max_size=3, unique=True)):
        payload.pop(key, None)
    return request


@FUZZ
@given(data=st.data())
def test_slack_slash_commands_with_any_text_and_odd_identities(slack: SlackFuzz, data: st.DataObject) -> None:
    request = data.draw(slash_requests(slack.bot.fake.new_response_url(CHANNEL_ID)))
    slack.send(request)


KINDS = [kind.value for kind in ActionKind] + ["form", "nope", "", "ANSWER", "choose:"]
NUMBERS = ["0", "1", "-1", "3", "4", "99", "x", "", "²", "١", "99999999999999999999", "9" * 400, "1.5", " 1"]


def action_values(round_ids: list[int]) -> st.SearchStrategy[str]:
    """Button values: well-formed ones naming real rounds, and garbage of every shape."""
    rounds_ = st.sampled_from([str(r) for r in round_ids] + NUMBERS)
    return st.one_of(
        rounds_,
        st.tuples(rounds_, st.sampled_from(NUMBERS)).map(":".join),
        st.tuples(rounds_, st.sampled_from(NUMBERS), st.sampled_from(["U0ADMIN", "U0OTHER", "T0OTHER"])).map(
            ":".join
        ),
        st.tuples(
            st.sampled_from(["bagging", "quiz-1", "", "<!channel>", "nope"]),
            st.sampled_from(["good", "again", "meh", ""]),
        ).map(":".join),
        TEXT,
        st.integers().map(str),
    )


@st.composite
def action_ids(draw: st.DrawFn, values: st.SearchStrategy[str]) -> str:
    """``dailyq:<kind>:<value>`` with real and bogus kinds, ``#<n>`` ids, and random ids."""
    return draw(
        st.one_of(
            st.tuples(st.sampled_from(KINDS), values).map(lambda kv: f"dailyq:{kv[0]}:{kv[1]}"),
            st.sampled_from(KINDS).map(lambda k: f"dailyq:{k}"),
            st.tuples(st.sampled_from(KINDS), st.integers(-3, 30)).map(lambda kv: f"dailyq:{kv[0]}:#{kv[1]}"),
            st.text(max_size=40).map(lambda t: f"dailyq:{t}"),
            st.text(max_size=40),
        )
    )


ACTION_KEYS = ["user", "team", "channel", "container", "actions", "response_url", "trigger_id", "message"]


@st.composite
def click_requests(draw: st.DrawFn, fuzz: SlackFuzz) -> SlackRequest:
    """A ``block_actions`` payload: odd ids and values, odd users, random top-level keys dropped."""
    values = action_values(fuzz.rounds)
    channel = draw(st.sampled_from([CHANNEL_ID, QUIZ_CHANNEL, "C0OTHER", "", "<!channel>"]))
    request = block_actions(
        draw(action_ids(values)),
        "",
        user_id=draw(st.sampled_from([USER_ID, "U0OTHER", ADMIN_ID, "", "<@U0ADMIN>"])),
        user_name=draw(NAME),
        team_id=draw(st.sampled_from([TEAM_ID, TEAM_ID, "T0OTHER", ""])),
        channel_id=channel,
        response_url=fuzz.bot.fake.new_response_url(channel),
        message_blocks=fuzz.post_blocks(channel) if draw(st.booleans()) else None,
    )
    payload = request.payload
    action = payload["actions"][0]
    value = draw(st.one_of(st.just(MISSING), st.none(), values))
    _set_or_drop(action, "value", value)
    if draw(st.integers(0, 4)) == 0:
        payload["view"] = draw(st.sampled_from([fuzz.home_view(), fuzz.modal_view()]))
    if draw(st.booleans()):
        payload["container"]["is_ephemeral"] = True
    for key in draw(st.lists(st.sampled_from(ACTION_KEYS), max_size=3, unique=True)):
        payload.pop(key, None)
    return request


@FUZZ
@given(data=st.data())
def test_slack_button_clicks_with_crafted_ids_values_and_missing_keys(
    slack: SlackFuzz, data: st.DataObject
) -> None:
    slack.send(data.draw(click_requests(slack)))


CALLBACKS = ["dailyq:answer", "dailyq:try", "dailyq:card", "dailyq:", "other", ""]
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def metadata_strategy(fuzz: SlackFuzz) -> st.SearchStrategy[str]:
    """``private_metadata``: ours with odd field values, other JSON, and not JSON at all."""
    ids: st.SearchStrategy[Any] = st.one_of(
        st.sampled_from(fuzz.rounds),
        st.integers(),
        st.sampled_from([0, -1, 2**63, 2**70, True, 1.5, "1", None, [], {}]),
        JSONISH,
    )
    channels: st.SearchStrategy[Any] = st.one_of(
        st.sampled_from([CHANNEL_ID, QUIZ_CHANNEL, "C0OTHER", "", "<!channel>", 5, None]), JSONISH
    )
    ours = st.fixed_dictionaries(
        {},
        optional={
            "round": ids,
            "channel": channels,
            "question": st.one_of(st.sampled_from(["quiz-1", "nope"]), JSONISH),
        },
    )
    return st.one_of(
        ours.map(json.dumps),
        JSONISH.map(json.dumps),
        st.text(max_size=60),
        st.just("{" * 50),
    )


@st.composite
def state_values(draw: st.DrawFn) -> Any:
    """``view.state.values``: the answer input with any text, or odd shapes."""
    text = draw(st.one_of(TEXT, st.none(), st.integers(), JSONISH))
    return draw(
        st.sampled_from(
            [
                {"answer": {"text": {"type": "plain_text_input", "value": text}}},
                {"answer": {"other": {"type": "plain_text_input", "value": text}}},
                {"other": {"text": {"value": text}}},
                {"answer": {"text": None}},
                {"answer": None},
                {},
            ]
        )
    )


@st.composite
def submission_requests(draw: st.DrawFn, fuzz: SlackFuzz) -> SlackRequest:
    """A ``view_submission`` with odd callback ids, private_metadata and state."""
    request = view_submission(
        draw(st.sampled_from(CALLBACKS)),
        draw(state_values()),
        private_metadata=draw(metadata_strategy(fuzz)),
        team_id=draw(st.sampled_from([TEAM_ID, TEAM_ID, "T0OTHER", ""])),
        user_id=draw(st.sampled_from([USER_ID, "U0OTHER", ADMIN_ID, ""])),
        user_name=draw(NAME),
    )
    view = request.payload["view"]
    if draw(st.integers(0, 5)) == 0:
        view["state"] = draw(st.sampled_from([{}, {"values": None}, {"values": []}]))
    if draw(st.integers(0, 5)) == 0:
        view.pop("private_metadata")
    for key in draw(st.lists(st.sampled_from(["user", "team", "trigger_id", "response_urls"]), max_size=2)):
        request.payload.pop(key, None)
    return request


@FUZZ
@given(data=st.data())
def test_slack_modal_submissions_with_odd_metadata_and_state(slack: SlackFuzz, data: st.DataObject) -> None:
    slack.send(data.draw(submission_requests(slack)))


EVENT_TYPES = [
    "app_home_opened",
    "message",
    "app_mention",
    "member_joined_channel",
    "app_uninstalled",
    "",
    "x",
]


@st.composite
def event_requests(draw: st.DrawFn) -> SlackRequest:
    """Events API envelopes around odd events (some repeated, to exercise de-duplication)."""
    event: dict[str, Any] = {"type": draw(st.sampled_from(EVENT_TYPES))}
    extras = st.fixed_dictionaries(
        {},
        optional={
            "user": st.sampled_from([USER_ID, ADMIN_ID, "", "<@U0ADMIN>", "U0OTHER"]),
            "channel": st.sampled_from(["D0HOME", CHANNEL_ID, ""]),
            "tab": st.sampled_from(["home", "messages", "", "about"]),
            "text": TEXT,
            "event_ts": st.just("1700000000.000100"),
        },
    )
    event.update(draw(extras))
    event_id = draw(st.sampled_from([None, None, "Ev0DUP"]))
    return event_callback(event, team_id=draw(st.sampled_from([TEAM_ID, "T0OTHER", ""])), event_id=event_id)


@FUZZ
@given(request=event_requests())
def test_slack_events_with_odd_envelopes(slack: SlackFuzz, request: SlackRequest) -> None:
    slack.send(request)


# -- Discord --------------------------------------------------------------------------------------

COMMANDS = [
    "question",
    "answer",
    "leaderboard",
    "stats",
    "topics",
    "forget-me",
    "help",
    "daily set",
    "daily status",
    "daily pause",
    "daily resume",
    "daily now",
    "daily reveal",
    "daily skip",
    "daily off",
    "daily",
    "nope",
    "daily nope",
]
OPTION_NAMES = ["topic", "text", "window", "scope", "user", "time", "timezone", "reveal", "days", "mode"]
OPTION_NAMES += ["topics", "difficulty", "x", ""]
SNOWFLAKE = st.integers(10**16, 2**63 - 1).map(str)
# Values as Discord's protocol carries them for each option type (string, integer, boolean,
# user, channel, role, number, attachment), drawn for any option name: a value of the type the
# name was registered with, or of another type. (A role "id" that is not a number would be no
# Discord payload at all, nor would an option without a value: discord.py itself fails on
# those before any of our code runs.)
OPTION_VALUES: dict[int, st.SearchStrategy[Any]] = {
    3: st.one_of(
        TEXT,
        st.sampled_from(["09:30", "25:99", "UTC", "Mars/Olympus", "4h", "-1h", "quiz", "week", "A"]),
    ),
    4: st.integers(-(2**53), 2**53),
    5: st.booleans(),
    6: SNOWFLAKE,
    7: SNOWFLAKE,
    8: SNOWFLAKE,
    10: st.floats(-(2**53), 2**53, allow_nan=False),
    11: SNOWFLAKE,
}


@st.composite
def discord_options(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Options with expected, extra, repeated and wrongly typed names and values (some focused)."""
    options = []
    for name in draw(st.lists(st.sampled_from(OPTION_NAMES), max_size=4)):
        kind = draw(st.sampled_from(sorted(OPTION_VALUES)))
        option: dict[str, Any] = {"name": name, "type": kind, "value": draw(OPTION_VALUES[kind])}
        if draw(st.integers(0, 6)) == 0:
            option["focused"] = True
        options.append(option)
    return options


DISCORD_KINDS = [kind.value for kind in ActionKind] + ["form", "nope", ""]
CUSTOM_ID = st.one_of(
    st.tuples(st.sampled_from(DISCORD_KINDS), st.sampled_from(NUMBERS) | TEXT).map(
        lambda kv: f"dailyq:{kv[0]}:{kv[1]}"[:100]
    ),
    st.tuples(st.sampled_from(["answer", "try", "card", "nope", ""]), st.sampled_from(NUMBERS) | TEXT).map(
        lambda kv: f"dailyq:form:{kv[0]}:{kv[1]}"[:100]
    ),
    st.text(max_size=100),
)
USERS = ["member", "admin", "owner"]


class DiscordFuzz:
    """The running Discord bot and the checks every fuzzed interaction goes through."""

    def __init__(self, runner: LoopThread, harness: DiscordHarness, errors: ErrorRecords) -> None:
        self.runner = runner
        self.harness = harness
        self.errors = errors

    @property
    def fake(self) -> FakeDiscord:
        """The fake Discord."""
        return self.harness.fake

    def send(self, payload: dict[str, Any], *, expect_response: bool) -> None:
        """Dispatch one interaction and check what came of it."""
        seen = len(self.fake.requests)
        responded = self.runner.run(self._send(payload, expect_response))
        assert self.harness.errors == [], self.harness.errors
        errors = self.errors.take()
        assert errors == [], errors
        assert self.fake.unhandled == [], self.fake.unhandled
        if expect_response:
            assert responded, f"no response to {payload['data']}"
        for rec in self.fake.requests[seen:]:
            body = rec.json if isinstance(rec.json, dict) else {}
            if isinstance(body.get("data"), dict):  # an interaction callback wraps its message
                body = body["data"]
            if rec.method in ("POST", "PATCH") and ("content" in body or "embeds" in body):
                assert_message_limits(body)
                if body.get("content"):
                    assert body.get("allowed_mentions", {}).get("parse") == [], (rec.path, body)

    async def _send(self, payload: dict[str, Any], expect_response: bool) -> bool:
        await self.fake.dispatch_interaction(payload)
        try:
            await self.fake.wait_for_interaction_response(payload, timeout=3.0 if expect_response else 0.3)
        except (TimeoutError, AssertionError):
            return False
        await asyncio.sleep(0.05)  # follow-ups of a deferred response
        return True


@contextlib.contextmanager
def discord_fuzz(tmp_path: Path, bank: Bank) -> Iterator[DiscordFuzz]:
    """The real discord.py bot against the fake Discord, with an open round in #daily."""

    @contextlib.asynccontextmanager
    async def started() -> AsyncIterator[DiscordHarness]:
        async with FakeDiscord() as fake, running_bot(fake, tmp_path, bank=bank) as harness:
            yield harness

    with error_records() as errors, harness_in_thread(started()) as (runner, harness):
        runner.run(harness.slash("daily set", {"time": "09:30", "timezone": "UTC"}))
        runner.run(harness.slash("daily now"))
        assert errors.take() == [] and harness.errors == []
        yield DiscordFuzz(runner, harness, errors)


@pytest.fixture
def discord_bot(tmp_path: Path, bank: Bank) -> Iterator[DiscordFuzz]:
    """A Discord bot for one fuzz test."""
    with discord_fuzz(tmp_path, bank) as fuzz:
        yield fuzz


@FUZZ
@given(data=st.data())
def test_discord_slash_commands_with_unexpected_options(
    discord_bot: DiscordFuzz, data: st.DataObject
) -> None:
    fake = discord_bot.fake
    payload = fake.slash_command(
        data.draw(st.sampled_from(COMMANDS)),
        data.draw(discord_options()),
        user=data.draw(st.sampled_from(USERS)),
        channel_id=discord_bot.harness.channel_id,
    )
    autocomplete = data.draw(st.integers(0, 4)) == 0
    if autocomplete:
        payload["type"] = 4  # the same options as an autocomplete request
    # an autocomplete naming an option we do not have is dropped by discord.py, unanswered
    discord_bot.send(payload, expect_response=not autocomplete)


@FUZZ
@given(data=st.data())
def test_discord_clicks_and_form_submits_with_crafted_ids(
    discord_bot: DiscordFuzz, data: st.DataObject
) -> None:
    fake = discord_bot.fake
    custom_id = data.draw(CUSTOM_ID)
    user = data.draw(st.sampled_from(USERS))
    if data.draw(st.booleans()):
        payload = fake.component_click(custom_id, user=user)
        ours = TEMPLATE.fullmatch(custom_id) is not None
    else:
        values = data.draw(st.dictionaries(st.sampled_from(["answer", "text", "x", ""]), TEXT, max_size=2))
        payload = fake.modal_submit(custom_id, values, labels=data.draw(st.booleans()), user=user)
        ours = decode_form(custom_id) is not None
    discord_bot.send(payload, expect_response=ours)
