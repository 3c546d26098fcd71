"""One shared aiohttp session for every Slack Web API call: calls reuse a kept-alive connection
instead of opening one each, in the clients alone and in ``dailyq run slack``."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_adapter.client import make_client, open_session
from adapters.slack_adapter.settings import SlackSettings
from tests.adapters.slack_harness import ADMIN_ID, ADMIN_NAME, SECRET, clear_slack_env
from tests.adapters.test_slack_process import BotProcess, child_env, free_port
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_payloads import CHANNEL_ID, post_signed, slash_command
from tests.support import secrets

CALLS = 12
MEMBERS = 6


def settings_for(fake: FakeSlack) -> SlackSettings:
    return SlackSettings(
        bot_token=secrets.SLACK_BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url, _env_file=None
    )


async def some_calls(fake: FakeSlack, *, shared: bool) -> None:
    settings = settings_for(fake)
    session = open_session() if shared else None
    client = make_client(settings, session=session)
    posting = make_client(settings, session=session, posting=True)
    try:
        for i in range(CALLS // 2):
            await client.auth_test()
            await posting.chat_postMessage(channel=CHANNEL_ID, text=f"hello {i}")
    finally:
        if session is not None:
            await session.close()
    assert len(fake.calls("auth.test")) + len(fake.calls("chat.postMessage")) == CALLS


async def test_both_clients_share_one_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_slack_env(monkeypatch)
    async with FakeSlack() as fake:
        await some_calls(fake, shared=True)
        assert len(fake.connections) == 1


async def test_without_the_session_every_call_opens_a_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_slack_env(monkeypatch)  # the control: the fake counts connections, not calls
    async with FakeSlack() as fake:
        await some_calls(fake, shared=False)
        assert len(fake.connections) == CALLS


@pytest.mark.slow
async def test_dailyq_run_slack_reuses_connections_and_closes_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_slack_env(monkeypatch)
    async with FakeSlack() as fake:
        fake.add_user(ADMIN_ID, name=ADMIN_NAME, is_admin=True)
        port = free_port()
        env = child_env(
            tmp_path,
            SLACK_BOT_TOKEN=secrets.SLACK_BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.api_url,
            PORT=str(port),
            DAILYQ_HTTP_HOST="127.0.0.1",
        )
        bot = BotProcess(env, tmp_path, port)
        try:
            await bot.start()
            for i in range(MEMBERS):  # an admin command from a new member costs a users.info
                member = f"U0NEW{i:04d}"
                fake.add_user(member, name=f"member{i}")
                request = slash_command(
                    "daily set 09:00 UTC",
                    response_url=fake.new_response_url(CHANNEL_ID),
                    user_id=member,
                    user_name=member,
                )
                reply = await post_signed(f"http://127.0.0.1:{port}/slack/events", request, secret=SECRET)
                assert reply.status == 200
                await fake.wait_for_call("users.info", lambda c, m=member: c.args.get("user") == m)  # type: ignore[misc]
            await bot.stop()
        finally:
            if bot.proc is not None and bot.proc.returncode is None:
                await bot.kill()
        assert len(fake.calls("users.info")) == MEMBERS
        assert len(fake.connections) == 1  # auth.test and every users.info on one connection
        assert "Unclosed client session" not in bot.log.read_text()


async def test_the_fake_enforces_slacks_posting_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_slack_env(monkeypatch)  # what bench/fanout_slack.py measures against must bite
    async with FakeSlack() as fake:
        fake.limit_posts(per_channel_second=2, per_workspace_minute=4)
        client = AsyncWebClient(token=secrets.SLACK_BOT_TOKEN, base_url=fake.api_url, retry_handlers=[])
        outcomes = []
        for channel in ("C1", "C1", "C1", "C2", "C3", "C4"):
            try:
                await client.chat_postMessage(channel=channel, text="hi")
                outcomes.append("ok")
            except SlackApiError as exc:
                outcomes.append(f"{exc.response.status_code} {exc.response.headers.get('Retry-After')}")
        assert outcomes == ["ok", "ok", "429 1", "ok", "ok", "429 1"]
        assert fake.rate_limited == 2 and len(fake.messages("C1")) == 2
