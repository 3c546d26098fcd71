"""Smoke test: a stock slack-bolt AsyncApp talks to the fake Slack over real loopback HTTP."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_payloads import (
    CHANNEL_ID,
    USER_ID,
    BoltReply,
    SlackRequest,
    app_home_opened,
    block_actions,
    post_signed,
    slash_command,
    view_submission,
)

SECRET = "test-signing-secret"
MODAL = {
    "type": "modal",
    "callback_id": "answer_modal",
    "private_metadata": "round=1",
    "title": {"type": "plain_text", "text": "Answer"},
    "submit": {"type": "plain_text", "text": "Submit"},
    "blocks": [
        {
            "type": "input",
            "block_id": "answer",
            "label": {"type": "plain_text", "text": "Your answer"},
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True},
        }
    ],
}


@dataclass
class Bolt:
    """A served Bolt app plus what its handlers saw."""

    app: AsyncApp
    url: str
    seen: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)

    async def post(self, request: SlackRequest, **kwargs: Any) -> BoltReply:
        """Signed POST to the app's /slack/events."""
        return await post_signed(self.url, request, secret=SECRET, **kwargs)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    """A running fake Slack; SLACK_* env vars cleared so Bolt only sees our settings."""
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name)
    async with FakeSlack() as server:
        yield server
        assert server.violations == []


async def _drain_tasks() -> None:
    """Wait for Bolt's fire-and-forget listener tasks; fail if any are stuck."""
    me = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not me]
    if pending:
        _, still = await asyncio.wait(pending, timeout=3)
        assert not still, f"leaked tasks: {still}"


@pytest.fixture
async def make_bolt(
    fake: FakeSlack,
) -> AsyncIterator[Callable[..., Awaitable[Bolt]]]:
    """Factory: build and serve a stock AsyncApp (optionally with retry handlers)."""
    runners: list[web.AppRunner] = []

    async def build(retry_handlers: list[AsyncRetryHandler] | None = None) -> Bolt:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=retry_handlers)
        app = AsyncApp(client=client, signing_secret=SECRET)
        runner = web.AppRunner(app.web_app(path="/slack/events"), shutdown_timeout=1.0, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        bolt = Bolt(app, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events")
        _register(bolt)
        return bolt

    try:
        yield build
        fake.release_hangs()
        await _drain_tasks()
    finally:
        for runner in runners:
            await runner.cleanup()


def _register(bolt: Bolt) -> None:
    app, seen = bolt.app, bolt.seen

    def note(kind: str, value: Any) -> None:
        seen.setdefault(kind, []).append(value)

    @app.error
    async def on_error(error: BaseException) -> None:
        bolt.errors.append(error)

    @app.command("/question")
    async def question(ack: AsyncAck, command: dict[str, Any], say: AsyncSay, respond: AsyncRespond) -> None:
        await ack()
        note("command", command)
        await say(
            text=f"Question for <@{command['user_id']}>",
            metadata={"event_type": "dailyq_post", "event_payload": {"round_id": 1}},
        )
        await respond(text="posted", response_type="ephemeral")

    @app.action("answer")
    async def answer(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        note("action", body["actions"][0])
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("answer_modal")
    async def submitted(ack: AsyncAck, view: dict[str, Any]) -> None:
        await ack()
        note("view", (view["private_metadata"], view["state"]["values"]))

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        note("home", event["user"])
        await client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*dailyq*"}}],
            },
        )


async def test_signed_slash_command_posts_and_responds(
    fake: FakeSlack, make_bolt: Callable[..., Awaitable[Bolt]]
) -> None:
    bolt = await make_bolt()
    reply = await bolt.post(slash_command("today", response_url=fake.new_response_url(CHANNEL_ID)))
    assert reply.status == 200
    post = await fake.wait_for_call("chat.postMessage")
    assert post.args["channel"] == CHANNEL_ID
    assert post.headers["Authorization"] == "Bearer xoxb-test"
    hook = await fake.wait_for_call("response_url")
    assert hook.args == {"text": "posted", "response_type": "ephemeral"}
    assert [m["text"] for m in fake.messages(CHANNEL_ID)] == [f"Question for <@{USER_ID}>"]
    assert bolt.seen["command"][0]["text"] == "today"
    assert fake.calls("auth.test")  # Bolt authorizes lazily on the first request
    assert bolt.errors == []


@pytest.mark.parametrize(
    "breakage",
    [
        {"missing_signature": True},
        {"bad_signature": True},
        {"age_seconds": 360},
        {"missing_timestamp": True},
    ],
)
async def test_bad_signatures_are_rejected(
    fake: FakeSlack, make_bolt: Callable[..., Awaitable[Bolt]], breakage: dict[str, Any]
) -> None:
    bolt = await make_bolt()
    req = slash_command("x", response_url=fake.new_response_url(CHANNEL_ID))
    reply = await bolt.post(req, **breakage)
    assert reply.status == 401
    assert bolt.seen == {}
    assert fake.recorded == []


async def test_block_actions_open_modal_and_view_submission(
    fake: FakeSlack, make_bolt: Callable[..., Awaitable[Bolt]]
) -> None:
    bolt = await make_bolt()
    reply = await bolt.post(block_actions("answer", "round-1"))
    assert reply.status == 200
    opened = await fake.wait_for_call("views.open")
    assert opened.args["view"]["callback_id"] == "answer_modal"
    assert bolt.seen["action"][0]["value"] == "round-1"
    values = {"answer": {"text": {"type": "plain_text_input", "value": "O(n log n)"}}}
    reply = await bolt.post(view_submission("answer_modal", values, private_metadata="round=1"))
    assert (reply.status, reply.text) == (200, "")
    assert bolt.seen["view"] == [("round=1", values)]
    assert bolt.errors == []


async def test_app_home_opened_publishes_home(
    fake: FakeSlack, make_bolt: Callable[..., Awaitable[Bolt]]
) -> None:
    bolt = await make_bolt()
    assert (await bolt.post(app_home_opened("U0HOME"))).status == 200
    published = await fake.wait_for_call("views.publish")
    assert published.args["user_id"] == "U0HOME"
    assert fake.home_views["U0HOME"]["type"] == "home"


async def test_rate_limited_post_is_retried_once_stored(
    fake: FakeSlack, make_bolt: Callable[..., Awaitable[Bolt]]
) -> None:
    bolt = await make_bolt([AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    reply = await bolt.post(slash_command("x", response_url=fake.new_response_url(CHANNEL_ID)))
    assert reply.status == 200  # ack happened before the 429
    await fake.wait_for_call("chat.postMessage", lambda c: len(fake.messages(CHANNEL_ID)) == 1, timeout=5)
    first, second = fake.calls("chat.postMessage")
    assert second.time - first.time >= 1.0  # honoured Retry-After
    assert len(fake.messages(CHANNEL_ID)) == 1
    await fake.wait_for_call("response_url")
    assert bolt.errors == []


async def test_history_returns_metadata_only_when_asked(fake: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    meta = {"event_type": "dailyq_post", "event_payload": {"round_id": 1}}
    await client.chat_postMessage(channel=CHANNEL_ID, text="older")
    posted = await client.chat_postMessage(channel=CHANNEL_ID, text="q", metadata=meta)
    await client.chat_postMessage(channel=CHANNEL_ID, text="reply", thread_ts=posted["ts"])
    hist = await client.conversations_history(channel=CHANNEL_ID, include_all_metadata=True)
    assert [m["text"] for m in hist["messages"]] == ["q", "older"]
    assert hist["messages"][0]["metadata"] == meta
    plain = await client.conversations_history(channel=CHANNEL_ID, limit=1)
    assert "metadata" not in plain["messages"][0] and plain["has_more"] is True
    page2 = await client.conversations_history(
        channel=CHANNEL_ID, limit=1, cursor=plain["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in page2["messages"]] == ["older"]
    thread = await client.conversations_replies(channel=CHANNEL_ID, ts=posted["ts"])
    assert [m["text"] for m in thread["messages"]] == ["q", "reply"]


async def test_faults_and_limits(fake: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url, timeout=1)
    fake.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="a")
    assert err.value.response.status_code == 500
    fake.hang_next("users.info")
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await client.users_info(user="U1")
    assert time.monotonic() - started < 3
    fake.add_user("U2", is_admin=True, tz="Europe/Berlin")
    user = (await client.users_info(user="U2"))["user"]
    assert (user["is_admin"], user["tz"]) == (True, "Europe/Berlin")
    await client.chat_postMessage(
        channel="C1", text="x", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}]
    )
    assert fake.violations == ["chat.postMessage blocks[0].text: 3001 > 3000 chars"]
    fake.violations.clear()
    # form-encoded calls (JSON-encoded fields) are parsed too
    posted = await client.chat_postMessage(channel="C1", text="form me")
    await client.api_call(
        "chat.update",
        data={"channel": "C1", "ts": posted["ts"], "text": "edited", "blocks": '[{"type": "divider"}]'},
    )
    assert fake.messages("C1")[-1]["blocks"] == [{"type": "divider"}]


async def test_die_after_accept_stores_but_never_answers(fake: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[])
    died = fake.die_after_accept("chat.postMessage")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.chat_postMessage(channel="C1", text="once")
    assert died.is_set() and len(fake.died_calls) == 1
    assert [m["text"] for m in fake.messages("C1")] == ["once"]
    # slack_sdk's DEFAULT retry handlers retry a dropped connection: a duplicate post.
    default_client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    fake.die_after_accept("chat.postMessage")
    await default_client.chat_postMessage(channel="C2", text="twice?")
    assert [m["text"] for m in fake.messages("C2")] == ["twice?", "twice?"]
