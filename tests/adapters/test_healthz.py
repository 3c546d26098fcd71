"""``GET /healthz`` of the Slack HTTP server: 200 while the database answers, 503 while it does not."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import pytest

from adapters.slack_adapter.bolt_app import HttpServer, build_bolt_app
from adapters.slack_adapter.client import make_client
from adapters.slack_adapter.settings import SlackSettings
from bot.app import App, build_app
from bot.bank.model import Bank
from bot.config import Settings
from tests.adapters.slack_harness import SECRET, clear_slack_env
from tests.support import secrets
from tests.support.clock import FakeClock
from tests.support.databases import PG_HOST, PG_PORT, postgres_database
from tests.support.messenger import RecordingMessenger
from tests.support.tcp_proxy import TcpProxy


def http_server(core: App) -> HttpServer:
    settings = SlackSettings(bot_token=secrets.SLACK_BOT_TOKEN, signing_secret=SECRET, _env_file=None)
    bolt = build_bolt_app(settings, core.service, make_client(settings))
    return HttpServer(bolt, "127.0.0.1", 0, core.engine)


async def probe(session: aiohttp.ClientSession, server: HttpServer) -> tuple[int, str, float]:
    began = time.monotonic()
    async with session.get(f"http://127.0.0.1:{server.bound_port}/healthz") as res:
        return res.status, await res.text(), time.monotonic() - began


async def test_healthz_is_200_on_a_working_sqlite_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bank: Bank
) -> None:
    clear_slack_env(monkeypatch)
    core = await build_app(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/h.db"), RecordingMessenger(), bank=bank
    )
    server = http_server(core)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            status, body, _ = await probe(session, server)
    finally:
        await server.close()
        await core.close()
    assert (status, body) == (200, "ok")


@pytest.mark.postgres
async def test_healthz_flips_to_503_while_postgres_is_unreachable_and_back(
    monkeypatch: pytest.MonkeyPatch, bank: Bank
) -> None:
    clear_slack_env(monkeypatch)
    proxy = TcpProxy(PG_HOST, PG_PORT)
    await proxy.start()
    async with postgres_database() as direct_url:
        url = direct_url.replace(f"{PG_HOST}:{PG_PORT}", f"127.0.0.1:{proxy.port}")
        core = await build_app(Settings(database_url=url), RecordingMessenger(), FakeClock(), bank)
        server = http_server(core)
        await server.start()
        try:
            async with aiohttp.ClientSession() as session:
                assert (await probe(session, server))[:2] == (200, "ok")
                await proxy.cut()
                status, body, took = await probe(session, server)
                assert (status, body) == (503, "database unreachable")
                assert took < 3  # a probe never hangs on a dead database
                assert (await probe(session, server))[:2] == (503, "database unreachable")
                await proxy.start()
                assert (await probe(session, server))[:2] == (200, "ok")
        finally:
            await server.close()
            await core.close()
            await proxy.cut()
